import type { Mesh } from '../../../core/interfaces/mesh';
import { rasterize } from '../../../core/renderer/rasterizer';
import { WeakPerspectiveCamera } from '../../../core/renderer/weak-perspective-camera';
import type { WeakPerspectiveParams } from '../camera/camera-fit';
import { HEAD, TAIL } from '../shape/bird-profile';
import { facingShade, type RgbImage } from '../shape/shape-preview';

/**
 * A picture to judge a fit by eye: the photo with the fitted mesh drawn over it half-transparent, its
 * head red, its tail blue and the rest grey shaded by how squarely each face looks at the viewer, and
 * (when given) the outline of the estimated foreground mask in yellow.
 * @param pixels float [H*W*3] RGB in [0,1]
 * @param mask float [H*W] in [0,1], optional
 */
export function fitOverlay(
  pixels: ArrayLike<number>,
  height: number,
  width: number,
  mesh: Mesh,
  camera: WeakPerspectiveParams,
  mask?: ArrayLike<number>,
): RgbImage {
  const cam = new WeakPerspectiveCamera(camera);
  const frags = rasterize(mesh, cam, height, width);
  const projected = cam.project(mesh.vertices, height, width);
  const depthToPixels = (camera.scale * width) / 2;
  const { faces, vertices } = mesh;
  const out = new Uint8Array(height * width * 3);
  for (let p = 0; p < height * width; p++) {
    let rgb = [pixels[3 * p], pixels[3 * p + 1], pixels[3 * p + 2]];
    const f = frags.faceIds[p];
    if (f >= 0) {
      const [a, b, c] = [faces[3 * f], faces[3 * f + 1], faces[3 * f + 2]];
      const shade = 0.35 + 0.65 * facingShade(faces, projected, f, depthToPixels);
      const z = (vertices[3 * a + 2] + vertices[3 * b + 2] + vertices[3 * c + 2]) / 3;
      const base = z > HEAD.z - 0.12 ? [1, 0.15, 0.1] : z < TAIL.baseZ ? [0.15, 0.35, 1] : [0.85, 0.85, 0.85];
      rgb = rgb.map((v, k) => 0.35 * v + 0.65 * base[k] * shade);
    }
    if (mask) {
      const x = p % width;
      const m = mask[p] > 0.5;
      const edge = (q: number) => q >= 0 && q < mask.length && mask[q] > 0.5 !== m;
      if (m && ((x > 0 && edge(p - 1)) || (x < width - 1 && edge(p + 1)) || edge(p - width) || edge(p + width))) rgb = [1, 0.9, 0];
    }
    for (let k = 0; k < 3; k++) out[3 * p + k] = Math.round(255 * Math.min(1, Math.max(0, rgb[k])));
  }
  return { pixels: out, height, width };
}
