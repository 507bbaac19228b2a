/**
 * `Conv2D` for the wasm backend: the hand-written SIMD kernel `simd/conv2d.wat` where it applies
 * (float32, channels last, at least 8 output channels, padded to a multiple of 8), the stock XNNPACK
 * convolution otherwise. The SIMD kernel is 10-40% faster than XNNPACK on the U-Net's layers (it keeps a
 * 4 x 8 output tile in registers over all taps and channels; tiles inside the image columns, which
 * horizontal zero padding makes all tiles of a row, run each kernel row as one contiguous loop); the
 * input gradient (`conv2d-backprop-input`) runs through this kernel too.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '../tf';
import { winogradConv2d, winogradEligible } from './conv2d-winograd';
import { copyRuns } from './copy-runs';
import { convGeometry, simdKernel } from './simd-kernels';
import {
  free,
  heapF32,
  heapOffset,
  runKernel,
  WasmKernelArgs,
  zeroPadded,
  zeroWidened,
  zerosOutput,
  type Conv2DInfo,
  type TensorInfo,
} from './wasm-kernel-utils';

/** The exports of `simd/conv2d.wasm` (see the .wat for the contract). */
interface Conv2DExports {
  pack_filter(w: number, packed: number, rows: number, outChannels: number): void;
  /** `geometry` as {@link convGeometry} orders it, then the positions per cache chunk, the bias pointer (0: none) and the activation. */
  conv_forward(x: number, packedFilter: number, y: number, zero: number, ...geometryChunkBiasActivation: number[]): void;
}

/** A fused convolution's epilogue: the kernel adds `bias` (float32 [outChannels]) and applies `activation`. */
interface Epilogue {
  readonly bias: TensorInfo | null;
  readonly activation: FusedActivation;
}

/** The activations the kernel fuses, with its codes. */
const FUSED_ACTIVATIONS = { linear: 0, relu: 1, relu6: 2 } as const;
type FusedActivation = keyof typeof FUSED_ACTIVATIONS;

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
 * Whether the SIMD kernel takes this convolution: at least 8 output channels (below that XNNPACK is as
 * fast or faster). Output channels that are not a multiple of 8 are computed in blocks of 8 padded with
 * zero filters and compacted (12 channels: about 1.8x faster than XNNPACK). Any input channel count:
 * with the kernel's interior path an RGB layer runs 1.3-1.5x faster than XNNPACK (a 7x7 stride-2 stem
 * 3 -> 16 at batch 16: 7.1 -> 4.7 ms).
 */
function simdConv2dEligible(info: Conv2DInfo): boolean {
  return info.outChannels >= 8;
}

/**
 * The convolution `info` describes, by the SIMD kernel; null when the kernel cannot share this
 * backend's heap. The caller checks {@link simdConv2dEligible} first.
 * @param x float32 [batch, inHeight, inWidth, inChannels]
 * @param filter float32 [filterHeight, filterWidth, inChannels, outChannels]
 */
function simdConv2d(
  backend: BackendWasm,
  x: TensorInfo,
  filter: TensorInfo,
  info: Conv2DInfo,
  epilogue: Epilogue = { bias: null, activation: 'linear' },
): TensorInfo | null {
  if (winogradEligible(info)) {
    const out = winogradConv2d(backend, x, filter, info, epilogue.bias, FUSED_ACTIVATIONS[epilogue.activation]);
    if (out != null) return out;
  }
  const kernel = simdKernel<Conv2DExports>(backend, 'conv2d');
  if (kernel == null) return null;
  const { filterHeight: kh, filterWidth: kw, inChannels: ci, outChannels: co } = info;
  const rows = kh * kw * ci;
  const co8 = Math.ceil(co / 8) * 8;
  const paddedFilter = co8 === co ? null : zeroWidened(backend, filter, rows, co, co8);
  const packed = backend.makeOutput([rows * co8], 'float32');
  const zero = zerosOutput(backend, [ci]);
  const out = backend.makeOutput([info.batchSize, info.outHeight, info.outWidth, co], 'float32');
  const wide = paddedFilter == null ? out : backend.makeOutput([info.batchSize * info.outHeight * info.outWidth * co8], 'float32');
  // Offsets are taken after every allocation: all of them live on the same (possibly grown) heap.
  const offset = (t: TensorInfo): number => heapOffset(backend, t);
  kernel.pack_filter(offset(paddedFilter ?? filter), offset(packed), rows, co8);
  const geometry = convGeometry(info);
  geometry[6] = co8;
  const padded = paddedColumns(backend, x, info);
  if (padded != null) {
    geometry[2] = padded.shape[2];
    geometry[14] = 0;
  }
  // The bias in blocks of 8 like the filter's output channels.
  const bias = epilogue.bias != null && co8 !== co ? zeroWidened(backend, epilogue.bias, 1, co, co8) : epilogue.bias;
  const biasOffset = bias == null ? 0 : offset(bias);
  kernel.conv_forward(
    offset(padded ?? x), offset(packed), offset(wide), offset(zero), ...geometry, CHUNK_POSITIONS, biasOffset, FUSED_ACTIVATIONS[epilogue.activation],
  );
  free(backend, padded, bias !== epilogue.bias ? bias : null);
  if (wide !== out) {
    copyRuns(heapF32(backend, out), 0, co, heapF32(backend, wide), 0, co8, co, info.batchSize * info.outHeight * info.outWidth);
    free(backend, wide);
  }
  free(backend, packed, zero, paddedFilter);
  return out;
}

/**
 * x with its horizontal padding as zero columns, or null when the convolution has none or is dilated: the
 * kernel runs a tile of 4 positions of one row on its interior path (each kernel row's taps one contiguous
 * run) only when all its taps lie inside the image's columns, which on narrow maps (8 or 4 columns, the
 * deep layers) no tile does. The copy costs about 1/(9 CO) of a 3x3 convolution's work.
 */
function paddedColumns(backend: BackendWasm, x: TensorInfo, info: Conv2DInfo): TensorInfo | null {
  const { inHeight: h, inWidth: w, outWidth: ow, strideWidth: sw } = info;
  const left = info.padInfo.left;
  const right = Math.max(0, (ow - 1) * sw + info.filterWidth - left - w);
  if ((left === 0 && right === 0) || info.dilationWidth !== 1 || left < 0) return null;
  return zeroPadded(backend, x, h, w + left + right, 0, left);
}

function conv2D(args: WasmKernelArgs<Conv2DAttrs>): TensorInfo {
  const { backend, attrs } = args;
  const x = args.inputs.x as TensorInfo;
  const filter = args.inputs.filter as TensorInfo;
  if (x.dtype === 'float32' && filter.dtype === 'float32' && attrs.dataFormat !== 'NCHW') {
    const info = convInfo(x, filter, attrs);
    const out = simdConv2dEligible(info) ? simdConv2d(backend, x, filter, info) : null;
    if (out != null) return out;
  }
  return runKernel(backend, 'Conv2D', args.inputs, attrs as unknown as tf.NamedAttrMap, { stock: true });
}

/** The Conv2DInfo of a channels-last convolution's attributes. */
function convInfo(x: TensorInfo, filter: TensorInfo, attrs: Conv2DAttrs): Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
}

interface FusedConv2DAttrs extends Conv2DAttrs {
  activation: string;
}

/**
 * `FusedConv2D` (convolution + bias + activation, what converted graph models such as BlazePose, MoveNet
 * and the COCO detector run) by the SIMD kernel with its epilogue, for bias per output channel and linear,
 * relu or relu6; the stock kernel otherwise (PReLU, leaky relu, other activations, NCHW).
 */
function fusedConv2D(args: WasmKernelArgs<FusedConv2DAttrs>): TensorInfo {
  const { backend, attrs } = args;
  const { x, filter, bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo | undefined>;
  const activation = attrs.activation as FusedActivation;
  if (
    x != null && filter != null && x.dtype === 'float32' && filter.dtype === 'float32' && attrs.dataFormat !== 'NCHW' &&
    preluActivationWeights == null && activation in FUSED_ACTIVATIONS &&
    (bias == null || (bias.dtype === 'float32' && tf.util.sizeFromShape(bias.shape) === filter.shape[3]))
  ) {
    const info = convInfo(x, filter, attrs);
    const out = simdConv2dEligible(info) ? simdConv2d(backend, x, filter, info, { bias: bias ?? null, activation }) : null;
    if (out != null) return out;
  }
  return runKernel(backend, 'FusedConv2D', args.inputs, attrs as unknown as tf.NamedAttrMap, { stock: true });
}

/** Kernel config for `tf.registerKernel`; `setupFunc` is the stock kernel's, filled in at install. */
export const fusedConv2DConfig: tf.KernelConfig = {
  kernelName: 'FusedConv2D',
  backendName: 'wasm',
  kernelFunc: fusedConv2D as unknown as tf.KernelFunc,
};

/** Kernel config for `tf.registerKernel`; `setupFunc` is the stock kernel's, filled in at install. */
export const conv2DConfig: tf.KernelConfig = {
  kernelName: 'Conv2D',
  backendName: 'wasm',
  kernelFunc: conv2D as unknown as tf.KernelFunc,
};
