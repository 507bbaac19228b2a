/**
 * `Mean` for the wasm backend: means over a contiguous run of axes before the last (batch statistics,
 * global average pooling) run as one XNNPACK pooling instead of a full transpose;
 * every other reduction goes to the stock kernel.
 */
import { tf } from '../tf';
import { pooledReduce, pooledRun } from './pooled-reduction';
import { runKernel, WasmKernelArgs, type TensorInfo } from './wasm-kernel-utils';

function mean(args: WasmKernelArgs<{ axis: number | number[]; keepDims: boolean }>): TensorInfo {
  const { backend, attrs } = args;
  const x = args.inputs.x as TensorInfo;
  const run = pooledRun(x, attrs.axis);
  if (run == null) return runKernel(backend, 'Mean', { x }, attrs as unknown as tf.NamedAttrMap, { stock: true });
  const count = tf.util.sizeFromShape(x.shape.slice(run.first, run.last + 1));
  return pooledReduce(backend, x, run, 1 / count, attrs.keepDims);
}

/** Kernel config for `tf.registerKernel`. */
export const meanConfig: tf.KernelConfig = {
  kernelName: 'Mean',
  backendName: 'wasm',
  kernelFunc: mean as unknown as tf.KernelFunc,
};
