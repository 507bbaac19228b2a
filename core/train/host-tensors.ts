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

/** A network whose variables can be overwritten by logical path. */
export interface HostWeightsTarget {
  namedVariables(): ReadonlyArray<{ readonly path: string; readonly variable: tf.Variable }>;
  setWeights(weights: ReadonlyMap<string, tf.Tensor>): void;
}

/** Copies host weights (by logical path) into a network. */
export function setHostWeights(net: HostWeightsTarget, weights: ReadonlyMap<string, Float32Array>): void {
  const map = new Map(net.namedVariables().map((v) => [v.path, tf.tensor(weights.get(v.path) ?? [], v.variable.shape)]));
  try {
    net.setWeights(map);
  } finally {
    tf.dispose([...map.values()]);
  }
}
