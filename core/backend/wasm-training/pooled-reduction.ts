/**
 * Sum or mean over a contiguous run of axes that excludes the last one, as one XNNPACK average
 * pooling: x is viewed as [outer, rows, cols, inner] with the reduced run as the [rows, cols] image
 * and one window covering it. This is batch norm's per-channel reduction ([B,H,W,C] over [0,1,2])
 * and global average pooling ([B,H,W,C] over [1,2]). The stock wasm Sum/Mean first transpose the
 * whole tensor so the reduced axes become innermost: 8 ms for a [16,128,64,16] tensor against 0.8 ms
 * pooled, and a training step does dozens of them. (A [1, N] x [N, C] matMul is fast only when
 * XNNPACK has already packed its right operand, which a fresh activation never is.)
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '../tf';
import { runKernel, type TensorInfo } from './wasm-kernel-utils';

/** The reduced run [first, last] of axes, when this path applies. */
export interface PooledRun {
  first: number;
  last: number;
}

/**
 * The run of axes `axis` names, when it is contiguous, non-empty and does not include the last axis
 * (a trailing run needs no transpose in the stock kernel), and pooling pays off; null otherwise, or
 * for non-float32 x.
 */
export function pooledRun(x: TensorInfo, axis: number | number[]): PooledRun | null {
  const rank = x.shape.length;
  if (x.dtype !== 'float32' || rank < 2 || tf.util.sizeFromShape(x.shape) === 0) return null;
  const axes = [...new Set(tf.util.parseAxisParam(axis, x.shape))].sort((a, b) => a - b);
  if (axes.length === 0 || axes[axes.length - 1] >= rank - 1) return null;
  if (axes.some((a, i) => a !== axes[0] + i)) return null;
  const first = axes[0];
  const last = axes[axes.length - 1];
  // Measured: one channel, or a window of a few pixels, is no faster pooled than stock.
  const inner = tf.util.sizeFromShape(x.shape.slice(last + 1));
  const window = tf.util.sizeFromShape(x.shape.slice(first, last + 1));
  if (inner < 2 || window < 16) return null;
  return { first, last };
}

/**
 * `weight` times the sum of float32 `x` over the axes of `run`. Returns a new tensor without those
 * axes, or with them kept as 1.
 */
export function pooledReduce(
  backend: BackendWasm,
  x: TensorInfo,
  run: PooledRun,
  weight: number,
  keepDims: boolean,
): TensorInfo {
  const outer = tf.util.sizeFromShape(x.shape.slice(0, run.first));
  const rows = tf.util.sizeFromShape(x.shape.slice(run.first, run.last));
  const cols = x.shape[run.last];
  const inner = tf.util.sizeFromShape(x.shape.slice(run.last + 1));
  const out = runKernel(
    backend,
    'AvgPool',
    { x: { dataId: x.dataId, shape: [outer, rows, cols, inner], dtype: 'float32' } },
    { filterSize: [rows, cols], strides: [rows, cols], pad: 'valid' },
  );
  const scale = weight * rows * cols;
  if (scale !== 1) {
    const v = backend.typedArrayFromHeap(out) as Float32Array;
    for (let i = 0; i < v.length; i++) v[i] *= scale;
  }
  out.shape = x.shape.flatMap((s, i) => (i < run.first || i > run.last ? [s] : keepDims ? [1] : []));
  return out;
}
