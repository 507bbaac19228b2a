/**
 * `SplitV` for the wasm backend, replacing the stock kernel for numeric tensors. It is the gradient
 * of concat, so it runs on every skip connection of a U-Net; the stock kernel slices each piece
 * with one heap view per run (27 ms to split a [16,128,64,32] tensor along channels).
 */
import { tf } from '../tf';
import { copyRuns } from './copy-runs';
import { runKernel, WasmKernelArgs, type TensorInfo } from './wasm-kernel-utils';

type Heap = Float32Array | Int32Array | Uint8Array;

function splitV(args: WasmKernelArgs<{ numOrSizeSplits: number | number[]; axis: number }>): TensorInfo[] {
  const { backend, attrs } = args;
  const x = args.inputs.x as TensorInfo;
  if (x.dtype === 'string' || x.dtype === 'complex64') {
    const pieces = runKernel(backend, 'SplitV', { x }, attrs as unknown as tf.NamedAttrMap, { stock: true });
    return pieces as unknown as TensorInfo[];
  }
  const axis = tf.util.parseAxisParam(attrs.axis, x.shape)[0];
  const sizes = tf.backend_util.prepareSplitSize(x as unknown as tf.Tensor, attrs.numOrSizeSplits, axis) as number[];
  const outer = tf.util.sizeFromShape(x.shape.slice(0, axis));
  const inner = tf.util.sizeFromShape(x.shape.slice(axis + 1));
  const inRun = x.shape[axis] * inner;
  const outs = sizes.map((s) => {
    const shape = x.shape.slice();
    shape[axis] = s;
    return backend.makeOutput(shape, x.dtype);
  });
  // Views are taken after all allocations: an allocation may grow (and detach) the heap.
  const src = backend.typedArrayFromHeap(x) as Heap;
  let offset = 0;
  outs.forEach((out, i) => {
    const run = sizes[i] * inner;
    if (run > 0) copyRuns(backend.typedArrayFromHeap(out) as Heap, 0, run, src, offset, inRun, run, outer);
    offset += run;
  });
  return outs;
}

/** Kernel config for `tf.registerKernel`. */
export const splitVConfig: tf.KernelConfig = {
  kernelName: 'SplitV',
  backendName: 'wasm',
  kernelFunc: splitV as unknown as tf.KernelFunc,
};
