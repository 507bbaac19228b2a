import type { BodyModelData } from '../body/body-model-types';
import { forEachUvTexel } from '../../../core/renderer/uv-texels';

/** Where each texel of a body's UV atlas lies on the rest body. */
export interface TexelSurface {
  readonly height: number;
  readonly width: number;
  /** float32 [Th*Tw*3]: rest-pose position (metres; y up, pelvis at the origin, facing +z); 0 where uncovered. */
  readonly position: Float32Array;
  /** float32 [Th*Tw*3]: rest-pose outward unit normal (smooth, from area-weighted vertex normals); 0 where uncovered. */
  readonly normal: Float32Array;
  /** int16 [Th*Tw]: the joint with the largest skinning weight there, -1 where no UV triangle covers the texel. */
  readonly joint: Int16Array;
  /** uint8 [Th*Tw]: 1 in the `face` region, 2 in a hand region, else 0. */
  readonly region: Uint8Array;
  /**
   * float32 [J*3]: rest-pose joint positions (the joint regressor applied to the template). At rest every
   * joint's frame has the body's axes, so a joint's frame is its position plus those axes.
   */
  readonly joints: Float32Array;
}

/** Rest-pose joints: the regressor [J,V] times the template [V,3]. */
function restJoints(data: BodyModelData): Float32Array {
  const nj = data.parents.length;
  const nv = data.vTemplate.length / 3;
  const joints = new Float32Array(nj * 3);
  for (let j = 0; j < nj; j++) {
    for (let v = 0; v < nv; v++) {
      const w = data.jointRegressor[j * nv + v];
      if (w === 0) continue;
      for (let k = 0; k < 3; k++) joints[3 * j + k] += w * data.vTemplate[3 * v + k];
    }
  }
  return joints;
}

/** Unit vertex normals of the template, area-weighted (faces are counter-clockwise seen from outside). */
function vertexNormals(data: BodyModelData): Float32Array {
  const p = data.vTemplate;
  const n = new Float32Array(p.length);
  for (let f = 0; f < data.faces.length; f += 3) {
    const [a, b, c] = [data.faces[f], data.faces[f + 1], data.faces[f + 2]];
    const e1 = [0, 1, 2].map((k) => p[3 * b + k] - p[3 * a + k]);
    const e2 = [0, 1, 2].map((k) => p[3 * c + k] - p[3 * a + k]);
    const cx = e1[1] * e2[2] - e1[2] * e2[1];
    const cy = e1[2] * e2[0] - e1[0] * e2[2];
    const cz = e1[0] * e2[1] - e1[1] * e2[0];
    for (const v of [a, b, c]) {
      n[3 * v] += cx;
      n[3 * v + 1] += cy;
      n[3 * v + 2] += cz;
    }
  }
  for (let v = 0; v < n.length; v += 3) {
    const len = Math.hypot(n[v], n[v + 1], n[v + 2]) || 1;
    for (let k = 0; k < 3; k++) n[v + k] /= len;
  }
  return n;
}

/**
 * Rasterizes the body's UV triangles at the texture size (the renderer's texel convention: centre of
 * texel (r, c) at u = (c + 0.5) / Tw, v = 1 - (r + 0.5) / Th) and interpolates the rest-pose positions
 * and normals, so that outfits can be drawn as functions of the body surface rather than of the atlas layout.
 */
export function texelSurface(data: BodyModelData, textureSize: readonly [number, number]): TexelSurface {
  const [th, tw] = textureSize;
  const position = new Float32Array(th * tw * 3);
  const normal = new Float32Array(th * tw * 3);
  const joint = new Int16Array(th * tw).fill(-1);
  const region = new Uint8Array(th * tw);
  const nj = data.parents.length;
  const nf = data.faces.length / 3;
  const face = data.regions.face;
  const hands = [data.regions.leftHand, data.regions.rightHand].filter((r) => r !== undefined);
  const vn = vertexNormals(data);
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
      let len = 0;
      for (let k = 0; k < 3; k++) {
        position[3 * t + k] = w0 * data.vTemplate[3 * vs[0] + k] + w1 * data.vTemplate[3 * vs[1] + k] + w2 * data.vTemplate[3 * vs[2] + k];
        const nk = w0 * vn[3 * vs[0] + k] + w1 * vn[3 * vs[1] + k] + w2 * vn[3 * vs[2] + k];
        normal[3 * t + k] = nk;
        len += nk * nk;
      }
      len = Math.sqrt(len) || 1;
      for (let k = 0; k < 3; k++) normal[3 * t + k] /= len;
      joint[t] = j;
      region[t] = reg;
    });
  }
  return { height: th, width: tw, position, normal, joint, region, joints: restJoints(data) };
}
