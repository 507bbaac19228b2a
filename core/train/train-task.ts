import type { tf } from '../backend/tf';
import type { NamedVariable } from '../nn/variable-scope';

/** A tensor as plain host memory, so it can cross a worker boundary. Row-major, like tf.tensor(). */
export interface HostTensor {
  readonly values: Float32Array | Int32Array;
  readonly shape: readonly number[];
  readonly dtype: 'float32' | 'int32';
}

/** One training batch: named tensors whose first axis is the sample axis (same length for all). */
export type HostBatch = Readonly<Record<string, HostTensor>>;

/** The same batch as tfjs tensors (the caller owns them). */
export type TensorBatch = Readonly<Record<string, tf.Tensor>>;

/**
 * Something trainable: networks with named variables and a scalar loss over a batch. A data-parallel
 * worker builds its own replica from a {@link TaskSpec}, so the loss must be a mean over the batch's
 * samples (shards are recombined by a size-weighted mean).
 */
export interface TrainTask {
  /** Weights the optimiser updates, in a fixed order that is the same in every replica. */
  trainableVariables(): tf.Variable[];
  /** Every variable with its logical name (weights and statistics), in a fixed order. */
  namedVariables(): readonly NamedVariable[];
  /**
   * @param batch the task's named inputs, first axis = samples.
   * @param training batch-norm mode (batch statistics and moving-average updates when true).
   * @returns float32 scalar, the mean loss over the batch's samples.
   */
  loss(batch: TensorBatch, training: boolean): tf.Scalar;
  /** Optional: the unweighted value of each loss term of the last `loss` call (for logs and progress). */
  lossTerms?(): Readonly<Record<string, number>>;
  dispose(): void;
}

/**
 * How a worker thread rebuilds a task: `await require(module)[exportName](options)`. `module` is an
 * absolute path to compiled JavaScript; `options` must survive structured cloning (plain JSON data).
 */
export interface TaskSpec {
  readonly module: string;
  readonly exportName: string;
  readonly options: unknown;
}

/** Splits a host batch into `parts` consecutive shards along the sample axis (sizes differ by at most 1). */
export function splitHostBatch(batch: HostBatch, parts: number): HostBatch[] {
  const keys = Object.keys(batch);
  if (keys.length === 0) throw new Error('a training batch needs at least one named tensor');
  const n = batch[keys[0]].shape[0];
  for (const k of keys) {
    const t = batch[k];
    if (t.shape[0] !== n) {
      throw new Error(`batch tensor '${k}' has ${t.shape[0]} samples but '${keys[0]}' has ${n}: all must match`);
    }
    if (t.values.length !== t.shape.reduce((a, d) => a * d, 1)) {
      throw new Error(`batch tensor '${k}' has ${t.values.length} values for shape [${t.shape}]`);
    }
  }
  if (n < parts) throw new Error(`a batch of ${n} samples cannot be split over ${parts} workers: use fewer workers`);
  const shards: HostBatch[] = [];
  let start = 0;
  for (let p = 0; p < parts; p++) {
    const size = Math.floor(n / parts) + (p < n % parts ? 1 : 0);
    const shard: Record<string, HostTensor> = {};
    for (const k of keys) {
      const t = batch[k];
      const per = t.values.length / n;
      shard[k] = {
        values: t.values.slice(start * per, (start + size) * per),
        shape: [size, ...t.shape.slice(1)],
        dtype: t.dtype,
      };
    }
    shards.push(shard);
    start += size;
  }
  return shards;
}

/** Number of samples in a host batch. */
export function hostBatchSize(batch: HostBatch): number {
  const first = Object.values(batch)[0];
  return first == null ? 0 : first.shape[0];
}
