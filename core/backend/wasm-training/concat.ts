/**
 * `Concat` for the wasm backend, replacing the stock kernel for numeric tensors: the U-Net's skip
 * connections concatenate along channels, where the stock kernel's per-run views were slow.
 */
import { tf } from '../tf';
import { copyRuns } from './copy-runs';
import { runKernel, WasmKernelArgs, type TensorInfo } from './wasm-kernel-utils';

type Heap = Float32Array | Int32Array | Uint8Array;

function concat(args: WasmKernelArgs<{ axis: number }>): TensorInfo {
  const { backend } = args;
  const inputs = args.inputs as unknown as TensorInfo[];
  const dtype = inputs[0].dtype;
  if (dtype === 'string' || dtype === 'complex64' || inputs.some((t) => t.dtype !== dtype)) {
    return runKernel(backend, 'Concat', args.inputs, args.attrs as unknown as tf.NamedAttrMap, { stock: true });
  }
  const axis = tf.util.parseAxisParam(args.attrs.axis, inputs[0].shape)[0];
  tf.backend_util.assertParamsConsistent(inputs.map((t) => t.shape), axis);
  const outShape = tf.backend_util.computeOutShape(inputs.map((t) => t.shape), axis);
  const nonEmpty = inputs.filter((t) => tf.util.sizeFromShape(t.shape) > 0);
  if (nonEmpty.length === 1) return runKernel(backend, 'Identity', { x: nonEmpty[0] });
  const out = backend.makeOutput(outShape, dtype);
  if (nonEmpty.length === 0) return out;
  const outer = tf.util.sizeFromShape(outShape.slice(0, axis));
  const outRun = tf.util.sizeFromShape(outShape.slice(axis));
  const dst = backend.typedArrayFromHeap(out) as Heap;
  let offset = 0;
  for (const t of nonEmpty) {
    const run = tf.util.sizeFromShape(t.shape.slice(axis));
    copyRuns(dst, offset, outRun, backend.typedArrayFromHeap(t) as Heap, 0, run, run, outer);
    offset += run;
  }
  return out;
}

/** Kernel config for `tf.registerKernel`. */
export const concatConfig: tf.KernelConfig = {
  kernelName: 'Concat',
  backendName: 'wasm',
  kernelFunc: concat as unknown as tf.KernelFunc,
};
