import { axisAngleToMatrix, multiplyMatrices, quaternionToMatrix, type Mat3 } from '../../../core/renderer/rotation';
import { solveLinear } from '../../../core/linear-solve';
import { matrixToQuaternion, type Quaternion } from './quaternion';

/**
 * CMR's weak-perspective camera as plain numbers: normalised image coordinates n = s R(q) X[:2] + t,
 * where n is in [-1,1] across the image (x right, y down), as core's `WeakPerspectiveCamera` maps them
 * to pixels.
 */
export interface WeakPerspectiveParams {
  readonly scale: number;
  readonly translation: readonly [number, number];
  /** Unit quaternion [w, x, y, z] with w >= 0. */
  readonly quaternion: Quaternion;
}

/** A camera fitted to 2D-3D correspondences. */
export interface CameraFit extends WeakPerspectiveParams {
  /** Root-mean-square reprojection error over the weighted points, in normalised units (1 = half the image). */
  readonly rmse: number;
  /** How many points had non-zero weight. */
  readonly pointsUsed: number;
}

/** Options of {@link fitWeakPerspective}. */
export interface CameraFitOptions {
  /** Gauss-Newton / Levenberg-Marquardt iterations of the final refinement. Default 50. */
  readonly iterations?: number;
}

/**
 * Projects model points with a weak-perspective camera.
 * @param points float [N*3] model space
 * @returns float64 [N*2] normalised image coordinates
 */
export function projectWeakPerspective(params: WeakPerspectiveParams, points: ArrayLike<number>): Float64Array {
  const r = quaternionToMatrix(params.quaternion);
  return projectWith(r, params.scale, params.translation[0], params.translation[1], points);
}

function projectWith(r: Mat3, s: number, tx: number, ty: number, points: ArrayLike<number>): Float64Array {
  const n = points.length / 3;
  const out = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const x = points[3 * i];
    const y = points[3 * i + 1];
    const z = points[3 * i + 2];
    out[2 * i] = s * (r[0] * x + r[1] * y + r[2] * z) + tx;
    out[2 * i + 1] = s * (r[3] * x + r[4] * y + r[5] * z) + ty;
  }
  return out;
}

/** The smallest number of weighted points a camera is fitted to. */
export const MIN_FIT_POINTS = 3;

/**
 * Fits a weak-perspective camera (scale, translation, rotation) to 2D-3D correspondences: orthographic
 * Procrustes on the points with non-zero weight. There is no closed form for the orthographic case, so
 * it starts from the best affine camera projected onto a scaled rotation (when four or more points
 * span 3D) and from the 24 axis-aligned rotations, refines each by Levenberg-Marquardt on the weighted
 * squared reprojection error, and keeps the best.
 * @param model float [N*3] model-space points
 * @param image float [N*2] their observed normalised image coordinates (n = 2 px / W - 1)
 * @param weights [N] per-point weights >= 0 (0 = not visible); default all 1
 * @throws when fewer than MIN_FIT_POINTS points are usable, or the inputs disagree in length
 */
export function fitWeakPerspective(
  model: ArrayLike<number>,
  image: ArrayLike<number>,
  weights?: ArrayLike<number>,
  options: CameraFitOptions = {},
): CameraFit {
  const n = model.length / 3;
  if (!Number.isInteger(n) || image.length !== 2 * n) {
    throw new Error(`camera fit needs N*3 model coordinates and N*2 image coordinates, got ${model.length} and ${image.length}`);
  }
  if (weights && weights.length !== n) throw new Error(`camera fit got ${weights.length} weights for ${n} points`);
  const idx: number[] = [];
  const w: number[] = [];
  for (let i = 0; i < n; i++) {
    const wi = weights ? weights[i] : 1;
    if (!(wi >= 0) || !Number.isFinite(wi)) throw new Error(`camera fit weight ${i} is ${wi}: weights must be finite and >= 0`);
    const finite = [0, 1, 2].every((d) => Number.isFinite(model[3 * i + d])) && Number.isFinite(image[2 * i]) && Number.isFinite(image[2 * i + 1]);
    if (wi > 0 && !finite) throw new Error(`camera fit point ${i} has a non-finite coordinate; give it weight 0 if it is missing`);
    if (wi > 0) {
      idx.push(i);
      w.push(wi);
    }
  }
  if (idx.length < MIN_FIT_POINTS) {
    throw new Error(
      `a weak-perspective camera needs at least ${MIN_FIT_POINTS} visible keypoints, got ${idx.length}: ` +
        'the image does not show enough of the bird to place the mesh',
    );
  }
  const X = idx.flatMap((i) => [model[3 * i], model[3 * i + 1], model[3 * i + 2]]);
  const Y = idx.flatMap((i) => [image[2 * i], image[2 * i + 1]]);
  const problem = new FitProblem(X, Y, w);

  const starts: Mat3[] = [...AXIS_ROTATIONS];
  const affine = problem.affineStart();
  if (affine) starts.unshift(affine);
  let best: Solution | undefined;
  for (const r0 of starts) {
    const sol = problem.refine(problem.initialFor(r0), 15);
    if (!best || sol.cost < best.cost) best = sol;
  }
  const final = problem.refine(best as Solution, options.iterations ?? 50);
  const totalWeight = w.reduce((a, b) => a + b, 0);
  return {
    scale: final.s,
    translation: [final.tx, final.ty],
    quaternion: matrixToQuaternion(final.r),
    rmse: Math.sqrt(final.cost / totalWeight),
    pointsUsed: idx.length,
  };
}

interface Solution {
  r: Mat3;
  s: number;
  tx: number;
  ty: number;
  cost: number;
}

/** The 24 rotations that permute the axes (with signs), as starting points of the refinement. */
const AXIS_ROTATIONS: readonly Mat3[] = (() => {
  const out: Mat3[] = [];
  const perms = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
  for (const p of perms) {
    for (let signs = 0; signs < 8; signs++) {
      const m = new Float64Array(9);
      for (let r = 0; r < 3; r++) m[3 * r + p[r]] = signs & (1 << r) ? -1 : 1;
      if (det3(m) > 0) out.push(m);
    }
  }
  return out;
})();

function det3(m: ArrayLike<number>): number {
  return m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);
}

/** The weighted least-squares problem over (rotation, scale, translation). */
class FitProblem {
  private readonly n: number;

  constructor(
    private readonly X: number[],
    private readonly Y: number[],
    private readonly w: number[],
  ) {
    this.n = w.length;
  }

  cost(r: Mat3, s: number, tx: number, ty: number): number {
    const p = projectWith(r, s, tx, ty, this.X);
    let c = 0;
    for (let i = 0; i < this.n; i++) c += this.w[i] * ((p[2 * i] - this.Y[2 * i]) ** 2 + (p[2 * i + 1] - this.Y[2 * i + 1]) ** 2);
    return c;
  }

  /** For a fixed rotation, the optimal scale and translation are a linear least-squares problem. */
  initialFor(r: Mat3): Solution {
    const { X, Y, w, n } = this;
    // Unknowns s, tx, ty: residual_x = s a_i + tx - y_i, residual_y = s b_i + ty - y'_i.
    const ata = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
    const atb = [0, 0, 0];
    for (let i = 0; i < n; i++) {
      const a = r[0] * X[3 * i] + r[1] * X[3 * i + 1] + r[2] * X[3 * i + 2];
      const b = r[3] * X[3 * i] + r[4] * X[3 * i + 1] + r[5] * X[3 * i + 2];
      const wi = w[i];
      ata[0][0] += wi * (a * a + b * b);
      ata[0][1] += wi * a;
      ata[0][2] += wi * b;
      ata[1][1] += wi;
      ata[2][2] += wi;
      atb[0] += wi * (a * Y[2 * i] + b * Y[2 * i + 1]);
      atb[1] += wi * Y[2 * i];
      atb[2] += wi * Y[2 * i + 1];
    }
    ata[1][0] = ata[0][1];
    ata[2][0] = ata[0][2];
    const x = solveLinear(ata, atb) ?? [1, 0, 0];
    // A negative scale would be a rotation by pi about the view axis: keep s > 0 and let LM turn.
    const s = Math.max(Math.abs(x[0]), 1e-6);
    const sol = { r, s, tx: x[1], ty: x[2], cost: 0 };
    sol.cost = this.cost(r, sol.s, sol.tx, sol.ty);
    return sol;
  }

  /**
   * The best affine camera (2x3 matrix M and translation), projected onto s times two orthonormal
   * rows; null when the weighted points do not span 3D (fewer than 4, or coplanar).
   */
  affineStart(): Mat3 | null {
    const { X, Y, w, n } = this;
    if (n < 4) return null;
    const wsum = w.reduce((a, b) => a + b, 0);
    const mx = [0, 1, 2].map((d) => X.reduce((acc, _, i) => (i % 3 === d ? acc + w[Math.floor(i / 3)] * X[i] : acc), 0) / wsum);
    const my = [0, 1].map((d) => Y.reduce((acc, _, i) => (i % 2 === d ? acc + w[Math.floor(i / 2)] * Y[i] : acc), 0) / wsum);
    const zz = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
    const yz = [[0, 0, 0], [0, 0, 0]];
    for (let i = 0; i < n; i++) {
      const z = [0, 1, 2].map((d) => X[3 * i + d] - mx[d]);
      const y = [0, 1].map((d) => Y[2 * i + d] - my[d]);
      for (let a = 0; a < 3; a++) {
        for (let b = 0; b < 3; b++) zz[a][b] += w[i] * z[a] * z[b];
        for (let b = 0; b < 2; b++) yz[b][a] += w[i] * y[b] * z[a];
      }
    }
    // M = yz * zz^-1, row by row: zz is symmetric, so each row m solves zz m = yz_row.
    const rows: number[][] = [];
    for (let b = 0; b < 2; b++) {
      const m = solveLinear(zz, yz[b]);
      if (!m) return null;
      rows.push(m);
    }
    const cond = Math.abs(det3(zz.flat()));
    if (cond < 1e-12) return null;
    // Nearest pair of orthonormal rows to M (polar factor): (M M^T)^(-1/2) M.
    const a = rows[0].reduce((acc, v) => acc + v * v, 0);
    const b = rows[0].reduce((acc, v, k) => acc + v * rows[1][k], 0);
    const c = rows[1].reduce((acc, v) => acc + v * v, 0);
    // Inverse square root of the symmetric 2x2 [[a, b], [b, c]] via its eigen-decomposition.
    const tr = a + c;
    const disc = Math.sqrt(Math.max(0, ((a - c) / 2) ** 2 + b * b));
    const l1 = tr / 2 + disc;
    const l2 = tr / 2 - disc;
    if (!(l2 > 1e-12)) return null;
    let v1 = Math.abs(b) > 1e-15 ? [l1 - c, b] : a >= c ? [1, 0] : [0, 1];
    const norm = Math.hypot(v1[0], v1[1]);
    v1 = [v1[0] / norm, v1[1] / norm];
    const v2 = [-v1[1], v1[0]];
    const i1 = 1 / Math.sqrt(l1);
    const i2 = 1 / Math.sqrt(l2);
    const inv = [
      [i1 * v1[0] * v1[0] + i2 * v2[0] * v2[0], i1 * v1[0] * v1[1] + i2 * v2[0] * v2[1]],
      [i1 * v1[1] * v1[0] + i2 * v2[1] * v2[0], i1 * v1[1] * v1[1] + i2 * v2[1] * v2[1]],
    ];
    const r1 = [0, 1, 2].map((k) => inv[0][0] * rows[0][k] + inv[0][1] * rows[1][k]);
    const r2 = [0, 1, 2].map((k) => inv[1][0] * rows[0][k] + inv[1][1] * rows[1][k]);
    const r3 = [r1[1] * r2[2] - r1[2] * r2[1], r1[2] * r2[0] - r1[0] * r2[2], r1[0] * r2[1] - r1[1] * r2[0]];
    return Float64Array.of(...r1, ...r2, ...r3);
  }

  /** Levenberg-Marquardt over a left rotation increment, scale and translation. */
  refine(start: Solution, iterations: number): Solution {
    const { X, Y, w, n } = this;
    let cur = { ...start, cost: this.cost(start.r, start.s, start.tx, start.ty) };
    let lambda = 1e-3;
    for (let it = 0; it < iterations; it++) {
      const jtj = Array.from({ length: 6 }, () => new Array<number>(6).fill(0));
      const jtr = new Array<number>(6).fill(0);
      const r = cur.r;
      for (let i = 0; i < n; i++) {
        const p = [0, 1, 2].map((row) => r[3 * row] * X[3 * i] + r[3 * row + 1] * X[3 * i + 1] + r[3 * row + 2] * X[3 * i + 2]);
        const res = [cur.s * p[0] + cur.tx - Y[2 * i], cur.s * p[1] + cur.ty - Y[2 * i + 1]];
        // d(R p)/d(omega) for R <- exp([omega]x) R is -[p]x; rows x and y of it, times s.
        const jx = [0, cur.s * p[2], -cur.s * p[1], p[0], 1, 0];
        const jy = [-cur.s * p[2], 0, cur.s * p[0], p[1], 0, 1];
        for (const [j, e] of [[jx, res[0]], [jy, res[1]]] as [number[], number][]) {
          for (let a = 0; a < 6; a++) {
            jtr[a] += w[i] * j[a] * e;
            for (let b = 0; b < 6; b++) jtj[a][b] += w[i] * j[a] * j[b];
          }
        }
      }
      let improved = false;
      for (let attempt = 0; attempt < 8 && !improved; attempt++) {
        const damped = jtj.map((row, a) => row.map((v, b) => (a === b ? v + lambda * (v + 1e-9) : v)));
        const step = solveLinear(damped, jtr.map((v) => -v));
        if (!step) {
          lambda *= 10;
          continue;
        }
        const r2 = multiplyMatrices(axisAngleToMatrix(step.slice(0, 3)), r);
        const s2 = Math.max(cur.s + step[3], 1e-9);
        const cost = this.cost(r2, s2, cur.tx + step[4], cur.ty + step[5]);
        if (cost < cur.cost) {
          const gain = cur.cost - cost;
          cur = { r: r2, s: s2, tx: cur.tx + step[4], ty: cur.ty + step[5], cost };
          lambda = Math.max(lambda / 3, 1e-9);
          improved = true;
          if (gain < 1e-15 * (1 + cost)) return cur;
        } else {
          lambda *= 10;
        }
      }
      if (!improved) break;
    }
    return cur;
  }
}
