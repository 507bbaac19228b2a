/**
 * `ResizeNearestNeighborGrad` for the wasm backend. The stock wasm kernel is wrong with
 * halfPixelCenters = true when downscaling or at non-integer ratios, and the cpu kernel disagrees with
 * its own forward for batch > 1. Without half-pixel centers the stock kernel is right and is used;
 * otherwise this one adds each dy value onto the pixel the forward copied it from.
 */
import { tf } from '../tf';
import { heapF32, runKernel, WasmKernelArgs, zerosOutput, type TensorInfo } from './wasm-kernel-utils';
import { nearestTaps } from './resize-sampling';

function resizeNearestNeighborGrad(
  args: WasmKernelArgs<{ alignCorners: boolean; halfPixelCenters: boolean }>,
): TensorInfo {
  const { backend, attrs } = args;
  const images = args.inputs.images as TensorInfo;
  const dy = args.inputs.dy as TensorInfo;
  const [b, h, w, c] = images.shape;
  const [db, oh, ow, dc] = dy.shape;
  if (db !== b || dc !== c) {
    throw new Error(`ResizeNearestNeighborGrad: dy [${dy.shape}] does not match images [${images.shape}]`);
  }
  if (!attrs.halfPixelCenters) {
    // The stock kernel is right (and faster, in C++) without half-pixel centers.
    const stockAttrs = attrs as unknown as tf.NamedAttrMap;
    return runKernel(backend, 'ResizeNearestNeighborGrad', { images, dy }, stockAttrs, { stock: true });
  }
  const rows = nearestTaps(h, oh, attrs.alignCorners, attrs.halfPixelCenters);
  const cols = nearestTaps(w, ow, attrs.alignCorners, attrs.halfPixelCenters);
  const out = zerosOutput(backend, [b, h, w, c]);
  const g = heapF32(backend, dy);
  const dx = heapF32(backend, out);
  for (let n = 0; n < b; n++) {
    for (let i = 0; i < oh; i++) {
      const row = (n * h + rows[i]) * w;
      for (let j = 0; j < ow; j++) {
        const dst = (row + cols[j]) * c;
        const src = ((n * oh + i) * ow + j) * c;
        for (let k = 0; k < c; k++) dx[dst + k] += g[src + k];
      }
    }
  }
  return out;
}

/** Kernel config for `tf.registerKernel`. */
export const resizeNearestNeighborGradConfig: tf.KernelConfig = {
  kernelName: 'ResizeNearestNeighborGrad',
  backendName: 'wasm',
  kernelFunc: resizeNearestNeighborGrad as unknown as tf.KernelFunc,
};
