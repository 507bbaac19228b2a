/**
 * Small helpers shared by the wasm training kernels: calling other wasm kernels from inside a kernel,
 * freeing intermediates, and reading/writing tensor memory on the wasm heap.
 *
 * Kernels here never call tf ops: ops would go through the engine (tape, tensor tracking) from inside a
 * kernel. They call kernel functions directly and free what they allocate with `backend.disposeData`.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '../tf';
import { copyRuns } from './copy-runs';

export type TensorInfo = tf.TensorInfo;

/** The arguments every wasm kernelFunc receives, typed for the wasm backend. */
export interface WasmKernelArgs<A = tf.NamedAttrMap> {
  inputs: tf.NamedTensorInfoMap;
  backend: BackendWasm;
  attrs: A;
}

/**
 * The stock wasm kernels that this package replaces, captured before the first replacement so that a
 * replacement can still delegate to the original (e.g. BatchMatMul without transposes).
 */
const stockKernels = new Map<string, tf.KernelConfig>();

/** The kernel functions of this package, so that delegation never picks one of them as "stock". */
const ownKernelFuncs = new WeakSet<object>();

/** Records `kernelFunc` as one of this package's replacements. */
export function markOwnKernel(kernelFunc: tf.KernelFunc): void {
  ownKernelFuncs.add(kernelFunc);
}

/** Remembers the stock wasm kernel `name` (once) so that it survives `tf.unregisterKernel`. */
export function captureStockKernel(name: string): tf.KernelConfig | undefined {
  if (!stockKernels.has(name)) {
    const config = tf.getKernel(name, 'wasm');
    if (config != null && !ownKernelFuncs.has(config.kernelFunc)) stockKernels.set(name, config);
  }
  return stockKernels.get(name);
}

/**
 * Runs wasm kernel `name` directly (no engine, no tape). With `stock`, runs the original that
 * `captureStockKernel` saved before this package replaced it.
 */
export function runKernel(
  backend: BackendWasm,
  name: string,
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap = {},
  { stock = false }: { stock?: boolean } = {},
): TensorInfo {
  // A replaced kernel must delegate to the captured original, never to itself. Before any install
  // the registered kernel is the original.
  const current = tf.getKernel(name, 'wasm');
  const original = current != null && !ownKernelFuncs.has(current.kernelFunc) ? current : undefined;
  const config = stock ? stockKernels.get(name) ?? original : current;
  if (config == null) {
    throw new Error(
      `wasm kernel '${name}'${stock ? ' (stock version)' : ''} is not registered; ` +
        'load @tensorflow/tfjs-backend-wasm before installing the training kernels',
    );
  }
  return config.kernelFunc({ inputs, backend, attrs }) as TensorInfo;
}

/** Frees intermediates created inside a kernel (each must own its dataId reference). */
export function free(backend: BackendWasm, ...infos: (TensorInfo | null | undefined)[]): void {
  for (const info of infos) if (info != null) backend.disposeData(info.dataId);
}

/**
 * A view of `t` with another shape of the same size, sharing its memory. The view holds no reference:
 * never free it separately, and never return it as a kernel output.
 */
export function view(t: TensorInfo, shape: number[]): TensorInfo {
  const size = shape.reduce((a, b) => a * b, 1);
  const have = t.shape.reduce((a, b) => a * b, 1);
  if (size !== have) throw new Error(`cannot view shape [${t.shape}] as [${shape}]: sizes differ`);
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

/** Transposes with the wasm Transpose kernel; the result is a new tensor the caller must free. */
export function transpose(backend: BackendWasm, x: TensorInfo, perm: number[]): TensorInfo {
  return runKernel(backend, 'Transpose', { x }, { perm });
}

/**
 * The float32 contents of `t` on the wasm heap. Re-take the view after any allocation on the heap:
 * a heap growth detaches earlier views.
 */
export function heapF32(backend: BackendWasm, t: TensorInfo): Float32Array {
  if (t.dtype !== 'float32') throw new Error(`expected a float32 tensor, got ${t.dtype}`);
  return backend.typedArrayFromHeap(t) as Float32Array;
}

/** The byte offset of `t`'s data on the wasm heap (for kernels that take pointers, e.g. simd/*.wat). */
export function heapOffset(backend: BackendWasm, t: TensorInfo): number {
  return backend.dataIdMap.get(t.dataId)!.memoryOffset;
}

/** Allocates a float32 output of `shape`, filled with zeros. */
export function zerosOutput(backend: BackendWasm, shape: number[]): TensorInfo {
  const out = backend.makeOutput(shape, 'float32');
  heapF32(backend, out).fill(0);
  return out;
}

/**
 * x [b, h, w, c] copied into a zero [b, outH, outW, c] buffer with its first row at `top` and its first
 * column at `left` (zero padding around it), as a new float32 tensor the caller owns.
 */
export function zeroPadded(backend: BackendWasm, x: TensorInfo, outH: number, outW: number, top: number, left: number): TensorInfo {
  const [b, h, w, c] = x.shape;
  const out = zerosOutput(backend, [b, outH, outW, c]);
  const [src, dst] = [heapF32(backend, x), heapF32(backend, out)];
  for (let n = 0; n < b; n++) copyRuns(dst, ((n * outH + top) * outW + left) * c, outW * c, src, n * h * w * c, w * c, w * c, h);
  return out;
}

/**
 * The `rows` rows of `width` values of x, each widened to `wideWidth` with zeros (e.g. a filter's output
 * channels padded to a kernel's block size), as a new float32 [rows * wideWidth] tensor the caller owns.
 */
export function zeroWidened(backend: BackendWasm, x: TensorInfo, rows: number, width: number, wideWidth: number): TensorInfo {
  const out = zerosOutput(backend, [rows * wideWidth]);
  copyRuns(heapF32(backend, out), 0, wideWidth, heapF32(backend, x), 0, width, width, rows);
  return out;
}

/** Normalises a stride/dilation attribute to `[height, width]`. */
export function pair(v: number | number[] | undefined, fallback = 1): [number, number] {
  if (v == null) return [fallback, fallback];
  if (typeof v === 'number') return [v, v];
  return [v[0], v.length > 1 ? v[1] : v[0]];
}

/** The geometry tfjs computes for a 2D convolution (sizes, strides, dilations, padding). */
export type Conv2DInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;

/**
 * The channels-last convolution geometry whose output matches dy's spatial size. tfjs' conv2d
 * gradient does not pass the forward's dimRoundingMode on to the backprop kernels, so with a numeric
 * pad and 'ceil' or 'round' rounding the attrs alone give the wrong output size; the rounding is
 * recovered from dy, falling back to the attrs' geometry when none matches (the caller then reports).
 */
export function convInfoForDy(
  inShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  strides: number | [number, number],
  dilations: number | [number, number],
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding,
  rounding: 'floor' | 'round' | 'ceil' | undefined,
  depthwise: boolean,
  dyShape: number[],
): Conv2DInfo {
  const modes = typeof pad === 'number' ? [rounding, 'ceil', 'round', 'floor'] as const : [rounding] as const;
  let first: Conv2DInfo | null = null;
  for (const mode of modes) {
    const info = tf.backend_util.computeConv2DInfo(inShape, filterShape, strides, dilations, pad, mode, depthwise);
    first ??= info;
    if (info.outHeight === dyShape[1] && info.outWidth === dyShape[2]) return info;
  }
  return first as Conv2DInfo;
}
