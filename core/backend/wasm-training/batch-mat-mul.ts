/**
 * `BatchMatMul` for the wasm backend: transposed operands are transposed explicitly before the stock
 * XNNPACK matMul, which is several times faster than the stock kernel's own transposed access
 * (measured 40 ms vs 5 ms for a 256x1024 by 1024x128 product with transposeA). Dense layers' weight
 * gradients are exactly such products.
 *
 * A single-row product [1, K] x [K, N] with K much larger than N (a weighted column sum, e.g. a
 * per-channel sum written as matMul(ones([1, rows]), x)) avoids XNNPACK's matMul, which packs its
 * right operand on first use (24 ms for a fresh [131072, 16] activation): a constant row becomes a
 * global average pooling (under 1 ms), any other row a plain loop. Persistent weights (dense layers,
 * K close to N) keep the XNNPACK path and its cache.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '../tf';
import { pooledReduce } from './pooled-reduction';
import { free, heapF32, runKernel, transpose, view, WasmKernelArgs, type TensorInfo } from './wasm-kernel-utils';

function swapLastTwo(backend: BackendWasm, t: TensorInfo): TensorInfo {
  const rank = t.shape.length;
  const perm = t.shape.map((_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return transpose(backend, t, perm);
}

/** A single-row product goes to the loop when K is at least this many times N. */
const TALL_RATIO = 16;

/** out[batch, 0, n] = sum_k a[batch, k] * b[batch, k, n], for a single-row (or transposed single-column) a. */
function rowTimesMatrix(backend: BackendWasm, a: TensorInfo, b: TensorInfo, k: number, n: number): TensorInfo {
  const outer = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const batch = tf.util.sizeFromShape(outer);
  const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2));
  const batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
  if (batch === 1) {
    // A constant row (ones, or 1/K) is a column sum: XNNPACK pooling does it at memory speed.
    const row = heapF32(backend, a);
    const w = row[0];
    let uniform = true;
    for (let i = 1; i < k && uniform; i++) uniform = row[i] === w;
    if (uniform) {
      const out = pooledReduce(backend, view(b, [k, n]), { first: 0, last: 0 }, w, false);
      out.shape = [...outer, 1, n];
      return out;
    }
  }
  const out = backend.makeOutput([...outer, 1, n], 'float32');
  const av = heapF32(backend, a);
  const bv = heapF32(backend, b);
  const ov = heapF32(backend, out);
  const acc = new Float64Array(n);
  for (let i = 0; i < batch; i++) {
    acc.fill(0);
    const aOff = (batchA === 1 ? 0 : i) * k;
    const bOff = (batchB === 1 ? 0 : i) * k * n;
    for (let r = 0; r < k; r++) {
      const w = av[aOff + r];
      if (w === 0) continue;
      const row = bOff + r * n;
      for (let c = 0; c < n; c++) acc[c] += w * bv[row + c];
    }
    ov.set(acc, i * n);
  }
  return out;
}

function batchMatMul(args: WasmKernelArgs<{ transposeA: boolean; transposeB: boolean }>): TensorInfo {
  const { backend, attrs } = args;
  const a = args.inputs.a as TensorInfo;
  const b = args.inputs.b as TensorInfo;
  const plain = { transposeA: false, transposeB: false };
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) {
    return runKernel(backend, 'BatchMatMul', { a, b }, attrs as unknown as tf.NamedAttrMap, { stock: true });
  }
  const rank = a.shape.length;
  const rows = attrs.transposeA ? a.shape[rank - 1] : a.shape[rank - 2];
  const inner = attrs.transposeA ? a.shape[rank - 2] : a.shape[rank - 1];
  const cols = attrs.transposeB ? b.shape[b.shape.length - 2] : b.shape[b.shape.length - 1];
  const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2));
  const batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
  const innerB = attrs.transposeB ? b.shape[b.shape.length - 1] : b.shape[b.shape.length - 2];
  const broadcastable = batchA === batchB || batchA === 1 || batchB === 1;
  if (rows === 1 && !attrs.transposeB && inner === innerB && inner >= TALL_RATIO * cols && broadcastable) {
    // A single row is the same contiguous K values whether or not it is marked transposed.
    return rowTimesMatrix(backend, a, b, inner, cols);
  }
  const aT = attrs.transposeA ? swapLastTwo(backend, a) : null;
  const bT = attrs.transposeB ? swapLastTwo(backend, b) : null;
  try {
    return runKernel(backend, 'BatchMatMul', { a: aT ?? a, b: bT ?? b }, plain, { stock: true });
  } finally {
    free(backend, aT, bT);
  }
}

/** Kernel config for `tf.registerKernel`; `setupFunc` is the stock kernel's, filled in at install. */
export const batchMatMulConfig: tf.KernelConfig = {
  kernelName: 'BatchMatMul',
  backendName: 'wasm',
  kernelFunc: batchMatMul as unknown as tf.KernelFunc,
};
