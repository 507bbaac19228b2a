/**
 * Reduction over the leading axes of a tensor as one global average pooling on XNNPACK: the leading
 * axes are viewed as a [rows, cols] image whose channels are the remaining axes. Batch norm reduces
 * [B, H, W, C] over [0, 1, 2]; the stock wasm Sum/Mean first transpose the whole tensor so the
 * reduced axes become innermost (8 ms for a [16,128,64,16] tensor against 0.8 ms pooled), and a
 * training step does dozens of them. (A [1, N] x [N, C] matMul is fast only when XNNPACK has cached
 * the packed right operand, which a fresh activation never is.)
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '../tf';
import { runKernel, type TensorInfo } from './wasm-kernel-utils';

/**
 * The number of leading axes reduced when `axis` is exactly a leading prefix of x's axes that is not
 * also a trailing run (where the stock kernel needs no transpose); 0 when this path does not apply.
 */
export function leadingReductionDepth(x: TensorInfo, axis: number | number[]): number {
  const rank = x.shape.length;
  if (x.dtype !== 'float32' || rank < 2 || tf.util.sizeFromShape(x.shape) === 0) return 0;
  const axes = [...new Set(tf.util.parseAxisParam(axis, x.shape))].sort((a, b) => a - b);
  const k = axes.length;
  if (k === 0 || k === rank || axes.some((a, i) => a !== i)) return 0;
  return k;
}

/**
 * Reduces the first `depth` axes of float32 `x`: each output element is `weight` times the sum over
 * those axes. Returns a new tensor of shape x.shape.slice(depth), or with the reduced axes kept as 1.
 */
export function reduceLeadingAxes(
  backend: BackendWasm,
  x: TensorInfo,
  depth: number,
  weight: number,
  keepDims: boolean,
): TensorInfo {
  const cols = x.shape[depth - 1];
  const rows = tf.util.sizeFromShape(x.shape.slice(0, depth - 1));
  const inner = tf.util.sizeFromShape(x.shape.slice(depth));
  // One pooling window covering the whole [rows, cols] image of `inner` channels.
  const out = runKernel(
    backend,
    'AvgPool',
    { x: { dataId: x.dataId, shape: [1, rows, cols, inner], dtype: 'float32' } },
    { filterSize: [rows, cols], strides: [rows, cols], pad: 'valid' },
  );
  const scale = weight * rows * cols;
  if (scale !== 1) {
    const v = backend.typedArrayFromHeap(out) as Float32Array;
    for (let i = 0; i < v.length; i++) v[i] *= scale;
  }
  out.shape = keepDims ? [...x.shape.slice(0, depth).map(() => 1), ...x.shape.slice(depth)] : x.shape.slice(depth);
  return out;
}
