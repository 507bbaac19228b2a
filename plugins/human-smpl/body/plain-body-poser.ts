import type { BodyModelData } from './body-model-types';

/** Row-major 3x3 rotation from axis-angle (Rodrigues), written into `out` at `o`. */
export function rodrigues(rx: number, ry: number, rz: number, out: Float64Array, o = 0): void {
  const theta = Math.hypot(rx, ry, rz);
  // a = sin θ / θ, b = (1 - cos θ) / θ², with their limits at 0.
  const a = theta < 1e-8 ? 1 : Math.sin(theta) / theta;
  const half = theta / 2;
  const b = theta < 1e-8 ? 0.5 : 0.5 * (Math.sin(half) / half) ** 2;
  const k = [0, -rz, ry, rz, 0, -rx, -ry, rx, 0];
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      let kk = 0;
      for (let m = 0; m < 3; m++) kk += k[3 * r + m] * k[3 * m + c];
      out[o + 3 * r + c] = (r === c ? 1 : 0) + a * k[3 * r + c] + b * kk;
    }
  }
}

/**
 * Each joint's global rotation G_j = G_parent R_j and position T_j = G_parent (J_j - J_parent) + T_parent
 * (the root: R_0 and J_0), written into gR [J*9] and gT [J*3]; parents come before children.
 * @param rot local rotations [J*9] (row-major); @param rest rest joint positions [J*3]
 */
export function kinematicChain(parents: ArrayLike<number>, rot: ArrayLike<number>, rest: ArrayLike<number>, gR: Float64Array, gT: Float64Array): void {
  for (let j = 0; j < parents.length; j++) {
    const p = parents[j];
    if (p < 0) {
      for (let e = 0; e < 9; e++) gR[9 * j + e] = rot[9 * j + e];
      for (let e = 0; e < 3; e++) gT[3 * j + e] = rest[3 * j + e];
      continue;
    }
    for (let r = 0; r < 3; r++) {
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let m = 0; m < 3; m++) s += gR[9 * p + 3 * r + m] * rot[9 * j + 3 * m + c];
        gR[9 * j + 3 * r + c] = s;
      }
      let t = gT[3 * p + r];
      for (let m = 0; m < 3; m++) t += gR[9 * p + 3 * r + m] * (rest[3 * j + m] - rest[3 * p + m]);
      gT[3 * j + r] = t;
    }
  }
}

/**
 * The body model's forward pass (shape blend, joint regression, pose blend, kinematic chain, linear
 * blend skinning) for one parameter set, on plain arrays with the skinning weights and the joint
 * regressor kept sparse. Same maths as `BodyModel.forward` (checked against it in the spec), without
 * tensors or gradients: about a millisecond per body instead of tens on the cpu backend. Every posing that
 * needs no gradient goes through it (`poseBody`: predictors, silhouette refinement, `retex synth`).
 */
export class PlainBodyPoser {
  private readonly nv: number;
  private readonly nj: number;
  private readonly ns: number;
  /** Per vertex, the offsets into skinJoints/skinWeights (CSR). */
  private readonly skinStart: Int32Array;
  private readonly skinJoints: Int32Array;
  private readonly skinWeights: Float64Array;
  private readonly jTemplate: Float64Array;
  private readonly jShape: Float64Array;

  constructor(private readonly data: BodyModelData) {
    const nv = (this.nv = data.vTemplate.length / 3);
    const nj = (this.nj = data.parents.length);
    const ns = (this.ns = data.shapeCount);
    const start = new Int32Array(nv + 1);
    const joints: number[] = [];
    const weights: number[] = [];
    for (let v = 0; v < nv; v++) {
      for (let j = 0; j < nj; j++) {
        const w = data.weights[v * nj + j];
        if (w !== 0) {
          joints.push(j);
          weights.push(w);
        }
      }
      start[v + 1] = joints.length;
    }
    this.skinStart = start;
    this.skinJoints = Int32Array.from(joints);
    this.skinWeights = Float64Array.from(weights);
    this.jTemplate = new Float64Array(nj * 3);
    this.jShape = new Float64Array(nj * 3 * ns);
    for (let j = 0; j < nj; j++) {
      for (let v = 0; v < nv; v++) {
        const w = data.jointRegressor[j * nv + v];
        if (w === 0) continue;
        for (let c = 0; c < 3; c++) {
          this.jTemplate[3 * j + c] += w * data.vTemplate[3 * v + c];
          for (let s = 0; s < ns; s++) this.jShape[(3 * j + c) * ns + s] += w * data.shapeDirs[(3 * v + c) * ns + s];
        }
      }
    }
  }

  private lastShape: { key: string; vertices: Float64Array; joints: Float64Array } | undefined;

  /** Rest vertices and joints of a body shape; the last one is kept (a synthetic identity poses one shape many times). */
  private shaped(betas: ArrayLike<number>): { vertices: Float64Array; joints: Float64Array } {
    const key = Array.from(betas).join(',');
    if (this.lastShape?.key === key) return this.lastShape;
    const { nv, nj, ns, data } = this;
    const nb = betas.length;
    const vertices = new Float64Array(nv * 3);
    for (let i = 0; i < nv * 3; i++) {
      let s = data.vTemplate[i];
      for (let k = 0; k < nb; k++) s += data.shapeDirs[i * ns + k] * betas[k];
      vertices[i] = s;
    }
    const joints = new Float64Array(nj * 3);
    for (let i = 0; i < nj * 3; i++) {
      let s = this.jTemplate[i];
      for (let k = 0; k < nb; k++) s += this.jShape[i * ns + k] * betas[k];
      joints[i] = s;
    }
    this.lastShape = { key, vertices, joints };
    return this.lastShape;
  }

  /**
   * @param pose axis-angle [3J] (root first, radians)
   * @param betas [S'] with S' <= S (missing coefficients count as zero)
   * @param translation added to every vertex and joint, metres
   * @returns posed vertices float32 [V*3] and joints float32 [J*3]
   */
  pose(
    pose: ArrayLike<number>,
    betas: ArrayLike<number>,
    translation: readonly [number, number, number] = [0, 0, 0],
  ): { vertices: Float32Array; joints: Float32Array } {
    const { nv, nj, ns, data } = this;
    if (pose.length !== 3 * nj) throw new Error(`pose must have ${3 * nj} values (3 per joint), got ${pose.length}`);
    if (betas.length > ns) throw new Error(`betas must have at most ${ns} values, got ${betas.length}`);
    const { vertices: shapedRest, joints: rest } = this.shaped(betas);
    const shaped = data.poseDirs ? shapedRest.slice() : shapedRest;
    const rot = new Float64Array(nj * 9);
    for (let j = 0; j < nj; j++) rodrigues(pose[3 * j], pose[3 * j + 1], pose[3 * j + 2], rot, 9 * j);
    if (data.poseDirs) {
      const np = 9 * (nj - 1);
      const feat = new Float64Array(np);
      for (let j = 1; j < nj; j++) for (let e = 0; e < 9; e++) feat[9 * (j - 1) + e] = rot[9 * j + e] - (e % 4 === 0 ? 1 : 0);
      for (let i = 0; i < nv * 3; i++) {
        let s = 0;
        for (let k = 0; k < np; k++) s += data.poseDirs[i * np + k] * feat[k];
        shaped[i] += s;
      }
    }
    // Global rotation and translation of each joint, then the skinning transform x -> G_R x + (G_t - G_R J).
    const gR = new Float64Array(nj * 9);
    const gT = new Float64Array(nj * 3);
    kinematicChain(data.parents, rot, rest, gR, gT);
    const a = new Float64Array(nj * 12);
    for (let j = 0; j < nj; j++) {
      for (let r = 0; r < 3; r++) {
        for (let c = 0; c < 3; c++) a[12 * j + 3 * r + c] = gR[9 * j + 3 * r + c];
        let t = gT[3 * j + r];
        for (let m = 0; m < 3; m++) t -= gR[9 * j + 3 * r + m] * rest[3 * j + m];
        a[12 * j + 9 + r] = t;
      }
    }
    const out = new Float32Array(nv * 3);
    const [tx, ty, tz] = translation;
    const m = new Float64Array(12);
    for (let v = 0; v < nv; v++) {
      const q0 = this.skinStart[v];
      const q1 = this.skinStart[v + 1];
      let t: Float64Array = m;
      let o = 0;
      if (q1 - q0 === 1 && this.skinWeights[q0] === 1) {
        // Rigidly attached vertex (most of a tube body): its joint's transform as is.
        t = a;
        o = 12 * this.skinJoints[q0];
      } else {
        m.fill(0);
        for (let q = q0; q < q1; q++) {
          const j = 12 * this.skinJoints[q];
          const w = this.skinWeights[q];
          for (let e = 0; e < 12; e++) m[e] += w * a[j + e];
        }
      }
      const x = shaped[3 * v];
      const y = shaped[3 * v + 1];
      const z = shaped[3 * v + 2];
      out[3 * v] = t[o] * x + t[o + 1] * y + t[o + 2] * z + t[o + 9] + tx;
      out[3 * v + 1] = t[o + 3] * x + t[o + 4] * y + t[o + 5] * z + t[o + 10] + ty;
      out[3 * v + 2] = t[o + 6] * x + t[o + 7] * y + t[o + 8] * z + t[o + 11] + tz;
    }
    const joints = new Float32Array(nj * 3);
    for (let j = 0; j < nj; j++) for (let c = 0; c < 3; c++) joints[3 * j + c] = gT[3 * j + c] + translation[c];
    return { vertices: out, joints };
  }
}
