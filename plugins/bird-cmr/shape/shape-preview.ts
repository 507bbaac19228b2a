import type { Camera, Mesh } from '../../../core/interfaces/mesh';
import { rasterize } from '../../../core/renderer/rasterizer';

/** An 8-bit RGB image, row-major. */
export interface RgbImage {
  readonly pixels: Uint8Array;
  readonly height: number;
  readonly width: number;
}

/**
 * How squarely face `f` looks at the viewer, in [0,1]: the z component of the unit screen-space normal of
 * its projected triangle (x and y in pixels, depth brought to pixels by `depthToPixels`).
 * @param projected the camera's projection of the mesh's vertices [V*3]
 */
export function facingShade(faces: ArrayLike<number>, projected: ArrayLike<number>, f: number, depthToPixels: number): number {
  const [a, b, c] = [faces[3 * f], faces[3 * f + 1], faces[3 * f + 2]];
  const e1 = [0, 1, 2].map((d) => projected[3 * b + d] - projected[3 * a + d]);
  const e2 = [0, 1, 2].map((d) => projected[3 * c + d] - projected[3 * a + d]);
  e1[2] *= depthToPixels;
  e2[2] *= depthToPixels;
  const n = [e1[1] * e2[2] - e1[2] * e2[1], e1[2] * e2[0] - e1[0] * e2[2], e1[0] * e2[1] - e1[1] * e2[0]];
  return Math.abs(n[2]) / (Math.hypot(n[0], n[1], n[2]) || 1);
}

/**
 * Renders `mesh` grey-shaded by its face normals as seen by `camera` (light from the viewer), on a
 * white background, optionally with marker dots: a way to look at a shape, not a texture renderer.
 * @param depthToPixels pixels per unit of the camera's depth (for a weak-perspective camera, scale * W / 2)
 * @param markers model-space points float [N*3] drawn as red dots (e.g. keypoints)
 */
export function shadedView(
  mesh: Mesh,
  camera: Camera,
  height: number,
  width: number,
  depthToPixels: number,
  markers?: Float32Array,
): RgbImage {
  const frags = rasterize(mesh, camera, height, width);
  const projected = camera.project(mesh.vertices, height, width);
  const pixels = new Uint8Array(height * width * 3).fill(255);
  const { faces } = mesh;
  for (let p = 0; p < height * width; p++) {
    const f = frags.faceIds[p];
    if (f < 0) continue;
    const shade = facingShade(faces, projected, f, depthToPixels);
    const g = Math.round(40 + 200 * shade);
    pixels.set([g, g, Math.min(255, g + 10)], 3 * p);
  }
  if (markers) {
    const pts = camera.project(markers, height, width);
    for (let i = 0; i < pts.length; i += 3) {
      const cx = Math.floor(pts[i]);
      const cy = Math.floor(pts[i + 1]);
      for (let dy = -2; dy <= 2; dy++) {
        for (let dx = -2; dx <= 2; dx++) {
          const x = cx + dx;
          const y = cy + dy;
          if (x >= 0 && y >= 0 && x < width && y < height) pixels.set([220, 20, 20], 3 * (y * width + x));
        }
      }
    }
  }
  return { pixels, height, width };
}

/** Places images of equal height side by side with a 4-pixel grey gutter. */
export function sideBySide(images: readonly RgbImage[]): RgbImage {
  const height = images[0].height;
  const gutter = 4;
  const width = images.reduce((w, im) => w + im.width, 0) + gutter * (images.length - 1);
  const pixels = new Uint8Array(height * width * 3).fill(128);
  let x0 = 0;
  for (const im of images) {
    if (im.height !== height) throw new Error('sideBySide needs images of one height');
    for (let y = 0; y < height; y++) {
      pixels.set(im.pixels.subarray(3 * y * im.width, 3 * (y + 1) * im.width), 3 * (y * width + x0));
    }
    x0 += im.width + gutter;
  }
  return { pixels, height, width };
}
