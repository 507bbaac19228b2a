/**
 * A tensor read from a checkpoint file, held in JavaScript memory (no tfjs tensor yet). Every stored
 * type is widened or narrowed to float32; `dtype` records what the file held.
 */
export interface HostTensor {
  /** C-order (row-major) shape; empty for a scalar. */
  readonly shape: readonly number[];
  /** The elements in C order. May share memory with the file's bytes: do not modify. */
  readonly values: Float32Array;
  /** The type in the file, e.g. `F32`, `BF16` (safetensors) or `<f4` (npy). */
  readonly dtype: string;
}

/** Number of elements of a shape (1 for a scalar). */
export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
