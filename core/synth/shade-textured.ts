import type { Fragments } from '../interfaces/renderer';
import type { RgbImage } from './rgb-image';

/** A directional light with an ambient term, in camera axes (x right, y down, z away from the camera). */
export interface SynthLight {
  /** Unit vector the light travels along (e.g. [0.3, 0.6, 0.7]: from the upper left, behind the camera). */
  readonly direction: readonly [number, number, number];
  /** Light reaching every surface, 0..1. */
  readonly ambient: number;
  /** Strength of the directional term, 0..1. */
  readonly diffuse: number;
  /** Colour tint multiplied into the result (e.g. warm or cool light), channels near 1. */
  readonly tint: readonly [number, number, number];
}

/**
 * Unit normal of face `f` in camera axes, turned to face the camera (negative z), so a surface seen
 * from inside (a limb's far side through a gap) still shades sensibly. Written into `out` at 3f.
 * @param cameraVertices float [V*3] vertex positions already in camera axes
 */
function cameraFacingNormal(cameraVertices: ArrayLike<number>, faces: Int32Array, f: number, out: Float32Array): void {
  const v = cameraVertices;
  const a = 3 * faces[3 * f];
  const b = 3 * faces[3 * f + 1];
  const c = 3 * faces[3 * f + 2];
  const e1x = v[b] - v[a], e1y = v[b + 1] - v[a + 1], e1z = v[b + 2] - v[a + 2];
  const e2x = v[c] - v[a], e2y = v[c + 1] - v[a + 1], e2z = v[c + 2] - v[a + 2];
  const nx = e1y * e2z - e1z * e2y;
  const ny = e1z * e2x - e1x * e2z;
  const nz = e1x * e2y - e1y * e2x;
  const len = Math.hypot(nx, ny, nz) || 1;
  const sign = nz > 0 ? -1 / len : 1 / len;
  out[3 * f] = nx * sign;
  out[3 * f + 1] = ny * sign;
  out[3 * f + 2] = nz * sign;
}

/**
 * Paints the covered pixels of `fragments` into `target` (which holds the background): the texture is
 * sampled bilinearly at each pixel's UV (the renderer's texel convention: x = u Tw - 0.5,
 * y = (1 - v) Th - 0.5, edges clamped) and shaded with Lambert's law on the face normal.
 * Normals are computed only for the faces that cover a pixel (a small part of a body's faces).
 * @param texture 8-bit RGB texture [Th, Tw]
 * @param cameraVertices float [V*3] the mesh's vertices in camera axes (x right, y down, z away)
 * @param faces int32 [F*3] the mesh's faces
 * @returns the silhouette, uint8 [H*W] in {0, 255}
 */
export function shadeTextured(
  fragments: Fragments,
  texture: RgbImage,
  cameraVertices: ArrayLike<number>,
  faces: Int32Array,
  light: SynthLight,
  target: RgbImage,
): Uint8Array {
  const { height, width, faceIds, uv } = fragments;
  if (target.height !== height || target.width !== width) {
    throw new Error(`target image is ${target.height}x${target.width}, fragments are ${height}x${width}`);
  }
  const th = texture.height;
  const tw = texture.width;
  const tex = texture.pixels;
  const out = target.pixels;
  const mask = new Uint8Array(height * width);
  const [lx, ly, lz] = light.direction;
  const normals = new Float32Array(faces.length);
  const known = new Uint8Array(faces.length / 3);
  for (let p = 0; p < height * width; p++) {
    const f = faceIds[p];
    if (f < 0) continue;
    mask[p] = 255;
    if (!known[f]) {
      cameraFacingNormal(cameraVertices, faces, f, normals);
      known[f] = 1;
    }
    // Light arrives along `direction`: a surface facing against it is lit.
    const lambert = -(normals[3 * f] * lx + normals[3 * f + 1] * ly + normals[3 * f + 2] * lz);
    const shade = light.ambient + light.diffuse * (lambert > 0 ? lambert : 0);
    const x = uv[2 * p] * tw - 0.5;
    const y = (1 - uv[2 * p + 1]) * th - 0.5;
    const x0 = Math.floor(x);
    const y0 = Math.floor(y);
    const fx = x - x0;
    const fy = y - y0;
    const xa = x0 < 0 ? 0 : x0 >= tw ? tw - 1 : x0;
    const xb = x0 + 1 < 0 ? 0 : x0 + 1 >= tw ? tw - 1 : x0 + 1;
    const ya = y0 < 0 ? 0 : y0 >= th ? th - 1 : y0;
    const yb = y0 + 1 < 0 ? 0 : y0 + 1 >= th ? th - 1 : y0 + 1;
    const i00 = 3 * (ya * tw + xa);
    const i01 = 3 * (ya * tw + xb);
    const i10 = 3 * (yb * tw + xa);
    const i11 = 3 * (yb * tw + xb);
    for (let k = 0; k < 3; k++) {
      const top = tex[i00 + k] * (1 - fx) + tex[i01 + k] * fx;
      const bottom = tex[i10 + k] * (1 - fx) + tex[i11 + k] * fx;
      const v = (top * (1 - fy) + bottom * fy) * shade * light.tint[k];
      out[3 * p + k] = v > 255 ? 255 : Math.round(v);
    }
  }
  return mask;
}
