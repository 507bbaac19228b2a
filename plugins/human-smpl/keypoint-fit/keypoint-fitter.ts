import { PerspectiveCamera } from '../../../core/renderer/perspective-camera';
import type { BodyModel } from '../body/body-model';
import { smplJointIndex } from '../body/smpl-skeleton';
import { standingPose } from '../poses/pose-set';
import { compose, matrixToAxisAngle, rotationX, rotationY } from '../poses/rotation-math';
import { hmrFocalLength } from '../predictors/body-camera';
import { bodyKeypoints, type BodyKeypoint } from './body-keypoints';
import { Adam, fitObjective, FitWorkspace, keypoints3d, type FitParams, type FitProblem, type KeypointBody } from './keypoint-objective';

/** Detected 2D keypoints, one per `KeypointFitter.keypoints` entry. */
export interface KeypointObservation {
  /** float32 [K*2], pixels: x right, y down (pixel centres at integer + 0.5). */
  readonly xy: Float32Array;
  /** float32 [K] in [0,1]; 0 leaves a keypoint out. */
  readonly confidence: Float32Array;
}

/** Settings of the fit (defaults in `DEFAULT_FIT_SETTINGS`). */
export interface FitSettings {
  /** Adam steps in total; the first quarter moves only the root orientation and translation. */
  readonly steps: number;
  readonly learningRate: number;
  /** Pose prior weight of the limb joints (hips, knees, shoulders, elbows) and of all other joints. */
  readonly limbPoseWeight: number;
  readonly otherPoseWeight: number;
  /** Shape regularisation weight (betas towards zero). */
  readonly shapeWeight: number;
  /** Weight of the joint-limit penalty (knees and elbows bending the wrong way). */
  readonly limitWeight: number;
  /** Initial headings tried in parallel (radians about the body's up axis; 0 faces the camera). */
  readonly headings: readonly number[];
  /** Also try every heading with left and right keypoints swapped (detectors confuse them from behind). */
  readonly tryMirrored: boolean;
  /** Without `tryMirrored`: fit with left and right swapped instead of as detected (default false). */
  readonly swapSides?: boolean;
  /** Focal length in pixels; default HMR's (5000 px per 224 px of the longer image side). */
  readonly focalLength?: number;
}

export const DEFAULT_FIT_SETTINGS: FitSettings = {
  steps: 80,
  learningRate: 0.05,
  limbPoseWeight: 0.0002,
  otherPoseWeight: 0.005,
  shapeWeight: 0.002,
  limitWeight: 1,
  headings: [0, Math.PI / 2, Math.PI, -Math.PI / 2],
  tryMirrored: false,
};

/** The fitted body and its camera. */
export interface FitResult {
  /** Axis-angle [72]; the root is in camera axes (x right, y down, z forward). */
  readonly pose: Float32Array;
  readonly betas: Float32Array;
  readonly translation: [number, number, number];
  readonly camera: PerspectiveCamera;
  /** Confidence-weighted mean distance (px) between the fitted and the observed keypoints. */
  readonly reprojectionPx: number;
  /** The hypothesis that won: its initial heading and whether left and right were swapped. */
  readonly heading: number;
  readonly mirrored: boolean;
  /** Final objective of this hypothesis (keypoints + priors) and its keypoint term alone (image heights squared). */
  readonly loss: number;
  readonly keypointLoss: number;
}

/** The knee x and elbow y rotations (body-pose entries, root excluded) and the sign that is allowed. */
const LIMITS: ReadonlyArray<readonly [number, number]> = [
  [3 * (smplJointIndex('left_knee') - 1), 1], // knees bend with +x
  [3 * (smplJointIndex('right_knee') - 1), 1],
  [3 * (smplJointIndex('left_elbow') - 1) + 1, -1], // left elbow bends with -y
  [3 * (smplJointIndex('right_elbow') - 1) + 1, 1],
];

const LIMB_JOINTS = ['left_hip', 'right_hip', 'left_knee', 'right_knee', 'left_shoulder', 'right_shoulder', 'left_elbow', 'right_elbow'] as const;

/**
 * SMPLify-style fitting of pose, shape and translation to 2D keypoints, with a fixed pinhole camera (no
 * rotation, HMR's focal length): Adam on the keypoint reprojection error (normalised by the image height)
 * plus priors: pose towards a relaxed standing pose, betas towards zero, knees and elbows within their
 * range. Several initial headings (and left/right swaps) are optimised together as one batch; the best
 * final loss wins. Uses only the joints (no vertex skinning), so each step is cheap.
 */
export class KeypointFitter {
  readonly keypoints: readonly BodyKeypoint[];
  /** The body's joints and the keypoints on them, as the plain-JS objective takes them. */
  private readonly body: KeypointBody;
  private readonly ws: FitWorkspace;

  constructor(private readonly model: BodyModel) {
    // The mean shape's rest joints: where the keypoints' offsets are measured from.
    this.keypoints = bodyKeypoints(model.data, model.jointTemplate);
    this.body = {
      parents: model.data.parents,
      shapeCount: model.shapeCount,
      jointTemplate: model.jointTemplate,
      jointShapeDirs: model.jointShapeDirs,
      keypointJoint: Int32Array.from(this.keypoints, (k) => k.joint),
      keypointOffset: Float64Array.from(this.keypoints.flatMap((k) => [...k.offset])),
    };
    this.ws = new FitWorkspace(model.jointCount);
  }

  /** Body keypoints [K*3] in camera space for one parameter set (pose [J*3], betas [<= S]). */
  private keypoints3d(pose: ArrayLike<number>, betas: ArrayLike<number>, translation: ArrayLike<number>): Float64Array {
    const padded = new Float64Array(this.model.shapeCount);
    padded.set(Array.from(betas));
    const x: FitParams = { root: Float64Array.from(Array.from(pose).slice(0, 3)), body: Float64Array.from(Array.from(pose).slice(3)), betas: padded, trans: Float64Array.from(translation) };
    return keypoints3d(this.body, x, this.ws);
  }

  /**
   * Fits the body to keypoints observed in an H x W image: the best of `fitAll`'s hypotheses.
   * @throws when fewer than 6 keypoints have confidence > 0
   */
  fit(obs: KeypointObservation, height: number, width: number, settings: Partial<FitSettings> = {}): FitResult {
    const all = this.fitAll(obs, height, width, settings);
    return all.reduce((a, b) => (b.loss < a.loss ? b : a));
  }

  /**
   * Fits every hypothesis (initial heading x, with `tryMirrored`, left/right as detected or swapped) as one
   * batch and returns them all, in the order of `settings.headings` (unswapped before swapped).
   * @throws when fewer than 6 keypoints have confidence > 0
   */
  fitAll(obs: KeypointObservation, height: number, width: number, settings: Partial<FitSettings> = {}): FitResult[] {
    const given = Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined));
    const s: FitSettings = { ...DEFAULT_FIT_SETTINGS, ...given };
    const nk = this.keypoints.length;
    if (obs.xy.length !== 2 * nk || obs.confidence.length !== nk) {
      throw new Error(`expected ${nk} keypoints (xy [${2 * nk}], confidence [${nk}]), got ${obs.xy.length / 2} and ${obs.confidence.length}`);
    }
    const seen = obs.confidence.filter((c) => c > 0).length;
    if (seen < 6) throw new Error(`only ${seen} body keypoints were found; fitting needs at least 6 (is the whole person in the picture?)`);
    if (s.headings.length === 0) throw new Error('fit settings: headings is empty; give at least one initial heading');
    const f = s.focalLength ?? hmrFocalLength(Math.max(height, width));
    const [cx, cy] = [width / 2, height / 2];

    // One hypothesis per initial heading x (as detected | left/right swapped).
    const hyps: Array<{ heading: number; mirrored: boolean }> = [];
    const orders = s.tryMirrored ? [false, true] : [s.swapSides === true];
    for (const heading of s.headings) for (const mirrored of orders) hyps.push({ heading, mirrored });
    const b = hyps.length;
    const targets = new Float32Array(b * nk * 2);
    const conf = new Float32Array(b * nk);
    hyps.forEach((h, i) => {
      for (let k = 0; k < nk; k++) {
        const src = h.mirrored ? this.keypoints[k].mirror : k;
        targets.set([obs.xy[2 * src] / height, obs.xy[2 * src + 1] / height], 2 * (i * nk + k));
        conf[i * nk + k] = obs.confidence[src];
      }
    });
    const base = standingPose(0);
    const rootInit = hyps.map((h) => matrixToAxisAngle(compose(rotationX(Math.PI), rotationY(h.heading))));
    const transInit = this.initialTranslation(obs, base, f, cx, cy);

    const ns = this.model.shapeCount;
    const poseWeights = new Float64Array(69).fill(s.otherPoseWeight);
    for (const name of LIMB_JOINTS) poseWeights.fill(s.limbPoseWeight, 3 * (smplJointIndex(name) - 1), 3 * smplJointIndex(name));
    const camera = new PerspectiveCamera({ focalLength: f, principalPoint: [cx, cy] });
    // Hypotheses are independent (the batched TF.js fit summed their losses): each is fitted on its own.
    return hyps.map((h, i) => {
      const problem: FitProblem = {
        ...this.body,
        target: targets.subarray(2 * nk * i, 2 * nk * (i + 1)),
        confidence: conf.subarray(nk * i, nk * (i + 1)),
        focal: f / height,
        cx: cx / height,
        cy: cy / height,
        poseWeight: poseWeights,
        poseInit: base.subarray(3),
        shapeWeight: s.shapeWeight,
        limits: LIMITS,
        limitWeight: s.limitWeight,
      };
      const x: FitParams = {
        root: Float64Array.from(rootInit[i]),
        body: Float64Array.from(base.subarray(3)),
        betas: new Float64Array(ns),
        trans: Float64Array.from(transInit),
      };
      const grad: FitParams = { root: new Float64Array(3), body: new Float64Array(69), betas: new Float64Array(ns), trans: new Float64Array(3) };
      // The first quarter moves only the root and the translation, then everything, each with a fresh Adam.
      const rigidSteps = Math.floor(s.steps / 4);
      const rigid = new Adam(s.learningRate, [3, 3]);
      const full = new Adam(s.learningRate, [3, 69, ns, 3]);
      for (let step = 0; step < s.steps; step++) {
        fitObjective(problem, x, this.ws, grad);
        if (step < rigidSteps) rigid.step([x.root, x.trans], [grad.root, grad.trans]);
        else full.step([x.root, x.body, x.betas, x.trans], [grad.root, grad.body, grad.betas, grad.trans]);
      }
      const { total, keypoint } = fitObjective(problem, x, this.ws);
      const pose = new Float32Array(72);
      pose.set(x.root, 0);
      pose.set(x.body, 3);
      const betasOut = Float32Array.from(x.betas);
      const translation: [number, number, number] = [x.trans[0], x.trans[1], x.trans[2]];
      const reprojectionPx = this.reprojection(pose, betasOut, translation, targets.subarray(2 * nk * i, 2 * nk * (i + 1)), conf.subarray(nk * i, nk * (i + 1)), f, cx, cy, height);
      return { pose, betas: betasOut, translation, camera, reprojectionPx, heading: h.heading, mirrored: h.mirrored, loss: total, keypointLoss: keypoint };
    });
  }

  /** Projected body keypoints float32 [K*2] (pixels) for one parameter set. */
  project(pose: ArrayLike<number>, betas: ArrayLike<number>, translation: readonly number[], camera: PerspectiveCamera, height: number, width: number): Float32Array {
    const pr = camera.project(Float32Array.from(this.keypoints3d(pose, betas, translation)), height, width);
    return Float32Array.from({ length: this.keypoints.length * 2 }, (_, i) => pr[3 * Math.floor(i / 2) + (i % 2)]);
  }

  private reprojection(
    pose: Float32Array,
    betas: Float32Array,
    translation: [number, number, number],
    targetsNorm: Float32Array,
    conf: Float32Array,
    f: number,
    cx: number,
    cy: number,
    height: number,
  ): number {
    const xy = this.project(pose, betas, translation, new PerspectiveCamera({ focalLength: f, principalPoint: [cx, cy] }), height, 2 * cx);
    let sum = 0;
    let w = 0;
    for (let k = 0; k < conf.length; k++) {
      if (conf[k] <= 0) continue;
      sum += conf[k] * Math.hypot(xy[2 * k] - targetsNorm[2 * k] * height, xy[2 * k + 1] - targetsNorm[2 * k + 1] * height);
      w += conf[k];
    }
    return sum / w;
  }

  /** Translation that puts the standing body's keypoints over the observed ones (scale from their spread). */
  private initialTranslation(obs: KeypointObservation, base: Float32Array, f: number, cx: number, cy: number): [number, number, number] {
    const flip = matrixToAxisAngle(rotationX(Math.PI));
    const pose = base.slice();
    pose.set(flip, 0);
    const p3 = this.keypoints3d(pose, [], [0, 0, 0]);
    let y2lo = Infinity;
    let y2hi = -Infinity;
    let y3lo = Infinity;
    let y3hi = -Infinity;
    let mx = 0;
    let my = 0;
    let mX = 0;
    let mY = 0;
    let mZ = 0;
    let w = 0;
    for (let k = 0; k < this.keypoints.length; k++) {
      const c = obs.confidence[k];
      if (c <= 0) continue;
      y2lo = Math.min(y2lo, obs.xy[2 * k + 1]);
      y2hi = Math.max(y2hi, obs.xy[2 * k + 1]);
      y3lo = Math.min(y3lo, p3[3 * k + 1]);
      y3hi = Math.max(y3hi, p3[3 * k + 1]);
      mx += c * obs.xy[2 * k];
      my += c * obs.xy[2 * k + 1];
      mX += c * p3[3 * k];
      mY += c * p3[3 * k + 1];
      mZ += c * p3[3 * k + 2];
      w += c;
    }
    const depth = (f * Math.max(0.3, y3hi - y3lo)) / Math.max(4, y2hi - y2lo);
    return [((mx / w - cx) * depth) / f - mX / w, ((my / w - cy) * depth) / f - mY / w, depth - mZ / w];
  }

}
