import { tf } from '../backend/tf';
import type { HostBatch, TensorBatch } from './train-task';

/** Turns a host batch into tensors (copies); the caller disposes them (e.g. with `disposeBatch`). */
export function hostBatchToTensors(batch: HostBatch): TensorBatch {
  const out: Record<string, tf.Tensor> = {};
  for (const [k, t] of Object.entries(batch)) out[k] = tf.tensor(t.values, t.shape as number[], t.dtype);
  return out;
}

/** Disposes every tensor of a batch. */
export function disposeBatch(batch: TensorBatch): void {
  for (const t of Object.values(batch)) t.dispose();
}
