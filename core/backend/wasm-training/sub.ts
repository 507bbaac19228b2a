/**
 * `Sub` for the wasm backend: a [..., C] tensor minus a per-channel [C] vector (batch-norm
 * centring), or the reverse, runs as a depthwise 1x1 convolution with filter +-1 and the (negated)
 * vector as bias (see channel-broadcast.ts); everything else goes to the stock kernel.
 */
import { tf } from '../tf';
import { channelAffine, channelBroadcast, vectorValues } from './channel-broadcast';
import { runKernel, WasmKernelArgs, type TensorInfo } from './wasm-kernel-utils';

function sub(args: WasmKernelArgs): TensorInfo {
  const { backend } = args;
  const a = args.inputs.a as TensorInfo;
  const b = args.inputs.b as TensorInfo;
  const pattern = channelBroadcast(a, b);
  if (pattern == null) return runKernel(backend, 'Sub', { a, b }, {}, { stock: true });
  const v = vectorValues(backend, pattern.vector);
  const c = v.length;
  // x - v = x * 1 + (-v);  v - x = x * (-1) + v.
  if (pattern.vectorFirst) return channelAffine(backend, pattern.big, new Float32Array(c).fill(-1), v);
  return channelAffine(backend, pattern.big, new Float32Array(c).fill(1), v.map((t) => -t));
}

/** Kernel config for `tf.registerKernel`. */
export const subConfig: tf.KernelConfig = {
  kernelName: 'Sub',
  backendName: 'wasm',
  kernelFunc: sub as unknown as tf.KernelFunc,
};
