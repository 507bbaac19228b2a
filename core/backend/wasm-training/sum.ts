/**
 * `Sum` for the wasm backend: reductions over leading axes (batch norm's per-channel sums) run as one
 * XNNPACK product instead of a full transpose; every other reduction goes to the stock kernel.
 */
import { tf } from '../tf';
import { leadingReductionDepth, reduceLeadingAxes } from './leading-axes-reduction';
import { runKernel, WasmKernelArgs, type TensorInfo } from './wasm-kernel-utils';

function sum(args: WasmKernelArgs<{ axis: number | number[]; keepDims: boolean }>): TensorInfo {
  const { backend, attrs } = args;
  const x = args.inputs.x as TensorInfo;
  const depth = leadingReductionDepth(x, attrs.axis);
  if (depth === 0) return runKernel(backend, 'Sum', { x }, attrs as unknown as tf.NamedAttrMap, { stock: true });
  return reduceLeadingAxes(backend, x, depth, 1, attrs.keepDims);
}

/** Kernel config for `tf.registerKernel`. */
export const sumConfig: tf.KernelConfig = {
  kernelName: 'Sum',
  backendName: 'wasm',
  kernelFunc: sum as unknown as tf.KernelFunc,
};
