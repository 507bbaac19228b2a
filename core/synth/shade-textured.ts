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
 * Unit normals of the mesh's faces in camera axes, turned to face the camera (negative z), so a surface
 * seen from inside (a limb's far side through a gap) still shades sensibly.
 * @param cameraVertices float [V*3] vertex positions already in camera axes
 * @param faces int32 [F*3]
 * @returns float32 [F*3]
 */
export function cameraFacingNormals(cameraVertices: ArrayLike<number>, faces: Int32Array): Float32Array {
  const nf = faces.length / 3;
  const out = new Float32Array(nf * 3);
  const v = cameraVertices;
  for (let f = 0; f < nf; f++) {
    const a = 3 * faces[3 * f];
    const b = 3 * faces[3 * f + 1];
    const c = 3 * faces[3 * f + 2];
    const e1x = v[b] - v[a], e1y = v[b + 1] - v[a + 1], e1z = v[b + 2] - v[a + 2];
    const e2x = v[c] - v[a], e2y = v[c + 1] - v[a + 1], e2z = v[c + 2] - v[a + 2];
    let nx = e1y * e2z - e1z * e2y;
    let ny = e1z * e2x - e1x * e2z;
    let nz = e1x * e2y - e1y * e2x;
    const len = Math.hypot(nx, ny, nz) || 1;
    const sign = nz > 0 ? -1 / len : 1 / len;
    nx *= sign;
    ny *= sign;
    nz *= sign;
    out[3 * f] = nx;
    out[3 * f + 1] = ny;
    out[3 * f + 2] = nz;
  }
  return out;
}

/**
 * Paints the covered pixels of `fragments` into `target` (which holds the background): the texture is
 * sampled bilinearly at each pixel's UV (the renderer's texel convention: x = u Tw - 0.5,
 * y = (1 - v) Th - 0.5, edges clamped) and shaded with Lambert's law on the face normal.
 * @param texture 8-bit RGB texture [Th, Tw]
 * @param normals float32 [F*3] camera-facing unit normals (see cameraFacingNormals)
 * @returns the silhouette, uint8 [H*W] in {0, 255}
 */
export function shadeTextured(fragments: Fragments, texture: RgbImage, normals: Float32Array, light: SynthLight, target: RgbImage): Uint8Array {
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
  for (let p = 0; p < height * width; p++) {
    const f = faceIds[p];
    if (f < 0) continue;
    mask[p] = 255;
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
