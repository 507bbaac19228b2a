import type { BodyModelData } from './body-model-types';
import { forEachUvTexel } from '../../../core/renderer/uv-texels';

/**
 * Rasterizes UV triangles into a texture-sized mask, with the renderer's texel convention: texel (r, c)
 * has its centre at u = (c + 0.5) / Tw, v = 1 - (r + 0.5) / Th (row 0 at v = 1), and is set when its centre
 * lies inside (or on the edge of) a selected triangle.
 * @param select which faces to draw (per-face flags uint8 [F]); all faces when omitted
 * @returns float32 [Th*Tw] in {0,1}, row-major
 */
export function uvTriangleMask(
  uvs: Float32Array,
  uvFaces: Int32Array,
  textureSize: readonly [number, number],
  select?: Uint8Array,
): Float32Array {
  const [th, tw] = textureSize;
  if (!Number.isInteger(th) || !Number.isInteger(tw) || th < 1 || tw < 1) {
    throw new Error(`texture size must be two positive integers [Th, Tw], got ${JSON.stringify(textureSize)}`);
  }
  const mask = new Float32Array(th * tw);
  const nf = uvFaces.length / 3;
  for (let f = 0; f < nf; f++) {
    if (select && !select[f]) continue;
    forEachUvTexel(uvs, uvFaces, f, th, tw, (t) => {
      mask[t] = 1;
    });
  }
  return mask;
}

/**
 * The texture mask of a named UV region of a body (e.g. `face`, `leftHand`, `rightHand`), for the
 * face/hand loss, or the union of several names.
 * @returns float32 [Th*Tw] in {0,1}, row 0 at v = 1 (the renderer's convention)
 * @throws naming the regions the body has when one is unknown
 */
export function uvRegionMask(
  data: BodyModelData,
  regions: string | readonly string[],
  textureSize: readonly [number, number],
): Float32Array {
  const names = typeof regions === 'string' ? [regions] : regions;
  const nf = data.faces.length / 3;
  const select = new Uint8Array(nf);
  for (const name of names) {
    const flags = data.regions[name];
    if (!flags) {
      throw new Error(
        `body '${data.source}' has no UV region '${name}'; it has: ${Object.keys(data.regions).join(', ') || 'none'}`,
      );
    }
    for (let f = 0; f < nf; f++) select[f] |= flags[f];
  }
  return uvTriangleMask(data.uvs, data.uvFaces, textureSize, select);
}
