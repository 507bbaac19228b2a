/**
 * `Sum` for the wasm backend: reductions over a contiguous run of axes before the last (batch norm's
 * per-channel sums) run as one XNNPACK pooling instead of a full transpose;
 * every other reduction goes to the stock kernel.
 */
import { tf } from '../tf';
import { pooledReduce, pooledRun } from './pooled-reduction';
import { runKernel, WasmKernelArgs, type TensorInfo } from './wasm-kernel-utils';

function sum(args: WasmKernelArgs<{ axis: number | number[]; keepDims: boolean }>): TensorInfo {
  const { backend, attrs } = args;
  const x = args.inputs.x as TensorInfo;
  const run = pooledRun(x, attrs.axis);
  if (run == null) return runKernel(backend, 'Sum', { x }, attrs as unknown as tf.NamedAttrMap, { stock: true });
  return pooledReduce(backend, x, run, 1, attrs.keepDims);
}

/** Kernel config for `tf.registerKernel`. */
export const sumConfig: tf.KernelConfig = {
  kernelName: 'Sum',
  backendName: 'wasm',
  kernelFunc: sum as unknown as tf.KernelFunc,
};
