import type { BodyModelData } from '../body/body-model-types';
import { forEachUvTexel } from '../body/uv-texels';

/** Where each texel of a body's UV atlas lies on the rest body. */
export interface TexelSurface {
  readonly height: number;
  readonly width: number;
  /** float32 [Th*Tw*3]: rest-pose position (metres; y up, pelvis at the origin, facing +z); 0 where uncovered. */
  readonly position: Float32Array;
  /** int16 [Th*Tw]: the joint with the largest skinning weight there, -1 where no UV triangle covers the texel. */
  readonly joint: Int16Array;
  /** uint8 [Th*Tw]: 1 in the `face` region, 2 in a hand region, else 0. */
  readonly region: Uint8Array;
}

/**
 * Rasterizes the body's UV triangles at the texture size (the renderer's texel convention: centre of
 * texel (r, c) at u = (c + 0.5) / Tw, v = 1 - (r + 0.5) / Th) and interpolates the rest-pose positions,
 * so that outfits can be drawn as functions of the body surface rather than of the atlas layout.
 */
export function texelSurface(data: BodyModelData, textureSize: readonly [number, number]): TexelSurface {
  const [th, tw] = textureSize;
  const position = new Float32Array(th * tw * 3);
  const joint = new Int16Array(th * tw).fill(-1);
  const region = new Uint8Array(th * tw);
  const nj = data.parents.length;
  const nf = data.faces.length / 3;
  const face = data.regions.face;
  const hands = [data.regions.leftHand, data.regions.rightHand].filter((r) => r !== undefined);
  const dominant = (v: number): number => {
    let best = 0;
    for (let j = 1; j < nj; j++) if (data.weights[v * nj + j] > data.weights[v * nj + best]) best = j;
    return best;
  };
  for (let f = 0; f < nf; f++) {
    const vs = [0, 1, 2].map((k) => data.faces[3 * f + k]);
    const j = dominant(vs[0]);
    const reg = face?.[f] ? 1 : hands.some((h) => h[f]) ? 2 : 0;
    forEachUvTexel(data.uvs, data.uvFaces, f, th, tw, (t, w0, w1, w2) => {
      for (let k = 0; k < 3; k++) {
        position[3 * t + k] = w0 * data.vTemplate[3 * vs[0] + k] + w1 * data.vTemplate[3 * vs[1] + k] + w2 * data.vTemplate[3 * vs[2] + k];
      }
      joint[t] = j;
      region[t] = reg;
    });
  }
  return { height: th, width: tw, position, joint, region };
}
