/**
 * Reduction over the leading axes of a tensor as one matrix-vector product on XNNPACK:
 * [1, N] x [N, inner] with a constant row. Batch norm reduces [B, H, W, C] over [0, 1, 2]; the stock
 * wasm Sum/Mean first transpose the whole tensor so the reduced axes become innermost (7 ms for a
 * [16,128,64,16] tensor against 0.6 ms for the product), and a training step does dozens of them.
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
  const outer = tf.util.sizeFromShape(x.shape.slice(0, depth));
  const inner = tf.util.sizeFromShape(x.shape.slice(depth));
  const row = backend.makeOutput([1, 1, outer], 'float32');
  (backend.typedArrayFromHeap(row) as Float32Array).fill(weight);
  const out = runKernel(
    backend,
    'BatchMatMul',
    { a: row, b: { dataId: x.dataId, shape: [1, outer, inner], dtype: 'float32' } },
    { transposeA: false, transposeB: false },
    { stock: true },
  );
  backend.disposeData(row.dataId);
  out.shape = keepDims ? [...x.shape.slice(0, depth).map(() => 1), ...x.shape.slice(depth)] : x.shape.slice(depth);
  return out;
}
