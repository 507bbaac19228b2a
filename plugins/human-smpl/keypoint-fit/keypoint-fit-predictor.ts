import type { AlignedMesh } from '../../../core/interfaces/mesh';
import type { MeshPredictor, PredictorInput } from '../../../core/interfaces/mesh-predictor';
import type { tf } from '../../../core/backend/tf';
import type { BodyModel } from '../body/body-model';
import { poseBody } from '../predictors/pose-body';
import { hmrFocalLength } from '../predictors/body-camera';
import { BlazePoseDetector, type BlazePoseVariant, type PoseDetection } from './blazepose-detector';
import { legProportions, maskExtent, maskRegions, verticalSpan, type LegProportions, type MaskExtent } from './body-plausibility';
import { bodyFacing, bodyHeading, type Facing } from './facing';
import {
  annotatedFacing,
  blazePoseVote,
  appearanceVote,
  detectorScore,
  facingScore,
  moveNetVote,
  type FacingCandidate,
  type FacingEvidence,
  UNSURE_SCORE,
} from './facing-decision';
import { KeypointFitter, type FitResult, type FitSettings, type KeypointObservation } from './keypoint-fitter';
import { MoveNetDetector } from './movenet-detector';
import { defaultFacingModel, FacingNet } from './facing-net';
import { SilhouetteRefiner, type KeypointAnchors } from './silhouette-refiner';

/** Options of the keypoint-fit predictor: fit settings, the keypoint confidence floor, and the mask refinement. */
export type KeypointFitOptions = Partial<FitSettings> & {
  /** Keypoints below this confidence are left out (default DEFAULT_MIN_CONFIDENCE). */
  readonly minConfidence?: number;
  /** Adjust shape and placement to the person mask after the keypoint fit (default true). */
  readonly refine?: boolean;
};

/** Below this person score BlazePose has found nobody... */
const MIN_PERSON_SCORE = 0.5;
/**
 * ...unless its person mask covers at least this share of the picture in one region and it is this sure of
 * both shoulders and both hips: its person flag reads low (0.06) on some re-ID crops that plainly show a
 * whole person, which it then finds with certainty. (The mask alone says little: on a plain grey picture it
 * covers 40%, but there the torso landmarks stay unsure.)
 */
const MIN_MASK_SHARE = 0.12;
const MIN_TORSO_CONFIDENCE = 0.95;
/** BlazePose's shoulders and hips. */
const TORSO_LANDMARKS = [11, 12, 23, 24];
/** Keypoints less confident than this are left out of the fit. */
export const DEFAULT_MIN_CONFIDENCE = 0.3;
/** A mask blob at least this share of the largest one counts as another person. */
const SECOND_PERSON_SHARE = 0.35;
/** Keypoints this far outside the image (share of its height) mean the person is cropped. */
const OUTSIDE_MARGIN = 0.03;

/**
 * A leg's hip-knee-ankle path, and without an ankle the knee's drop below the hip, over the torso
 * (mid-shoulder to mid-hip) below which the detected leg is implausible: about 1.6 and 0.85 for an adult
 * (Huston), and legs in the image plane hardly shorten. BlazePose on backs can put the ankles (and knees)
 * at the thighs.
 */
export const MIN_LEG_RATIO = 1.0;
export const MIN_THIGH_DROP = 0.5;
/** Ankles higher than this share of the mask's height above its bottom are not at the feet. */
const MAX_ANKLE_LIFT = 0.2;
/** Fitted over detected torso length: outside this range the fit has shrunk or grown. */
export const TORSO_RANGE: readonly [number, number] = [0.8, 1.25];
/** Fitted body height over the person mask's below which the fit has shrunk (a mask may miss the legs, so no upper bound). */
export const MIN_EXTENT_RATIO = 0.8;
const LEG_KEYPOINTS = /(knee|ankle|heel|foot_index)$/;
/** Initial headings of a fit whose facing is known (radians; 0 faces the camera). */
const SIDE_HEADINGS: Readonly<Record<Facing, readonly number[]>> = {
  front: [0, Math.PI / 3, -Math.PI / 3],
  back: [Math.PI, (2 * Math.PI) / 3, (-2 * Math.PI) / 3],
};
/** BlazePose's own facing vote beyond which its left/right order is clear enough to fit one label order. */
const CLEAR_ORDER = 0.5;

/** What the latest prediction decided and why (diagnostics, benchmarks, the real-photo script). */
export interface FitDiagnostics {
  readonly facing: Facing;
  /** The fitted heading, degrees: 0 faces the camera, +-180 faces away. */
  readonly headingDeg: number;
  /** `annotation` when `annotations.heading` forced it. */
  readonly facingFrom: 'annotation' | 'evidence';
  readonly evidence: FacingEvidence;
  /** > 0 for front (see `facingScore`); NaN when forced or only one facing was fitted. */
  readonly facingScore: number;
  readonly candidates: Partial<Record<Facing, { keypointPx: number; iou: number; loss: number; headingDeg: number }>>;
  /** Leg over torso as detected (NaN when a leg or the torso is missing). */
  readonly legRatio: number;
  /** Fitted over detected torso length. */
  readonly torsoRatio: number;
  /** Fitted body height over the person mask's height (the mask may miss the legs: then above 1). */
  readonly extentRatio: number;
  /** Leg keypoints dropped, and why (empty when the detection was used as is). */
  readonly recovered: readonly string[];
}

/**
 * The default human predictor for photos: BlazePose finds 33 landmarks and a person mask; the body is then
 * fitted to the landmarks (see KeypointFitter) and its shape and placement adjusted to the mask
 * (SilhouetteRefiner; `refine: false` skips that, about a quarter of the time).
 *
 * Facing: a detector's left/right labels decide whether the fit faces the camera, and BlazePose often
 * gets them backwards on people seen from behind. So the facing is voted on by the left/right order of
 * BlazePose on the image and its mirror and of MoveNet on the mirror (see `detectorScore`), and the body is
 * fitted that way round (labels swapped where BlazePose's order disagrees); when the votes are unsure, both
 * facings are fitted and their agreement with the keypoints and the person mask adds in.
 * `annotations.heading` ('front' | 'back') forces the facing.
 *
 * Legs: a detected leg much shorter than the torso allows (BlazePose on backs can put the ankles at the
 * thighs), or with its ankle far above the bottom of a person mask that holds the legs, is dropped and the
 * body's proportions carry it; a fit still shrunken or grown (its torso off the detected one, or its height
 * under MIN_EXTENT_RATIO of the mask's) is rejected with a message saying what was wrong. A picture with
 * nobody, with two people side by side, or with the person cut off at the border is rejected too.
 */
export class KeypointFitPredictor implements MeshPredictor {
  readonly id = 'keypoint-fit';
  readonly fitter: KeypointFitter;
  private readonly refiner: SilhouetteRefiner;
  /** Parameters of the latest fit (for diagnostics and benchmarks). */
  lastFit!: FitResult;
  /** The keypoints the latest fit used (after any leg recovery). */
  lastObservation?: KeypointObservation;
  lastDiagnostics?: FitDiagnostics;

  constructor(
    private readonly model: BodyModel,
    private readonly detector: BlazePoseDetector,
    private readonly settings: KeypointFitOptions = {},
    /** A second keypoint network that votes on the facing (optional: BlazePose alone when absent). */
    private readonly secondOpinion?: MoveNetDetector,
    /** The appearance network that votes on the facing (optional). */
    private readonly facingNet?: FacingNet,
  ) {
    this.fitter = new KeypointFitter(model);
    this.refiner = new SilhouetteRefiner(model);
  }

  /**
   * BlazePose (`variant`, default full) with MoveNet thunder and the appearance network (`facingModel`,
   * default the shipped one) as further opinions on the facing.
   */
  static async load(model: BodyModel, options: KeypointFitOptions & { variant?: BlazePoseVariant; facingModel?: string } = {}): Promise<KeypointFitPredictor> {
    const { variant, facingModel, ...settings } = options;
    const facingNet = await FacingNet.load(facingModel ?? defaultFacingModel());
    const loaded: { dispose(): void }[] = [facingNet];
    try {
      const detector = await BlazePoseDetector.load(variant ?? 'full');
      loaded.push(detector);
      return new KeypointFitPredictor(model, detector, settings, await MoveNetDetector.load('thunder'), facingNet);
    } catch (err) {
      for (const l of loaded) l.dispose();
      throw err;
    }
  }

  /** The fitter's keypoints as observed in a detection; @throws for no person, several, or a cropped one. */
  observe(det: PoseDetection, h: number, w: number, id: string): KeypointObservation {
    const blobs = maskRegions(det.mask, h, w).map((r) => r.length);
    const sureTorso = TORSO_LANDMARKS.every((k) => det.confidence[k] >= MIN_TORSO_CONFIDENCE);
    if (det.personScore < MIN_PERSON_SCORE && !(sureTorso && blobs.length > 0 && blobs[0] >= MIN_MASK_SHARE * h * w)) {
      throw new Error(`no person found in image '${id}' (BlazePose person score ${det.personScore.toFixed(2)}, person mask ${((100 * (blobs[0] ?? 0)) / (h * w)).toFixed(0)}% of the picture)`);
    }
    if (blobs.length > 1 && blobs[1] >= SECOND_PERSON_SHARE * blobs[0]) {
      throw new Error(`image '${id}' seems to show several people (${blobs.length} separate person regions); crop it to one person`);
    }
    const minConf = this.settings.minConfidence ?? DEFAULT_MIN_CONFIDENCE;
    const kps = this.fitter.keypoints;
    const xy = new Float32Array(kps.length * 2);
    const confidence = new Float32Array(kps.length);
    const outside: string[] = [];
    const m = OUTSIDE_MARGIN * h;
    kps.forEach((k, i) => {
      const x = det.landmarks[2 * k.landmark];
      const y = det.landmarks[2 * k.landmark + 1];
      xy.set([x, y], 2 * i);
      const out = x < -m || x > w + m || y < -m || y > h + m;
      if (out && /shoulder|hip|knee|ankle/.test(k.name)) outside.push(k.name);
      const c = det.confidence[k.landmark];
      confidence[i] = c >= minConf && !out ? c : 0;
    });
    if (outside.length > 0) {
      throw new Error(`the person in image '${id}' looks cropped: ${outside.join(', ')} fall outside the picture; keypoint-fit needs the whole body in view`);
    }
    return { xy, confidence };
  }

  /** The detectors' facing votes on an image, without fitting (BlazePose runs here). */
  async judgeFacing(image: tf.Tensor3D): Promise<FacingEvidence> {
    return this.facingEvidence(image, await this.detector.detect(image));
  }

  /** The detectors' facing votes: BlazePose on the image (given) and its mirror, MoveNet on the mirror when loaded. */
  async facingEvidence(image: tf.Tensor3D, det: PoseDetection): Promise<FacingEvidence> {
    const blazePose = blazePoseVote(det);
    // On the mirror the same facing puts the left side on the other side of the image: negate.
    const blazePoseMirrored = -blazePoseVote(await this.detector.detect(image, true));
    const moveNetMirrored = this.secondOpinion ? -moveNetVote((await this.secondOpinion.detect(image, true)).keypoints) : undefined;
    const appearance = this.facingNet ? appearanceVote(await this.facingNet.logit(image)) : undefined;
    const looks = { blazePose, blazePoseMirrored, moveNetMirrored, appearance };
    return { ...looks, score: detectorScore(looks) };
  }

  /**
   * Whether the person mask reaches down far enough to hold the legs (BlazePose's mask can stop at the hips
   * on dark trousers or in low light); only then can its bottom tell where the feet are.
   */
  private maskHoldsLegs(legs: LegProportions, extent: MaskExtent | null): extent is MaskExtent {
    return extent !== null && legs.torso > 0 && extent.bottom - legs.hipY >= MIN_LEG_RATIO * legs.torso;
  }

  /**
   * Drops the leg keypoints (knee, ankle, heel, toe) of the given sides: the body's own proportions then
   * carry those legs on from the torso, and the silhouette refinement (leg length, height) fits them to
   * the mask where it holds the legs. (Ankles taken from the mask's lowest rows were tried and misled the
   * fit whenever the mask stopped short of the feet, or reached lower along a hanging arm.)
   */
  dropLegs(obs: KeypointObservation, sides: readonly ('left' | 'right')[] = ['left', 'right']): KeypointObservation {
    const confidence = Float32Array.from(obs.confidence);
    this.fitter.keypoints.forEach((k, i) => {
      if (LEG_KEYPOINTS.test(k.name) && sides.some((side) => k.name.startsWith(`${side}_`))) confidence[i] = 0;
    });
    return { xy: obs.xy, confidence };
  }

  /** The legs whose detection cannot be trusted, each with the reason. */
  private legProblems(obs: KeypointObservation, legs: LegProportions, extent: MaskExtent | null): Array<{ side: 'left' | 'right'; why: string }> {
    const out: Array<{ side: 'left' | 'right'; why: string }> = [];
    const kps = this.fitter.keypoints;
    const holds = this.maskHoldsLegs(legs, extent);
    for (const side of ['left', 'right'] as const) {
      const m = legs[side];
      const ankle = kps.findIndex((k) => k.name === `${side}_ankle`);
      if (m.path < MIN_LEG_RATIO) out.push({ side, why: `${side} leg ${m.path.toFixed(2)} of the torso length (at least ${MIN_LEG_RATIO} expected)` });
      else if (Number.isNaN(m.path) && m.thighDrop < MIN_THIGH_DROP) {
        out.push({ side, why: `${side} knee ${m.thighDrop.toFixed(2)} torso lengths below the hip (at least ${MIN_THIGH_DROP} expected)` });
      } else if (holds && obs.confidence[ankle] > 0) {
        const lift = (extent.bottom - obs.xy[2 * ankle + 1]) / Math.max(1, extent.bottom - extent.top);
        if (lift > MAX_ANKLE_LIFT) out.push({ side, why: `${side} ankle ${(100 * lift).toFixed(0)}% of the person's height above the feet of the person mask` });
      }
    }
    return out;
  }

  /** The fitted body's torso over the detected one, and its height over the mask's. */
  private proportions(fit: FitResult, legs: LegProportions, extent: MaskExtent | null, h: number, w: number): { torso: number; extent: number } {
    const kp = this.fitter.project(fit.pose, fit.betas, fit.translation, fit.camera, h, w);
    const at = (name: string) => {
      const i = this.fitter.keypoints.findIndex((k) => k.name === name);
      return [kp[2 * i], kp[2 * i + 1]];
    };
    const [ls, rs, lh, rh] = ['left_shoulder', 'right_shoulder', 'left_hip', 'right_hip'].map(at);
    const fitted = Math.hypot((ls[0] + rs[0] - lh[0] - rh[0]) / 2, (ls[1] + rs[1] - lh[1] - rh[1]) / 2);
    let ratio = NaN;
    if (extent) {
      const { vertices } = poseBody(this.model, fit.pose, fit.betas, fit.translation);
      const [lo, hi] = verticalSpan(fit.camera.project(vertices, h, w));
      ratio = (hi - lo) / Math.max(1, extent.bottom - extent.top);
    }
    return { torso: legs.torso > 0 ? fitted / legs.torso : NaN, extent: ratio };
  }

  /** What is implausible about a fit's size, or null. */
  private sizeProblem(p: { torso: number; extent: number }): string | null {
    if (p.torso < TORSO_RANGE[0] || p.torso > TORSO_RANGE[1]) {
      return `the fitted torso is ${p.torso.toFixed(2)} of the detected one (expected ${TORSO_RANGE[0]}-${TORSO_RANGE[1]})`;
    }
    if (p.extent < MIN_EXTENT_RATIO) return `the fitted body is ${p.extent.toFixed(2)} of the person mask's height (at least ${MIN_EXTENT_RATIO} expected)`;
    return null;
  }

  /** Joint keypoints of an observation, for the refinement to stay on. */
  private anchors(obs: KeypointObservation): KeypointAnchors {
    const kps = this.fitter.keypoints;
    const keep = kps.map((k, i) => i).filter((i) => kps[i].offset.every((v) => v === 0));
    return {
      joints: keep.map((i) => kps[i].joint),
      xy: Float32Array.from(keep.flatMap((i) => [obs.xy[2 * i], obs.xy[2 * i + 1]])),
      confidence: Float32Array.from(keep.map((i) => obs.confidence[i])),
    };
  }

  /** A fit and how well it agrees with the keypoints and the mask. */
  private candidate(fit: FitResult, mask: Float32Array, h: number, w: number): FacingCandidate {
    return { fit, keypointPx: fit.reprojectionPx, iou: this.refiner.iou(fit, fit.camera, mask, h, w) };
  }

  /**
   * Fits the body facing the forced way, or the way the detectors are sure of: initial headings on that
   * side only, with BlazePose's labels as they are or swapped as that facing needs (both when its own
   * left/right order is unclear). Unsure: fits both facings and picks by `facingScore`.
   * @returns the chosen fit and the figures behind the choice
   */
  private fitFacing(
    obs: KeypointObservation,
    h: number,
    w: number,
    mask: Float32Array,
    evidence: FacingEvidence,
    forced: Facing | null,
  ): { fit: FitResult; score: number; candidates: FitDiagnostics['candidates'] } {
    const summary: FitDiagnostics['candidates'] = {};
    const describe = (facing: Facing, c: FacingCandidate) => {
      summary[facing] = { keypointPx: c.keypointPx, iou: c.iou, loss: c.fit.loss, headingDeg: (bodyHeading(c.fit.pose) * 180) / Math.PI };
    };
    const bestFacing = (fits: FitResult[], facing: Facing) =>
      fits.filter((f) => bodyFacing(f.pose) === facing).reduce<FitResult | null>((a, f) => (a === null || f.loss < a.loss ? f : a), null);
    const decided = forced ?? (Math.abs(evidence.score) >= UNSURE_SCORE ? (evidence.score > 0 ? 'front' : 'back') : null);
    if (decided) {
      const headings = SIDE_HEADINGS[decided];
      const clear = Math.abs(evidence.blazePose) >= CLEAR_ORDER;
      const swapSides = clear && evidence.blazePose > 0 !== (decided === 'front');
      let fit = bestFacing(this.fitter.fitAll(obs, h, w, { ...this.settings, headings, tryMirrored: !clear, swapSides }), decided);
      // Rarely the fit turns round: try both label orders before giving up on that side.
      if (!fit && clear) fit = bestFacing(this.fitter.fitAll(obs, h, w, { ...this.settings, headings, tryMirrored: true }), decided);
      if (fit) {
        describe(decided, this.candidate(fit, mask, h, w));
        return { fit, score: forced ? NaN : evidence.score, candidates: summary };
      }
      if (forced) throw new Error(`keypoint-fit found no body facing ${forced} (annotations.heading) that matches the keypoints`);
    }
    const all = this.fitter.fitAll(obs, h, w, { ...this.settings, tryMirrored: true });
    const candidates: Partial<Record<Facing, FacingCandidate>> = {};
    for (const facing of ['front', 'back'] as const) {
      const fit = bestFacing(all, facing);
      if (!fit) continue;
      candidates[facing] = this.candidate(fit, mask, h, w);
      describe(facing, candidates[facing] as FacingCandidate);
    }
    const { front, back } = candidates;
    if (front && back) {
      const score = facingScore(evidence, front, back);
      return { fit: score > 0 ? front.fit : back.fit, score, candidates: summary };
    }
    return { fit: ((front ?? back) as FacingCandidate).fit, score: evidence.score, candidates: summary };
  }

  async predict(input: PredictorInput): Promise<AlignedMesh> {
    const [h, w] = input.image.shape;
    const forced = annotatedFacing(input.annotations, input.id);
    const det = await this.detector.detect(input.image);
    let obs = this.observe(det, h, w, input.id);
    const evidence = await this.facingEvidence(input.image, det);
    const extent = maskExtent(det.mask, h, w);
    const legs = legProportions(obs, this.fitter.keypoints);
    const recovered: string[] = [];
    const legIssues = this.legProblems(obs, legs, extent);
    if (legIssues.length) {
      obs = this.dropLegs(obs, legIssues.map((l) => l.side));
      recovered.push(...legIssues.map((l) => l.why));
    }
    let { fit, score, candidates } = this.fitFacing(obs, h, w, det.mask, evidence, forced);
    let size = this.proportions(fit, legs, extent, h, w);
    let sizeIssue = this.sizeProblem(size);
    if (sizeIssue && recovered.length === 0) {
      // The fit shrank or grew although the legs looked plausible: refit with the legs replaced.
      recovered.push(sizeIssue);
      obs = this.dropLegs(obs);
      ({ fit, score, candidates } = this.fitFacing(obs, h, w, det.mask, evidence, forced ?? bodyFacing(fit.pose)));
      size = this.proportions(fit, legs, extent, h, w);
      sizeIssue = this.sizeProblem(size);
    }
    if (sizeIssue) {
      throw new Error(
        `keypoint-fit could not fit a plausible body to image '${input.id}': ${sizeIssue}` +
          (recovered.length ? `, even after dropping BlazePose's leg keypoints (${recovered.join('; ')})` : '') +
          '; its keypoints or person mask are probably wrong',
      );
    }
    if (this.settings.refine !== false) {
      // Keypoints fix the pose; the person mask fixes what they cannot see (girth, shoulder width).
      const focal = this.settings.focalLength ?? hmrFocalLength(Math.max(h, w));
      const r = this.refiner.refine(fit, fit.camera, focal, det.mask, h, w, this.anchors(obs));
      fit = { ...fit, betas: r.betas, translation: [r.translation[0], r.translation[1], r.translation[2]] };
      size = this.proportions(fit, legs, extent, h, w);
    }
    this.lastFit = fit;
    this.lastObservation = obs;
    this.lastDiagnostics = {
      facing: bodyFacing(fit.pose),
      headingDeg: (bodyHeading(fit.pose) * 180) / Math.PI,
      facingFrom: forced ? 'annotation' : 'evidence',
      evidence,
      facingScore: score,
      candidates,
      legRatio: legs.ratio,
      torsoRatio: size.torso,
      extentRatio: size.extent,
      recovered,
    };
    const { vertices } = poseBody(this.model, fit.pose, fit.betas, fit.translation);
    return { mesh: this.model.meshFromVertices(vertices), camera: fit.camera, mask: det.mask };
  }

  dispose(): void {
    this.detector.dispose();
    this.secondOpinion?.dispose();
    this.facingNet?.dispose();
    this.model.dispose();
  }
}
