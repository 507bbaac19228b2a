/**
 * `ResizeNearestNeighborGrad` for the wasm backend. The stock wasm kernel is wrong with
 * halfPixelCenters = true when downscaling or at non-integer ratios, and the cpu kernel disagrees with
 * its own forward for batch > 1. Without half-pixel centers the stock kernel is right and is used;
 * otherwise this one adds each dy value onto the pixel the forward copied it from.
 */
import { tf } from '../tf';
import { heapF32, WasmKernelArgs, zerosOutput, type TensorInfo } from './wasm-kernel-utils';
import { nearestTaps, stockResizeGradWhereExact, type ResizeGradAttrs } from './resize-sampling';

function resizeNearestNeighborGrad(
  args: WasmKernelArgs<ResizeGradAttrs>,
): TensorInfo {
  const stock = stockResizeGradWhereExact('ResizeNearestNeighborGrad', args);
  if (stock) return stock;
  const { backend, attrs } = args;
  const [b, h, w, c] = (args.inputs.images as TensorInfo).shape;
  const dy = args.inputs.dy as TensorInfo;
  const [, oh, ow] = dy.shape;
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
