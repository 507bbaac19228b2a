/**
 * `Conv2DBackpropFilter` for the wasm backend (tfjs-backend-wasm 4.22 has none: tfjs issue 8474).
 *
 * The filter gradient of a convolution is itself a convolution:
 *   dW[kh, kw, ci, co] = sum_{b, oh, ow} xPad[b, oh*s + kh*d, ow*s + kw*d, ci] * dy[b, oh, ow, co].
 * Reading the batch as channels and the channels as the batch, i.e. X' = x^T [ci, H, W, b] and
 * F' = dy^T [oh, ow, b, co], this is a forward convolution of X' with the "filter" F' at stride 1 and
 * dilation s, evaluated at rows kh*d. That single XNNPACK convolution is the general path. When its
 * indirection buffer would be too large (huge dy with a large filter and many channels), a
 * slice + matMul path (one matMul per filter tap) computes the same sum.
 *
 * The fast path, for inChannels % 4 == 0 and outChannels % 8 == 0 (every layer of the networks here
 * but the first and the last), is the hand-written SIMD kernel `simd/filter-grad.wat`: it computes the
 * sum in place on the heap without transposes, an indirection buffer or XNNPACK's per-call packing of
 * the huge "filter" dy (about twice as fast as the XNNPACK convolution on the U-Net's layers).
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '../tf';
import { winogradFilterGradEligible, winogradFilterGradient } from './conv2d-winograd';
import { convGeometry, simdKernel } from './simd-kernels';
import {
  convInfoForDy,
  free,
  heapF32,
  heapOffset,
  runKernel,
  transpose,
  view,
  WasmKernelArgs,
  type Conv2DInfo,
  type TensorInfo,
} from './wasm-kernel-utils';

/** The exports of `simd/filter-grad.wasm` (see the .wat for the contract). */
interface FilterGradExports {
  /** `geometry` as {@link convGeometry} orders it, then the rows per cache chunk. */
  filter_grad(x: number, dy: number, out: number, ...geometryThenChunkRows: number[]): void;
}

/**
 * Which algorithm computes the filter gradient; `auto` picks the fastest that fits: Winograd's for 3x3 stride-1
 * convolutions (`conv2d-winograd`), the SIMD kernel, else the XNNPACK convolution or per-tap matMuls.
 */
export type FilterGradientPath = 'auto' | 'simd' | 'conv' | 'matmul';

/**
 * Above this many XNNPACK indirection pointers (output pixels x kernel taps of the transposed
 * convolution) the one-convolution path would allocate hundreds of MB on the wasm heap.
 */
const MAX_INDIRECTION_ENTRIES = 1 << 25;

interface BackpropFilterAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

/**
 * The padded extent each spatial axis needs so that every tap of every output position lies inside it:
 * top/left as the forward convolution padded, bottom/right at least as far as the last tap reaches.
 */
function paddedExtent(info: Conv2DInfo): { top: number; bottom: number; left: number; right: number } {
  const { top, left } = info.padInfo;
  const needH = (info.outHeight - 1) * info.strideHeight + (info.filterHeight - 1) * info.dilationHeight + 1;
  const needW = (info.outWidth - 1) * info.strideWidth + (info.filterWidth - 1) * info.dilationWidth + 1;
  return {
    top,
    left,
    bottom: Math.max(0, needH - info.inHeight - top),
    right: Math.max(0, needW - info.inWidth - left),
  };
}

/** Positions (output pixels) per chunk of the SIMD kernel: a chunk's x and dy rows stay in cache. */
function chunkRows(info: Conv2DInfo): number {
  const positions = Math.min(1024, Math.max(32, Math.floor(8192 / (info.inChannels + info.outChannels))));
  return Math.max(1, Math.round(positions / info.outWidth));
}

/** Whether the SIMD kernel takes these channel counts. */
function simdEligible(info: Conv2DInfo): boolean {
  return info.inChannels % 4 === 0 && info.outChannels % 8 === 0;
}

function viaSimd(backend: BackendWasm, kernel: FilterGradExports, x: TensorInfo, dy: TensorInfo, info: Conv2DInfo): TensorInfo {
  const out = backend.makeOutput([info.filterHeight, info.filterWidth, info.inChannels, info.outChannels], 'float32');
  kernel.filter_grad(
    heapOffset(backend, x), heapOffset(backend, dy), heapOffset(backend, out),
    ...convGeometry(info), chunkRows(info),
  );
  return out;
}

function viaConvolution(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, info: Conv2DInfo): TensorInfo {
  const { filterHeight: kh, filterWidth: kw, dilationHeight: dh, dilationWidth: dw } = info;
  const p = paddedExtent(info);
  const xT = transpose(backend, x, [3, 1, 2, 0]); // [ci, H, W, b]
  const dyT = transpose(backend, dy, [1, 2, 0, 3]); // [oh, ow, b, co]
  const full = runKernel(
    backend,
    'Conv2D',
    { x: xT, filter: dyT },
    {
      strides: [1, 1],
      dilations: [info.strideHeight, info.strideWidth],
      pad: [[0, 0], [p.top, p.bottom], [p.left, p.right], [0, 0]],
      dataFormat: 'NHWC',
    },
  ); // [ci, >= (kh-1)*dh+1, >= (kw-1)*dw+1, co]
  free(backend, xT, dyT);
  const taps = runKernel(
    backend,
    'StridedSlice',
    { x: full },
    {
      begin: [0, 0, 0, 0],
      end: [info.inChannels, (kh - 1) * dh + 1, (kw - 1) * dw + 1, info.outChannels],
      strides: [1, dh, dw, 1],
      beginMask: 0,
      endMask: 0,
      ellipsisMask: 0,
      newAxisMask: 0,
      shrinkAxisMask: 0,
    },
  ); // [ci, kh, kw, co]
  free(backend, full);
  const out = transpose(backend, taps, [1, 2, 0, 3]);
  free(backend, taps);
  return out;
}

function viaMatMul(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, info: Conv2DInfo): TensorInfo {
  const { batchSize: b, outHeight: oh, outWidth: ow, inChannels: ci, outChannels: co } = info;
  const { filterHeight: kh, filterWidth: kw, dilationHeight: dh, dilationWidth: dw } = info;
  const p = paddedExtent(info);
  const xPad = runKernel(
    backend,
    'PadV2',
    { x },
    { paddings: [[0, 0], [p.top, p.bottom], [p.left, p.right], [0, 0]], constantValue: 0 },
  );
  const n = b * oh * ow;
  const dyT = transpose(backend, view(dy, [n, co]), [1, 0]); // [co, n]
  const out = backend.makeOutput([kh, kw, ci, co], 'float32');
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const patch = runKernel(
        backend,
        'StridedSlice',
        { x: xPad },
        {
          begin: [0, i * dh, j * dw, 0],
          end: [b, i * dh + (oh - 1) * info.strideHeight + 1, j * dw + (ow - 1) * info.strideWidth + 1, ci],
          strides: [1, info.strideHeight, info.strideWidth, 1],
          beginMask: 0,
          endMask: 0,
          ellipsisMask: 0,
          newAxisMask: 0,
          shrinkAxisMask: 0,
        },
      ); // [b, oh, ow, ci]
      const prod = runKernel(
        backend,
        'BatchMatMul',
        { a: view(dyT, [1, co, n]), b: view(patch, [1, n, ci]) },
        { transposeA: false, transposeB: false },
        { stock: true },
      ); // [1, co, ci]
      free(backend, patch);
      // The tap's [co, ci] block, transposed into the output's [ci, co] layout.
      const src = heapF32(backend, prod);
      const dst = heapF32(backend, out);
      const base = (i * kw + j) * ci * co;
      for (let c = 0; c < ci; c++) {
        for (let o = 0; o < co; o++) dst[base + c * co + o] = src[o * ci + c];
      }
      free(backend, prod);
    }
  }
  free(backend, xPad, dyT);
  return out;
}

/**
 * The filter gradient of a channels-last 2D convolution described by `info`.
 * @param x input, float32 [batch, inHeight, inWidth, inChannels]
 * @param dy output gradient, float32 [batch, outHeight, outWidth, outChannels]
 * @returns a new float32 tensor [filterHeight, filterWidth, inChannels, outChannels] the caller owns
 */
export function conv2dFilterGradient(
  backend: BackendWasm,
  x: TensorInfo,
  dy: TensorInfo,
  info: Conv2DInfo,
  path: FilterGradientPath = 'auto',
): TensorInfo {
  const expected = [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
  if (dy.shape.join(',') !== expected.join(',')) {
    throw new Error(`Conv2DBackpropFilter: dy has shape [${dy.shape}] but the convolution outputs [${expected}]`);
  }
  if (path === 'auto' && winogradFilterGradEligible(info)) {
    const out = winogradFilterGradient(backend, x, dy, info);
    if (out != null) return out;
  }
  let chosen = path;
  const kernel = chosen === 'auto' || chosen === 'simd' ? simdKernel<FilterGradExports>(backend, 'filter-grad') : null;
  if (chosen === 'simd' && (kernel == null || !simdEligible(info))) {
    throw new Error(
      `Conv2DBackpropFilter: the SIMD path needs inChannels % 4 == 0 and outChannels % 8 == 0 and a ` +
        `non-shared wasm heap; got ${info.inChannels} -> ${info.outChannels} channels` +
        (kernel == null ? ' and a heap the kernel cannot import' : ''),
    );
  }
  if (chosen === 'auto' && kernel != null && simdEligible(info)) chosen = 'simd';
  if (chosen === 'auto') {
    const outPixels = info.inChannels * ((info.filterHeight - 1) * info.dilationHeight + 1) *
      ((info.filterWidth - 1) * info.dilationWidth + 1);
    const taps = info.outHeight * info.outWidth;
    chosen = outPixels * taps > MAX_INDIRECTION_ENTRIES ? 'matmul' : 'conv';
  }
  if (chosen === 'simd') return viaSimd(backend, kernel!, x, dy, info);
  return chosen === 'conv' ? viaConvolution(backend, x, dy, info) : viaMatMul(backend, x, dy, info);
}

function conv2DBackpropFilter(args: WasmKernelArgs<BackpropFilterAttrs>): TensorInfo {
  const { backend, attrs } = args;
  const x = args.inputs.x as TensorInfo;
  const dy = args.inputs.dy as TensorInfo;
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') {
    throw new Error(`Conv2DBackpropFilter on wasm supports float32 only, got x ${x.dtype}, dy ${dy.dtype}`);
  }
  const nchw = attrs.dataFormat === 'NCHW';
  // Channels-first data is transposed to channels-last once; the filter layout is the same for both.
  const xs = nchw ? transpose(backend, x, [0, 2, 3, 1]) : x;
  const dys = nchw ? transpose(backend, dy, [0, 2, 3, 1]) : dy;
  try {
    const info = convInfoForDy(
      xs.shape as [number, number, number, number],
      attrs.filterShape,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
      false,
      dys.shape,
    );
    return conv2dFilterGradient(backend, xs, dys, info);
  } finally {
    if (nchw) free(backend, xs, dys);
  }
}

/** Kernel config for `tf.registerKernel`. */
export const conv2DBackpropFilterConfig: tf.KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as tf.KernelFunc,
};
