/**
 * `Conv2DBackpropInput` for the wasm backend: the input gradient as one XNNPACK forward convolution.
 *
 * dx[i] = sum_{o, k : o*s + k*d - pad = i} dy[o] * W[k] is a correlation of dy, zero-upsampled by the
 * stride s, with the filter flipped spatially and its in/out channels swapped. At stride 1 with
 * non-negative implied padding this is a forward convolution of dy itself (XNNPACK pads implicitly);
 * otherwise dy is first scattered into a zero buffer that already holds the stride's zeros and the
 * padding, then convolved with 'valid' padding. That wastes the stride's zeros (4x the work at
 * stride 2), so strided, undilated gradients are split into stride-phases instead: each phase is a
 * stride-1 convolution of dy with its share of the filter taps. The stock kernel is a scalar loop
 * about 13x slower than the stride-1 path. Gradients into fewer than 8 channels (an RGB stem) have a
 * kernel of their own (`conv2d-narrow-input-grad`).
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '../tf';
import { narrowInputGradEligible, narrowInputGradient } from './conv2d-narrow-input-grad';
import { copyRuns } from './copy-runs';
import {
  convInfoForDy,
  free,
  heapF32,
  runKernel,
  transpose,
  WasmKernelArgs,
  zerosOutput,
  type Conv2DInfo,
  type TensorInfo,
} from './wasm-kernel-utils';

interface BackpropInputAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape: [number, number, number, number];
}

/**
 * W[kh, kw, ci, co] -> W'[kh, kw, co, ci] with W'[a, b] = W[kh-1-a, kw-1-b], as a new tensor: the
 * channel swap by the Transpose kernel, then the taps copied in reverse order (a JS element loop took
 * 4 ms per U-Net training step).
 */
function flipAndSwap(backend: BackendWasm, filter: TensorInfo): TensorInfo {
  const [kh, kw, ci, co] = filter.shape;
  const swapped = transpose(backend, filter, [0, 1, 3, 2]);
  const out = backend.makeOutput([kh, kw, co, ci], 'float32');
  const src = heapF32(backend, swapped);
  const dst = heapF32(backend, out);
  const taps = kh * kw;
  const block = ci * co;
  for (let t = 0; t < taps; t++) dst.set(src.subarray((taps - 1 - t) * block, (taps - t) * block), t * block);
  free(backend, swapped);
  return out;
}

/**
 * dy [b, oh, ow, co] placed at rows o*sh + top, columns o*sw + left of a zero [b, rows, cols, co]
 * buffer; positions outside the buffer are dropped (they only ever meet padding).
 */
function scatterIntoZeros(
  backend: BackendWasm,
  dy: TensorInfo,
  rows: number,
  cols: number,
  [sh, sw]: [number, number],
  top: number,
  left: number,
): TensorInfo {
  const [b, oh, ow, co] = dy.shape;
  const out = zerosOutput(backend, [b, rows, cols, co]);
  const src = heapF32(backend, dy);
  const dst = heapF32(backend, out);
  for (let n = 0; n < b; n++) {
    for (let i = 0; i < oh; i++) {
      const r = i * sh + top;
      if (r < 0 || r >= rows) continue;
      for (let j = 0; j < ow; j++) {
        const c = j * sw + left;
        if (c < 0 || c >= cols) continue;
        const s0 = ((n * oh + i) * ow + j) * co;
        dst.set(src.subarray(s0, s0 + co), ((n * rows + r) * cols + c) * co);
      }
    }
  }
  return out;
}

/**
 * One phase of a strided input gradient along one axis: the input rows i with (i + pad) % s == r
 * receive taps k = r, r + s, ... of the filter, read from dy at o = m - j. As a stride-1 correlation
 * of dy with that sub-filter (flipped), it yields `count` rows, the first being i = s*first + r - pad.
 */
interface AxisPhase {
  r: number;
  taps: number;
  first: number;
  count: number;
  padBefore: number;
  padAfter: number;
}

/** The s phases of one axis, or null when one of them would need negative padding (rare explicit pads). */
function axisPhases(inSize: number, outSize: number, k: number, s: number, pad: number): AxisPhase[] | null {
  const phases: AxisPhase[] = [];
  for (let r = 0; r < s; r++) {
    const taps = r < k ? Math.ceil((k - r) / s) : 0;
    const first = Math.max(0, Math.ceil((pad - r) / s));
    const last = Math.floor((inSize - 1 + pad - r) / s);
    const count = Math.max(0, last - first + 1);
    const padBefore = taps - 1 - first;
    const padAfter = count + taps - 1 - outSize - padBefore;
    if (taps > 0 && count > 0 && (padBefore < 0 || padAfter < 0)) return null;
    phases.push({ r, taps, first, count, padBefore, padAfter });
  }
  return phases;
}

/** Taps (rh + sh*a, rw + sw*b) of W[kh, kw, ci, co], flipped and in/out-swapped: [th, tw, co, ci]. */
function phaseFilter(
  backend: BackendWasm,
  filter: TensorInfo,
  ph: AxisPhase,
  pw: AxisPhase,
  sh: number,
  sw: number,
): TensorInfo {
  const [, kw, ci, co] = filter.shape;
  const out = backend.makeOutput([ph.taps, pw.taps, co, ci], 'float32');
  const src = heapF32(backend, filter);
  const dst = heapF32(backend, out);
  for (let a = 0; a < ph.taps; a++) {
    const y = ph.r + sh * (ph.taps - 1 - a);
    for (let b = 0; b < pw.taps; b++) {
      const x = pw.r + sw * (pw.taps - 1 - b);
      const s0 = (y * kw + x) * ci * co;
      const d0 = (a * pw.taps + b) * co * ci;
      for (let c = 0; c < ci; c++) {
        for (let o = 0; o < co; o++) dst[d0 + o * ci + c] = src[s0 + c * co + o];
      }
    }
  }
  return out;
}

/**
 * Strided input gradient without the stride's zeros: one stride-1 convolution of dy per phase
 * (s_h * s_w of them, each with its share of the filter taps), interleaved into dx. Null when a
 * phase would need negative padding; the caller then uses the zero-upsampling path.
 */
function viaPhases(backend: BackendWasm, dy: TensorInfo, filter: TensorInfo, info: Conv2DInfo): TensorInfo | null {
  const { strideHeight: sh, strideWidth: sw } = info;
  const rows = axisPhases(info.inHeight, info.outHeight, info.filterHeight, sh, info.padInfo.top);
  const cols = axisPhases(info.inWidth, info.outWidth, info.filterWidth, sw, info.padInfo.left);
  if (rows == null || cols == null) return null;
  const { batchSize: b, inHeight: h, inWidth: w, inChannels: ci } = info;
  const dx = zerosOutput(backend, [b, h, w, ci]);
  for (const ph of rows) {
    for (const pw of cols) {
      if (ph.taps === 0 || pw.taps === 0 || ph.count === 0 || pw.count === 0) continue;
      const sub = phaseFilter(backend, filter, ph, pw, sh, sw);
      const part = runKernel(backend, 'Conv2D', { x: dy, filter: sub }, {
        strides: [1, 1],
        dilations: [1, 1],
        pad: [[0, 0], [ph.padBefore, ph.padAfter], [pw.padBefore, pw.padAfter], [0, 0]],
        dataFormat: 'NHWC',
      }); // [b, ph.count, pw.count, ci]
      free(backend, sub);
      const src = heapF32(backend, part);
      const dst = heapF32(backend, dx);
      for (let n = 0; n < b; n++) {
        for (let m = 0; m < ph.count; m++) {
          const i = sh * (ph.first + m) + ph.r - info.padInfo.top;
          // The row's pixels land sw pixels apart in dx: one strided run copy.
          const j = sw * pw.first + pw.r - info.padInfo.left;
          const s0 = (n * ph.count + m) * pw.count * ci;
          copyRuns(dst, ((n * h + i) * w + j) * ci, sw * ci, src, s0, ci, ci, pw.count);
        }
      }
      free(backend, part);
    }
  }
  return dx;
}

/**
 * The input gradient of a channels-last 2D convolution described by `info`.
 * @param dy float32 [batch, outHeight, outWidth, outChannels]
 * @param filter float32 [filterHeight, filterWidth, inChannels, outChannels]
 * @returns a new float32 tensor [batch, inHeight, inWidth, inChannels] the caller owns
 */
export function conv2dInputGradient(
  backend: BackendWasm,
  dy: TensorInfo,
  filter: TensorInfo,
  info: Conv2DInfo,
): TensorInfo {
  const expected = [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
  if (dy.shape.join(',') !== expected.join(',')) {
    throw new Error(`Conv2DBackpropInput: dy has shape [${dy.shape}] but the convolution outputs [${expected}]`);
  }
  if (narrowInputGradEligible(info)) {
    const narrow = narrowInputGradient(backend, dy, filter, info);
    if (narrow != null) return narrow;
  }
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const spanH = (info.filterHeight - 1) * dh;
  const spanW = (info.filterWidth - 1) * dw;
  // Padding of the (upsampled) dy that makes a valid correlation produce exactly inHeight x inWidth.
  const top = spanH - info.padInfo.top;
  const left = spanW - info.padInfo.left;
  const bottom = info.inHeight - ((info.outHeight - 1) * sh + 1) + info.padInfo.top;
  const right = info.inWidth - ((info.outWidth - 1) * sw + 1) + info.padInfo.left;
  if ((sh > 1 || sw > 1) && dh === 1 && dw === 1) {
    const phased = viaPhases(backend, dy, filter, info);
    if (phased != null) return phased;
  }
  const flipped = flipAndSwap(backend, filter);
  const convAttrs = { strides: [1, 1], dilations: [dh, dw], dataFormat: 'NHWC' };
  let out: TensorInfo;
  if (sh === 1 && sw === 1 && Math.min(top, left, bottom, right) >= 0) {
    out = runKernel(backend, 'Conv2D', { x: dy, filter: flipped }, {
      ...convAttrs,
      pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
    });
  } else {
    const prepared = scatterIntoZeros(backend, dy, info.inHeight + spanH, info.inWidth + spanW, [sh, sw], top, left);
    out = runKernel(backend, 'Conv2D', { x: prepared, filter: flipped }, { ...convAttrs, pad: 'valid' });
    free(backend, prepared);
  }
  free(backend, flipped);
  return out;
}

function conv2DBackpropInput(args: WasmKernelArgs<BackpropInputAttrs>): TensorInfo {
  const { backend, attrs } = args;
  const dy = args.inputs.dy as TensorInfo;
  const filter = args.inputs.filter as TensorInfo;
  if (dy.dtype !== 'float32' || filter.dtype !== 'float32') {
    throw new Error(`Conv2DBackpropInput on wasm supports float32 only, got dy ${dy.dtype}, filter ${filter.dtype}`);
  }
  const nchw = attrs.dataFormat === 'NCHW';
  const [n, d1, d2, d3] = attrs.inputShape;
  const inShape: [number, number, number, number] = nchw ? [n, d2, d3, d1] : [n, d1, d2, d3];
  const info = convInfoForDy(
    inShape,
    filter.shape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    nchw ? [dy.shape[0], dy.shape[2], dy.shape[3], dy.shape[1]] : dy.shape,
  );
  if (!nchw) return conv2dInputGradient(backend, dy, filter, info);
  const dyLast = transpose(backend, dy, [0, 2, 3, 1]);
  const dxLast = conv2dInputGradient(backend, dyLast, filter, info);
  const dx = transpose(backend, dxLast, [0, 3, 1, 2]);
  free(backend, dyLast, dxLast);
  return dx;
}

/** Kernel config for `tf.registerKernel`. */
export const conv2DBackpropInputConfig: tf.KernelConfig = {
  kernelName: 'Conv2DBackpropInput',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput as unknown as tf.KernelFunc,
};
