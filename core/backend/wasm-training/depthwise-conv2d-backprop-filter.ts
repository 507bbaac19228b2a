/**
 * `DepthwiseConv2dNativeBackpropFilter` for the wasm backend (missing in tfjs-backend-wasm 4.22):
 * dW[ky, kx, c, m] = sum over batch and output pixels of x[tap pixel, c] * dy[pixel, c*M + m].
 * A direct loop on the wasm heap: depthwise layers are cheap, and this keeps every stride, padding,
 * dilation and channel multiplier exact.
 */
import { tf } from '../tf';
import { forEachDepthwiseTap, isPerChannelScale } from './depthwise-taps';
import { pooledReduce } from './pooled-reduction';
import {
  convInfoForDy,
  free,
  heapF32,
  pair,
  runKernel,
  WasmKernelArgs,
  zerosOutput,
  type TensorInfo,
} from './wasm-kernel-utils';

interface Attrs {
  strides: number | [number, number];
  dilations: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

function depthwiseConv2dNativeBackpropFilter(args: WasmKernelArgs<Attrs>): TensorInfo {
  const { backend, attrs } = args;
  const x = args.inputs.x as TensorInfo;
  const dy = args.inputs.dy as TensorInfo;
  const info = convInfoForDy(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    pair(attrs.dilations),
    attrs.pad,
    attrs.dimRoundingMode,
    true,
    dy.shape,
  );
  if (dy.shape.join(',') !== info.outShape.join(',')) {
    throw new Error(`DepthwiseConv2dNativeBackpropFilter: dy [${dy.shape}] should be [${info.outShape}]`);
  }
  const channels = info.inChannels;
  const mult = info.outChannels / channels;
  if (isPerChannelScale(info)) {
    // A per-channel scale's gradient is the per-channel sum of x * dy.
    const prod = runKernel(backend, 'Multiply', { a: x, b: dy });
    const run = { first: 0, last: x.shape.length - 2 };
    const sum = pooledReduce(backend, prod, run, 1, false);
    free(backend, prod);
    sum.shape = attrs.filterShape.slice();
    return sum;
  }
  const out = zerosOutput(backend, attrs.filterShape);
  const xs = heapF32(backend, x);
  const g = heapF32(backend, dy);
  const dw = heapF32(backend, out);
  forEachDepthwiseTap(info, (xo, go, wo) => {
    for (let c = 0; c < channels; c++) {
      const v = xs[xo + c];
      const k = c * mult;
      for (let m = 0; m < mult; m++) dw[wo + k + m] += v * g[go + k + m];
    }
  });
  return out;
}

/** Kernel config for `tf.registerKernel`. */
export const depthwiseConv2dNativeBackpropFilterConfig: tf.KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropFilter',
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropFilter as unknown as tf.KernelFunc,
};
