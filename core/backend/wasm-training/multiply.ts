/**
 * `Multiply` for the wasm backend: a [..., C] tensor times a per-channel [C] vector runs as a
 * depthwise 1x1 convolution (see channel-broadcast.ts); everything else goes to the stock kernel.
 */
import { tf } from '../tf';
import { channelAffine, channelBroadcast, vectorValues } from './channel-broadcast';
import { runKernel, WasmKernelArgs, type TensorInfo } from './wasm-kernel-utils';

function multiply(args: WasmKernelArgs): TensorInfo {
  const { backend } = args;
  const a = args.inputs.a as TensorInfo;
  const b = args.inputs.b as TensorInfo;
  const pattern = channelBroadcast(a, b);
  if (pattern == null) return runKernel(backend, 'Multiply', { a, b }, {}, { stock: true });
  return channelAffine(backend, pattern.big, vectorValues(backend, pattern.vector), null);
}

/** Kernel config for `tf.registerKernel`. */
export const multiplyConfig: tf.KernelConfig = {
  kernelName: 'Multiply',
  backendName: 'wasm',
  kernelFunc: multiply as unknown as tf.KernelFunc,
};
