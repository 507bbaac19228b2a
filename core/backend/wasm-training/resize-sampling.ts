/**
 * Where each output row (or column) of tfjs' ResizeBilinear / ResizeNearestNeighbor reads from, per
 * axis, following the forward kernels exactly (alignCorners, halfPixelCenters). The gradients scatter
 * dy back along the same taps, so they are the exact adjoints of the forward resize.
 */
import { tf } from '../tf';
import { runKernel, type TensorInfo, type WasmKernelArgs } from './wasm-kernel-utils';

/** Input size over output size, as the forward resize uses it for one axis. */
function scale(inSize: number, outSize: number, alignCorners: boolean): number {
  const align = alignCorners && outSize > 1;
  return (align ? inSize - 1 : inSize) / (align ? outSize - 1 : outSize);
}

/** Bilinear taps of one axis: output i reads lo[i] with weight 1 - frac[i] and hi[i] with frac[i]. */
export interface LinearTaps {
  lo: Int32Array;
  hi: Int32Array;
  frac: Float32Array;
}

export function bilinearTaps(inSize: number, outSize: number, alignCorners: boolean, halfPixel: boolean): LinearTaps {
  const ratio = scale(inSize, outSize, alignCorners);
  const lo = new Int32Array(outSize);
  const hi = new Int32Array(outSize);
  const frac = new Float32Array(outSize);
  for (let i = 0; i < outSize; i++) {
    const src = halfPixel ? ratio * (i + 0.5) - 0.5 : ratio * i;
    lo[i] = Math.max(0, Math.floor(src));
    hi[i] = Math.min(inSize - 1, Math.ceil(src));
    // Below 0 (half-pixel edge) lo == hi, so the weights still sum to one on that pixel.
    frac[i] = src - lo[i];
  }
  return { lo, hi, frac };
}

/** Nearest-neighbour source index of each output position along one axis. */
export function nearestTaps(inSize: number, outSize: number, alignCorners: boolean, halfPixel: boolean): Int32Array {
  const ratio = scale(inSize, outSize, alignCorners);
  const src = new Int32Array(outSize);
  for (let i = 0; i < outSize; i++) {
    const f = halfPixel ? ratio * (i + 0.5) : ratio * i;
    let s = Math.min(inSize - 1, alignCorners ? Math.round(f) : Math.floor(f));
    if (halfPixel) s = Math.max(0, s);
    src[i] = s;
  }
  return src;
}

/** Attributes of both resize gradients. */
export type ResizeGradAttrs = { alignCorners: boolean; halfPixelCenters: boolean };

/**
 * The shared head of the resize gradients: checks dy against the images, and runs the stock kernel where
 * it is right (without half-pixel centres; it is faster, in C++).
 * @returns the stock kernel's result, or null when the caller must scatter dy itself
 */
export function stockResizeGradWhereExact(
  kernelName: 'ResizeBilinearGrad' | 'ResizeNearestNeighborGrad',
  args: WasmKernelArgs<ResizeGradAttrs>,
): TensorInfo | null {
  const { backend, attrs } = args;
  const images = args.inputs.images as TensorInfo;
  const dy = args.inputs.dy as TensorInfo;
  if (dy.shape[0] !== images.shape[0] || dy.shape[3] !== images.shape[3]) {
    throw new Error(`${kernelName}: dy [${dy.shape}] does not match images [${images.shape}]`);
  }
  if (attrs.halfPixelCenters) return null;
  return runKernel(backend, kernelName, { images, dy }, attrs as unknown as tf.NamedAttrMap, { stock: true });
}
