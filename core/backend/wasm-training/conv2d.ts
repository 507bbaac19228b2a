/**
 * `Conv2D` for the wasm backend: the hand-written SIMD kernel `simd/conv2d.wat` where it applies
 * (float32, channels last, at least 8 input and output channels; output channels padded to a
 * multiple of 8), the stock XNNPACK convolution otherwise. The SIMD kernel is 10-40% faster than
 * XNNPACK on the U-Net's layers (it keeps a 4 x 8 output tile in registers over all taps and channels);
 * the input gradient (`conv2d-backprop-input`) runs through this kernel too.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '../tf';
import { convGeometry, simdKernel } from './simd-kernels';
import {
  free,
  heapF32,
  heapOffset,
  runKernel,
  WasmKernelArgs,
  zerosOutput,
  type Conv2DInfo,
  type TensorInfo,
} from './wasm-kernel-utils';

/** The exports of `simd/conv2d.wasm` (see the .wat for the contract). */
interface Conv2DExports {
  pack_filter(w: number, packed: number, rows: number, outChannels: number): void;
  /** `geometry` as {@link convGeometry} orders it, then the positions per cache chunk. */
  conv_forward(x: number, packedFilter: number, y: number, zero: number, ...geometryThenChunk: number[]): void;
}

interface Conv2DAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** Output positions per chunk: a chunk's input rows stay in cache while every channel block runs. */
const CHUNK_POSITIONS = 64;

/**
 * Whether the SIMD kernel takes this convolution: at least 8 input and 8 output channels (below that
 * XNNPACK is as fast or faster). Output channels that are not a multiple of 8 are computed in blocks
 * of 8 padded with zero filters and compacted (12 channels: about 1.8x faster than XNNPACK).
 */
function simdConv2dEligible(info: Conv2DInfo): boolean {
  return info.inChannels >= 8 && info.outChannels >= 8;
}

/**
 * The convolution `info` describes, by the SIMD kernel; null when the kernel cannot share this
 * backend's heap. The caller checks {@link simdConv2dEligible} first.
 * @param x float32 [batch, inHeight, inWidth, inChannels]
 * @param filter float32 [filterHeight, filterWidth, inChannels, outChannels]
 */
function simdConv2d(backend: BackendWasm, x: TensorInfo, filter: TensorInfo, info: Conv2DInfo): TensorInfo | null {
  const kernel = simdKernel<Conv2DExports>(backend, 'conv2d');
  if (kernel == null) return null;
  const { filterHeight: kh, filterWidth: kw, inChannels: ci, outChannels: co } = info;
  const rows = kh * kw * ci;
  const co8 = Math.ceil(co / 8) * 8;
  const padded = co8 === co ? null : zerosOutput(backend, [rows * co8]);
  const packed = backend.makeOutput([rows * co8], 'float32');
  const zero = zerosOutput(backend, [ci]);
  const out = backend.makeOutput([info.batchSize, info.outHeight, info.outWidth, co], 'float32');
  const wide = padded == null ? out : backend.makeOutput([info.batchSize * info.outHeight * info.outWidth * co8], 'float32');
  if (padded != null) {
    const [src, dst] = [heapF32(backend, filter), heapF32(backend, padded)];
    for (let r = 0; r < rows; r++) dst.set(src.subarray(r * co, (r + 1) * co), r * co8);
  }
  // Offsets are taken after every allocation: all of them live on the same (possibly grown) heap.
  const offset = (t: TensorInfo): number => heapOffset(backend, t);
  kernel.pack_filter(offset(padded ?? filter), offset(packed), rows, co8);
  const geometry = convGeometry(info);
  geometry[6] = co8;
  kernel.conv_forward(offset(x), offset(packed), offset(wide), offset(zero), ...geometry, CHUNK_POSITIONS);
  if (wide !== out) {
    const [src, dst] = [heapF32(backend, wide), heapF32(backend, out)];
    for (let p = 0, n = dst.length / co; p < n; p++) dst.set(src.subarray(p * co8, p * co8 + co), p * co);
    free(backend, wide);
  }
  free(backend, packed, zero, padded);
  return out;
}

function conv2D(args: WasmKernelArgs<Conv2DAttrs>): TensorInfo {
  const { backend, attrs } = args;
  const x = args.inputs.x as TensorInfo;
  const filter = args.inputs.filter as TensorInfo;
  if (x.dtype === 'float32' && filter.dtype === 'float32' && attrs.dataFormat !== 'NCHW') {
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filter.shape as [number, number, number, number],
      attrs.strides,
      attrs.dilations ?? 1,
      attrs.pad,
      attrs.dimRoundingMode,
    );
    const out = simdConv2dEligible(info) ? simdConv2d(backend, x, filter, info) : null;
    if (out != null) return out;
  }
  return runKernel(backend, 'Conv2D', args.inputs, attrs as unknown as tf.NamedAttrMap, { stock: true });
}

/** Kernel config for `tf.registerKernel`; `setupFunc` is the stock kernel's, filled in at install. */
export const conv2DConfig: tf.KernelConfig = {
  kernelName: 'Conv2D',
  backendName: 'wasm',
  kernelFunc: conv2D as unknown as tf.KernelFunc,
};
