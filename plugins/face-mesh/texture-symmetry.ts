import type { TextureParts, TextureSymmetry } from '../../core/plugin';
import { checkTextureSize } from '../../core/renderer/texel-taps';
import { forEachUvTexel } from '../../core/renderer/uv-texels';
import { FACE_LANDMARKS as L, loadFaceTopology, type FaceTopology } from './mesh/face-topology';

/** The face's texture parts, in label order (both eyes one part, both cheeks one part). */
export const FACE_PART_NAMES = ['forehead', 'eyes', 'nose', 'cheeks', 'mouth', 'chin'] as const;

/** Each chart texel's UV triangle (-1 off the charts). */
function texelFaces(t: FaceTopology, th: number, tw: number): Int32Array {
  const face = new Int32Array(th * tw).fill(-1);
  for (let f = 0; f < t.faces.length / 3; f++) forEachUvTexel(t.uvs, t.faces, f, th, tw, (texel) => (face[texel] = f));
  return face;
}

/**
 * The mirror texel of each chart texel. The canonical UV layout is a frontal view, left-right symmetric
 * about u = 1/2 (to 1.2e-3), so the mirror image of a surface point is at (1 - u, v): the column flip,
 * moved to the nearest chart texel within 2 texels when the flipped one falls just off the chart.
 * @returns int32 [Th*Tw], -1 off the charts
 */
export function faceMirrorMap(textureSize: readonly [number, number]): Int32Array {
  checkTextureSize(textureSize);
  const [th, tw] = textureSize;
  const onChart = texelFaces(loadFaceTopology(), th, tw);
  const out = new Int32Array(th * tw).fill(-1);
  for (let r = 0; r < th; r++) {
    for (let c = 0; c < tw; c++) {
      if (onChart[r * tw + c] < 0) continue;
      const mc = tw - 1 - c;
      let best = -1;
      let bestD = Infinity;
      for (let dr = -2; dr <= 2; dr++) {
        for (let dc = -2; dc <= 2; dc++) {
          const rr = r + dr;
          const cc = mc + dc;
          if (rr < 0 || rr >= th || cc < 0 || cc >= tw || onChart[rr * tw + cc] < 0) continue;
          const d = dr * dr + dc * dc;
          if (d < bestD) {
            bestD = d;
            best = rr * tw + cc;
          }
        }
      }
      out[r * tw + c] = best;
    }
  }
  return out;
}

/**
 * The part of each chart texel, from its UV against landmark UVs (the layout is a frontal view, so UV
 * distances are face distances): eyes in ellipses around each eye's corners; mouth in an ellipse around the
 * lip corners and the lips; nose between the nose wings from the bridge to under the nose tip; forehead above
 * the brows; chin below the lower lip within the jaw; cheeks the rest.
 * @returns labels int32 [Th*Tw] indexing {@link FACE_PART_NAMES}, -1 off the charts
 */
export function faceParts(textureSize: readonly [number, number]): TextureParts {
  checkTextureSize(textureSize);
  const [th, tw] = textureSize;
  const t = loadFaceTopology();
  const onChart = texelFaces(t, th, tw);
  const uv = (i: number): [number, number] => [t.uvs[2 * i], t.uvs[2 * i + 1]];
  const mid = (a: number, b: number): [number, number] => [(uv(a)[0] + uv(b)[0]) / 2, (uv(a)[1] + uv(b)[1]) / 2];
  const eyes = [mid(L.rightEyeOuter, L.rightEyeInner), mid(L.leftEyeInner, L.leftEyeOuter)];
  const eyeHalfWidth = 0.62 * Math.abs(uv(L.rightEyeOuter)[0] - uv(L.rightEyeInner)[0]);
  const mouth = mid(L.mouthRight, L.mouthLeft);
  const mouthHalfWidth = 0.62 * Math.abs(uv(L.mouthLeft)[0] - uv(L.mouthRight)[0]);
  const mouthHalfHeight = 0.9 * Math.abs(uv(L.upperLip)[1] - uv(L.lowerLip)[1]);
  const browV = Math.max(uv(L.rightBrow)[1], uv(L.leftBrow)[1]);
  const noseHalfWidth = Math.abs(uv(L.leftNoseWing)[0] - uv(L.rightNoseWing)[0]) / 2 + 0.01;
  const noseTop = uv(L.noseBridge)[1];
  const noseBottom = uv(L.noseBottom)[1] - 0.01;
  const chinTop = uv(L.lowerLip)[1] - 0.02;
  const chinHalfWidth = mouthHalfWidth * 1.3;
  const label = (name: (typeof FACE_PART_NAMES)[number]) => FACE_PART_NAMES.indexOf(name);
  const labels = new Int32Array(th * tw).fill(-1);
  for (let r = 0; r < th; r++) {
    for (let c = 0; c < tw; c++) {
      const i = r * tw + c;
      if (onChart[i] < 0) continue;
      const u = (c + 0.5) / tw;
      const v = 1 - (r + 0.5) / th;
      let part: number;
      const inEye = eyes.some(([eu, ev]) => ((u - eu) / eyeHalfWidth) ** 2 + ((v - ev) / (0.6 * eyeHalfWidth)) ** 2 <= 1);
      if (inEye) part = label('eyes');
      else if (((u - mouth[0]) / mouthHalfWidth) ** 2 + ((v - mouth[1]) / mouthHalfHeight) ** 2 <= 1) part = label('mouth');
      else if (v > browV + 0.01) part = label('forehead');
      else if (Math.abs(u - 0.5) <= noseHalfWidth && v <= noseTop && v >= noseBottom) part = label('nose');
      else if (v < chinTop && Math.abs(u - 0.5) <= chinHalfWidth) part = label('chin');
      else part = label('cheeks');
      labels[i] = part;
    }
  }
  return { labels, names: FACE_PART_NAMES };
}

const mirrors = new Map<string, Int32Array>();
const partsCache = new Map<string, TextureParts>();

/** The face's texture symmetry (cached per texture size; each call returns fresh arrays). */
export const FACE_TEXTURE_SYMMETRY: TextureSymmetry = {
  async mirror(_config, textureSize) {
    const key = `${textureSize[0]}x${textureSize[1]}`;
    let map = mirrors.get(key);
    if (!map) {
      map = faceMirrorMap(textureSize);
      mirrors.set(key, map);
    }
    return map.slice();
  },
  async parts(_config, textureSize) {
    const key = `${textureSize[0]}x${textureSize[1]}`;
    let p = partsCache.get(key);
    if (!p) {
      p = faceParts(textureSize);
      partsCache.set(key, p);
    }
    return { labels: p.labels.slice(), names: p.names };
  },
};
