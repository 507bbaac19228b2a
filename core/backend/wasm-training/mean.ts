/**
 * `Mean` for the wasm backend: means over leading axes (batch statistics in batch norm) run as one
 * XNNPACK product with a constant 1/N row; every other reduction goes to the stock kernel.
 */
import { tf } from '../tf';
import { leadingReductionDepth, reduceLeadingAxes } from './leading-axes-reduction';
import { runKernel, WasmKernelArgs, type TensorInfo } from './wasm-kernel-utils';

function mean(args: WasmKernelArgs<{ axis: number | number[]; keepDims: boolean }>): TensorInfo {
  const { backend, attrs } = args;
  const x = args.inputs.x as TensorInfo;
  const depth = leadingReductionDepth(x, attrs.axis);
  if (depth === 0) return runKernel(backend, 'Mean', { x }, attrs as unknown as tf.NamedAttrMap, { stock: true });
  const count = tf.util.sizeFromShape(x.shape.slice(0, depth));
  return reduceLeadingAxes(backend, x, depth, 1 / count, attrs.keepDims);
}

/** Kernel config for `tf.registerKernel`. */
export const meanConfig: tf.KernelConfig = {
  kernelName: 'Mean',
  backendName: 'wasm',
  kernelFunc: mean as unknown as tf.KernelFunc,
};
