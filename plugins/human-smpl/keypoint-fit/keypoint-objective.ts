/**
 * The keypoint fit's objective and its gradient in plain JavaScript (float64), for one hypothesis: the
 * kinematic chain of the body's joints, the keypoints attached to them, a pinhole projection, and the
 * priors. A step is a few thousand flops, so running it in TF.js (hundreds of tiny kernels a step) cost
 * almost all of the fit's time. The forward pass is `PlainBodyPoser`'s Rodrigues and kinematic chain; the
 * gradient is reverse mode written out by hand, only Rodrigues' derivative taken by central differences
 * (float64, step 1e-6). spec/.../keypoint-objective.spec.ts
 * checks it against TF.js autodiff through `BodyModel`.
 */

import { kinematicChain, rodrigues } from '../body/plain-body-poser';

/** What stays fixed while one hypothesis is fitted. */
export interface FitProblem {
  /** Parent of each joint (-1 for the root; parents come before children). */
  readonly parents: ArrayLike<number>;
  readonly shapeCount: number;
  /** Rest joints of the mean shape [J*3] and their shape directions [(J*3) x S]. */
  readonly jointTemplate: ArrayLike<number>;
  readonly jointShapeDirs: ArrayLike<number>;
  /** Each keypoint's joint [K] and rest offset from it [K*3]. */
  readonly keypointJoint: ArrayLike<number>;
  readonly keypointOffset: ArrayLike<number>;
  /** Observed keypoints divided by the image height [K*2] and their confidences [K]. */
  readonly target: ArrayLike<number>;
  readonly confidence: ArrayLike<number>;
  /** Focal length and principal point divided by the image height. */
  readonly focal: number;
  readonly cx: number;
  readonly cy: number;
  /** Pose prior: weight and rest value of each body-pose entry [69] (the root excluded). */
  readonly poseWeight: ArrayLike<number>;
  readonly poseInit: ArrayLike<number>;
  readonly shapeWeight: number;
  /** Joint limits: body-pose entry and the sign that is allowed (value * sign >= 0). */
  readonly limits: ReadonlyArray<readonly [number, number]>;
  readonly limitWeight: number;
}

/** The parameters of one hypothesis: root axis-angle [3], body pose [J*3-3], betas [S], translation [3]. */
export interface FitParams {
  readonly root: Float64Array;
  readonly body: Float64Array;
  readonly betas: Float64Array;
  readonly trans: Float64Array;
}

/** Nearest z a keypoint may have in front of the camera (as TF's maximum(z, 1e-3)). */
const MIN_Z = 1e-3;
const RODRIGUES_STEP = 1e-6;

/** Scratch arrays of one problem size, reused across steps. */
export class FitWorkspace {
  readonly rest: Float64Array;
  readonly rot: Float64Array;
  readonly g: Float64Array;
  readonly t: Float64Array;
  readonly dRest: Float64Array;
  readonly dG: Float64Array;
  readonly dT: Float64Array;
  readonly rp = new Float64Array(9);
  readonly rm = new Float64Array(9);

  constructor(readonly joints: number) {
    this.rest = new Float64Array(joints * 3);
    this.rot = new Float64Array(joints * 9);
    this.g = new Float64Array(joints * 9);
    this.t = new Float64Array(joints * 3);
    this.dRest = new Float64Array(joints * 3);
    this.dG = new Float64Array(joints * 9);
    this.dT = new Float64Array(joints * 3);
  }
}

/** The body and its keypoints: what places the keypoints for given parameters. */
export type KeypointBody = Pick<FitProblem, 'parents' | 'shapeCount' | 'jointTemplate' | 'jointShapeDirs' | 'keypointJoint' | 'keypointOffset'>;

/** Parameters as gradients: the same layout. */
export type FitGradient = FitParams;

/** Keypoints of the posed body in camera space [K*3] (translation added). Fills `ws`'s chain. */
export function keypoints3d(p: KeypointBody, x: FitParams, ws: FitWorkspace): Float64Array {
  const nj = ws.joints;
  const ns = p.shapeCount;
  for (let i = 0; i < nj * 3; i++) {
    let v = p.jointTemplate[i];
    for (let s = 0; s < ns; s++) v += p.jointShapeDirs[i * ns + s] * x.betas[s];
    ws.rest[i] = v;
  }
  for (let j = 0; j < nj; j++) {
    const a = j === 0 ? x.root : x.body;
    const o = j === 0 ? 0 : 3 * (j - 1);
    rodrigues(a[o], a[o + 1], a[o + 2], ws.rot, 9 * j);
  }
  const { g, t } = ws;
  kinematicChain(p.parents, ws.rot, ws.rest, g, t);
  const nk = p.keypointJoint.length;
  const out = new Float64Array(nk * 3);
  for (let k = 0; k < nk; k++) {
    const j = p.keypointJoint[k];
    const o0 = p.keypointOffset[3 * k];
    const o1 = p.keypointOffset[3 * k + 1];
    const o2 = p.keypointOffset[3 * k + 2];
    for (let r = 0; r < 3; r++) out[3 * k + r] = t[3 * j + r] + g[9 * j + 3 * r] * o0 + g[9 * j + 3 * r + 1] * o1 + g[9 * j + 3 * r + 2] * o2 + x.trans[r];
  }
  return out;
}

/**
 * The objective of one hypothesis (keypoint term + pose prior + shape prior + joint limits) and, when
 * `grad` is given, its gradient written there (overwritten).
 * @returns the total and the keypoint term alone (in image heights squared)
 */
export function fitObjective(p: FitProblem, x: FitParams, ws: FitWorkspace, grad?: FitGradient): { total: number; keypoint: number } {
  const ns = p.shapeCount;
  const nk = p.keypointJoint.length;
  const pts = keypoints3d(p, x, ws);
  let confSum = 0;
  for (let k = 0; k < nk; k++) confSum += p.confidence[k];
  confSum = Math.max(confSum, 1e-6);
  if (grad) {
    grad.root.fill(0);
    grad.body.fill(0);
    grad.betas.fill(0);
    grad.trans.fill(0);
    ws.dRest.fill(0);
    ws.dG.fill(0);
    ws.dT.fill(0);
  }
  let keypoint = 0;
  for (let k = 0; k < nk; k++) {
    const [px, py, pz] = [pts[3 * k], pts[3 * k + 1], pts[3 * k + 2]];
    const z = Math.max(pz, MIN_Z);
    const u = (px / z) * p.focal + p.cx - p.target[2 * k];
    const v = (py / z) * p.focal + p.cy - p.target[2 * k + 1];
    const c = p.confidence[k] / confSum;
    keypoint += c * (u * u + v * v);
    if (!grad || c === 0) continue;
    const du = 2 * c * u;
    const dv = 2 * c * v;
    const dx = (du * p.focal) / z;
    const dy = (dv * p.focal) / z;
    const dz = pz > MIN_Z ? (-(du * px + dv * py) * p.focal) / (z * z) : 0;
    const j = p.keypointJoint[k];
    const o = [p.keypointOffset[3 * k], p.keypointOffset[3 * k + 1], p.keypointOffset[3 * k + 2]];
    const d = [dx, dy, dz];
    for (let r = 0; r < 3; r++) {
      ws.dT[3 * j + r] += d[r];
      grad.trans[r] += d[r];
      for (let cc = 0; cc < 3; cc++) ws.dG[9 * j + 3 * r + cc] += d[r] * o[cc];
    }
  }
  let prior = 0;
  for (let i = 0; i < x.body.length; i++) {
    const e = x.body[i] - p.poseInit[i];
    prior += p.poseWeight[i] * e * e;
    if (grad) grad.body[i] += 2 * p.poseWeight[i] * e;
  }
  let shape = 0;
  for (let s = 0; s < ns; s++) {
    shape += p.shapeWeight * x.betas[s] * x.betas[s];
    if (grad) grad.betas[s] += 2 * p.shapeWeight * x.betas[s];
  }
  let limit = 0;
  for (const [i, sign] of p.limits) {
    const over = Math.max(0, -x.body[i] * sign);
    limit += p.limitWeight * over * over;
    if (grad) grad.body[i] += -2 * p.limitWeight * over * sign;
  }
  if (grad) backChain(p, x, ws, grad);
  return { total: keypoint + prior + shape + limit, keypoint };
}

/** Back through the kinematic chain, Rodrigues and the shape blend: adds to `grad`'s root, body and betas. */
function backChain(p: FitProblem, x: FitParams, ws: FitWorkspace, grad: FitGradient): void {
  const nj = ws.joints;
  const ns = p.shapeCount;
  const { g, rot, rest, dG, dT, dRest } = ws;
  const dR = new Float64Array(9);
  for (let j = nj - 1; j >= 0; j--) {
    const q = p.parents[j];
    if (q < 0) {
      dR.set(dG.subarray(9 * j, 9 * j + 9));
      for (let r = 0; r < 3; r++) dRest[3 * j + r] += dT[3 * j + r];
    } else {
      const d = [rest[3 * j] - rest[3 * q], rest[3 * j + 1] - rest[3 * q + 1], rest[3 * j + 2] - rest[3 * q + 2]];
      // T_j = G_q d + T_q
      for (let r = 0; r < 3; r++) {
        const dt = dT[3 * j + r];
        dT[3 * q + r] += dt;
        for (let c = 0; c < 3; c++) dG[9 * q + 3 * r + c] += dt * d[c];
      }
      for (let c = 0; c < 3; c++) {
        const dd = g[9 * q + c] * dT[3 * j] + g[9 * q + 3 + c] * dT[3 * j + 1] + g[9 * q + 6 + c] * dT[3 * j + 2];
        dRest[3 * j + c] += dd;
        dRest[3 * q + c] -= dd;
      }
      // G_j = G_q R_j: dG_q += dG_j R_j^T, dR_j = G_q^T dG_j
      for (let r = 0; r < 3; r++) {
        for (let c = 0; c < 3; c++) {
          let s1 = 0;
          let s2 = 0;
          for (let m = 0; m < 3; m++) {
            s1 += dG[9 * j + 3 * r + m] * rot[9 * j + 3 * c + m];
            s2 += g[9 * q + 3 * m + r] * dG[9 * j + 3 * m + c];
          }
          dG[9 * q + 3 * r + c] += s1;
          dR[3 * r + c] = s2;
        }
      }
    }
    // dθ = dR : ∂R/∂θ, by central differences of Rodrigues (float64).
    const a = j === 0 ? x.root : x.body;
    const o = j === 0 ? 0 : 3 * (j - 1);
    const out = j === 0 ? grad.root : grad.body;
    for (let i = 0; i < 3; i++) {
      const v = [a[o], a[o + 1], a[o + 2]];
      v[i] += RODRIGUES_STEP;
      rodrigues(v[0], v[1], v[2], ws.rp);
      v[i] -= 2 * RODRIGUES_STEP;
      rodrigues(v[0], v[1], v[2], ws.rm);
      let s = 0;
      for (let e = 0; e < 9; e++) s += dR[e] * (ws.rp[e] - ws.rm[e]);
      out[o + i] += s / (2 * RODRIGUES_STEP);
    }
  }
  for (let s = 0; s < ns; s++) {
    let v = 0;
    for (let i = 0; i < nj * 3; i++) v += dRest[i] * p.jointShapeDirs[i * ns + s];
    grad.betas[s] += v;
  }
}

/** Adam as tf.train.adam updates a variable (beta1 0.9, beta2 0.999, epsilon 1e-7), on plain arrays. */
export class Adam {
  private readonly m: Float64Array[];
  private readonly v: Float64Array[];
  private t = 0;

  constructor(
    private readonly rate: number,
    sizes: readonly number[],
  ) {
    this.m = sizes.map((n) => new Float64Array(n));
    this.v = sizes.map((n) => new Float64Array(n));
  }

  /** One step on `values[i]` with gradients `grads[i]` (the same arrays as the constructor's sizes). */
  step(values: readonly Float64Array[], grads: readonly Float64Array[]): void {
    this.t++;
    const c1 = 1 - 0.9 ** this.t;
    const c2 = 1 - 0.999 ** this.t;
    values.forEach((x, i) => {
      const m = this.m[i];
      const v = this.v[i];
      const g = grads[i];
      for (let e = 0; e < x.length; e++) {
        m[e] = 0.9 * m[e] + 0.1 * g[e];
        v[e] = 0.999 * v[e] + 0.001 * g[e] * g[e];
        x[e] -= (this.rate * (m[e] / c1)) / (Math.sqrt(v[e] / c2) + 1e-7);
      }
    });
  }
}
