import type { Mesh } from '../../../core/interfaces/mesh';
import { rasterize } from '../../../core/renderer/rasterizer';
import { WeakPerspectiveCamera } from '../../../core/renderer/weak-perspective-camera';
import type { WeakPerspectiveParams } from '../camera/camera-fit';

/**
 * The mesh's silhouette under a weak-perspective camera: float32 [H*W] in {0,1}.
 */
export function renderSilhouette(mesh: Mesh, params: WeakPerspectiveParams, height: number, width: number): Float32Array {
  const frags = rasterize(mesh, new WeakPerspectiveCamera(params), height, width);
  const out = new Float32Array(height * width);
  for (let p = 0; p < out.length; p++) out[p] = frags.faceIds[p] >= 0 ? 1 : 0;
  return out;
}

/**
 * Intersection over union of two masks in [0,1] (soft: sum of minima over sum of maxima; for binary
 * masks the usual IoU). 1 when both are empty.
 */
export function maskIou(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`masks differ in size: ${a.length} and ${b.length} pixels`);
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    inter += Math.min(a[i], b[i]);
    union += Math.max(a[i], b[i]);
  }
  return union > 0 ? inter / union : 1;
}

/**
 * Area-averaging resize of a mask [H*W] to [h*w] (each output pixel averages the input area it covers),
 * so a thin part keeps a fractional value instead of vanishing.
 */
export function resizeMask(mask: ArrayLike<number>, height: number, width: number, h: number, w: number): Float32Array {
  if (mask.length !== height * width) throw new Error(`mask has ${mask.length} values, expected ${height}x${width}`);
  const out = new Float32Array(h * w);
  const sy = height / h;
  const sx = width / w;
  for (let oy = 0; oy < h; oy++) {
    const y0 = oy * sy;
    const y1 = y0 + sy;
    for (let ox = 0; ox < w; ox++) {
      const x0 = ox * sx;
      const x1 = x0 + sx;
      let sum = 0;
      for (let y = Math.floor(y0); y < Math.min(height, Math.ceil(y1)); y++) {
        const wy = Math.min(y + 1, y1) - Math.max(y, y0);
        for (let x = Math.floor(x0); x < Math.min(width, Math.ceil(x1)); x++) {
          const wx = Math.min(x + 1, x1) - Math.max(x, x0);
          sum += wy * wx * mask[y * width + x];
        }
      }
      out[oy * w + ox] = sum / (sy * sx);
    }
  }
  return out;
}
