/**
 * `ResizeBilinearGrad` for the wasm backend. The stock wasm kernel is wrong with
 * halfPixelCenters = true (PyTorch's align_corners=False convention), and the cpu kernel fails on
 * non-square images. Without half-pixel centers the stock kernel is right and is used; otherwise this
 * one scatters dy through the forward's own taps, so it is the exact adjoint
 * of ResizeBilinear for every alignCorners / halfPixelCenters setting and any aspect ratio.
 */
import { tf } from '../tf';
import { heapF32, WasmKernelArgs, zerosOutput, type TensorInfo } from './wasm-kernel-utils';
import { bilinearTaps, stockResizeGradWhereExact, type ResizeGradAttrs } from './resize-sampling';

function resizeBilinearGrad(args: WasmKernelArgs<ResizeGradAttrs>): TensorInfo {
  const stock = stockResizeGradWhereExact('ResizeBilinearGrad', args);
  if (stock) return stock;
  const { backend, attrs } = args;
  const [b, h, w, c] = (args.inputs.images as TensorInfo).shape;
  const dy = args.inputs.dy as TensorInfo;
  const [, oh, ow] = dy.shape;
  const rows = bilinearTaps(h, oh, attrs.alignCorners, attrs.halfPixelCenters);
  const cols = bilinearTaps(w, ow, attrs.alignCorners, attrs.halfPixelCenters);
  const out = zerosOutput(backend, [b, h, w, c]);
  const g = heapF32(backend, dy);
  const dx = heapF32(backend, out);
  for (let n = 0; n < b; n++) {
    const inBase = n * h * w;
    for (let i = 0; i < oh; i++) {
      const top = (inBase + rows.lo[i] * w) * c;
      const bottom = (inBase + rows.hi[i] * w) * c;
      const fy = rows.frac[i];
      for (let j = 0; j < ow; j++) {
        const fx = cols.frac[j];
        const l = cols.lo[j] * c;
        const r = cols.hi[j] * c;
        const wTL = (1 - fy) * (1 - fx);
        const wTR = (1 - fy) * fx;
        const wBL = fy * (1 - fx);
        const wBR = fy * fx;
        const src = ((n * oh + i) * ow + j) * c;
        for (let k = 0; k < c; k++) {
          const v = g[src + k];
          dx[top + l + k] += v * wTL;
          dx[top + r + k] += v * wTR;
          dx[bottom + l + k] += v * wBL;
          dx[bottom + r + k] += v * wBR;
        }
      }
    }
  }
  return out;
}

/** Kernel config for `tf.registerKernel`. */
export const resizeBilinearGradConfig: tf.KernelConfig = {
  kernelName: 'ResizeBilinearGrad',
  backendName: 'wasm',
  kernelFunc: resizeBilinearGrad as unknown as tf.KernelFunc,
};
