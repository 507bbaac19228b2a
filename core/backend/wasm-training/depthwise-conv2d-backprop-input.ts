/**
 * `DepthwiseConv2dNativeBackpropInput` for the wasm backend (missing in tfjs-backend-wasm 4.22):
 * dx[pixel, c] = sum over the output pixels and taps that read it of sum_m dy[out, c*M + m] * W[tap, c, m].
 * A direct loop on the wasm heap, exact for every stride, padding, dilation and channel multiplier.
 */
import { tf } from '../tf';
import { channelAffine } from './channel-broadcast';
import { forEachDepthwiseTap, isPerChannelScale } from './depthwise-taps';
import { convInfoForDy, heapF32, pair, WasmKernelArgs, zerosOutput, type TensorInfo } from './wasm-kernel-utils';

interface Attrs {
  strides: number | [number, number];
  dilations: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape: [number, number, number, number];
}

function depthwiseConv2dNativeBackpropInput(args: WasmKernelArgs<Attrs>): TensorInfo {
  const { backend, attrs } = args;
  const dy = args.inputs.dy as TensorInfo;
  const filter = args.inputs.filter as TensorInfo;
  const info = convInfoForDy(
    attrs.inputShape,
    filter.shape as [number, number, number, number],
    attrs.strides,
    pair(attrs.dilations),
    attrs.pad,
    attrs.dimRoundingMode,
    true,
    dy.shape,
  );
  if (dy.shape.join(',') !== info.outShape.join(',')) {
    throw new Error(`DepthwiseConv2dNativeBackpropInput: dy [${dy.shape}] should be [${info.outShape}]`);
  }
  const channels = info.inChannels;
  const mult = info.outChannels / channels;
  if (isPerChannelScale(info)) {
    // A 1x1, stride-1, unpadded depthwise conv scales each channel: its input gradient too.
    return channelAffine(backend, dy, heapF32(backend, filter).slice(), null);
  }
  const out = zerosOutput(backend, attrs.inputShape);
  const w = heapF32(backend, filter);
  const g = heapF32(backend, dy);
  const dx = heapF32(backend, out);
  forEachDepthwiseTap(info, (xo, go, wo) => {
    for (let c = 0; c < channels; c++) {
      const k = c * mult;
      let sum = 0;
      for (let m = 0; m < mult; m++) sum += g[go + k + m] * w[wo + k + m];
      dx[xo + c] += sum;
    }
  });
  return out;
}

/** Kernel config for `tf.registerKernel`. */
export const depthwiseConv2dNativeBackpropInputConfig: tf.KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropInput',
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropInput as unknown as tf.KernelFunc,
};
