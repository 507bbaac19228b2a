/**
 * `Add` for the wasm backend: a [..., C] tensor plus a per-channel [C] vector (biases, batch-norm
 * shift) runs as a depthwise 1x1 convolution with unit filter and the vector as bias (see
 * channel-broadcast.ts); everything else goes to the stock kernel.
 */
import { tf } from '../tf';
import { channelAffine, channelBroadcast, vectorValues } from './channel-broadcast';
import { runKernel, WasmKernelArgs, type TensorInfo } from './wasm-kernel-utils';

function add(args: WasmKernelArgs): TensorInfo {
  const { backend } = args;
  const a = args.inputs.a as TensorInfo;
  const b = args.inputs.b as TensorInfo;
  const pattern = channelBroadcast(a, b);
  if (pattern == null) return runKernel(backend, 'Add', { a, b }, {}, { stock: true });
  const shift = vectorValues(backend, pattern.vector);
  return channelAffine(backend, pattern.big, new Float32Array(shift.length).fill(1), shift);
}

/** Kernel config for `tf.registerKernel`. */
export const addConfig: tf.KernelConfig = {
  kernelName: 'Add',
  backendName: 'wasm',
  kernelFunc: add as unknown as tf.KernelFunc,
};
