/**
 * `Identity` for the wasm backend that shares the input's memory (reference counted) instead of
 * copying it, as the cpu and webgl backends do and as wasm's own Reshape already does. The engine
 * clones every tensor a gradient saves through Identity, so on wasm each training step copied every
 * saved activation once more. Sharing is safe because wasm kernels never write into their inputs.
 */
import { tf } from '../tf';
import { runKernel, WasmKernelArgs, type TensorInfo } from './wasm-kernel-utils';

function identity(args: WasmKernelArgs): TensorInfo {
  const { backend } = args;
  const x = args.inputs.x as TensorInfo;
  if (x.dtype === 'string') return runKernel(backend, 'Identity', { x }, {}, { stock: true });
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape.slice(), dtype: x.dtype };
}

/** Kernel config for `tf.registerKernel`. */
export const identityConfig: tf.KernelConfig = {
  kernelName: 'Identity',
  backendName: 'wasm',
  kernelFunc: identity as unknown as tf.KernelFunc,
};
