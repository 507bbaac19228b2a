/**
 * `UnsortedSegmentSum` for the wasm backend (missing in tfjs-backend-wasm 4.22). It is the gradient of
 * `gather`, e.g. of a texture lookup. wasm's `ScatterNd` adds updates that share an index, which is
 * exactly a segment sum when the segment ids are used as one-dimensional scatter indices.
 */
import { tf } from '../tf';
import { runKernel, view, WasmKernelArgs, type TensorInfo } from './wasm-kernel-utils';

function unsortedSegmentSum(args: WasmKernelArgs<{ numSegments: number }>): TensorInfo {
  const { backend } = args;
  const x = args.inputs.x as TensorInfo;
  const segmentIds = args.inputs.segmentIds as TensorInfo;
  const { numSegments } = args.attrs;
  if (segmentIds.dtype !== 'int32') {
    throw new Error(`UnsortedSegmentSum: segmentIds must be int32, got ${segmentIds.dtype}`);
  }
  const idRank = segmentIds.shape.length;
  if (segmentIds.shape.join(',') !== x.shape.slice(0, idRank).join(',')) {
    throw new Error(
      `UnsortedSegmentSum: segmentIds shape [${segmentIds.shape}] must be a prefix of x shape [${x.shape}]`,
    );
  }
  const ids = backend.typedArrayFromHeap(segmentIds) as Int32Array;
  for (let i = 0; i < ids.length; i++) {
    // ScatterNd does not bounds-check: an id outside [0, numSegments) would write outside the output.
    if (!(ids[i] >= 0 && ids[i] < numSegments)) {
      throw new Error(`UnsortedSegmentSum: segment id ${ids[i]} at ${i} is outside [0, ${numSegments})`);
    }
  }
  const inner = x.shape.slice(idRank);
  const count = ids.length;
  return runKernel(
    backend,
    'ScatterNd',
    { indices: view(segmentIds, [count, 1]), updates: view(x, [count, ...inner]) },
    { shape: [numSegments, ...inner] },
  );
}

/** Kernel config for `tf.registerKernel`. */
export const unsortedSegmentSumConfig: tf.KernelConfig = {
  kernelName: 'UnsortedSegmentSum',
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSum as unknown as tf.KernelFunc,
};
