import type { PredictorInput } from '../../../core/interfaces/mesh-predictor';
import type { PoseDetection } from './blazepose-detector';
import { orderingVote, type Facing } from './facing';
import type { FitResult } from './keypoint-fitter';
import { MOVENET_INDEX } from './movenet-detector';

/**
 * Weights of the facing decision's detector votes (see `detectorScore`), from a logistic regression on 504
 * synthetic people more than 15 degrees from side-on (`retex synth --seed 11`, not the benchmark's sets).
 * The detectors err one way: they take backs for fronts, rarely the reverse. Hence `certainty`, a pull
 * towards back in proportion to how sure the looks are (their mean |vote|): a confident front needs the
 * looks to agree, while weak votes (a side-on person) leave the score near 0 for the fits' agreement to
 * settle. MoveNet on the mirrored image is the best single look; MoveNet on the image itself added nothing
 * to the three (483 of 504 right either way), so it is not run.
 */
export const FACING_WEIGHTS = { blazePose: 1.4, blazePoseMirrored: 1.25, moveNetMirrored: 3.65, certainty: -2.25, bias: -0.7 } as const;
/**
 * The same with the appearance network's vote (`appearanceVote`): a logistic regression on 597 synthetic
 * people more than 15 degrees from side-on (`retex synth --seed 11`), 98.0% right in 5-fold cross-validation
 * against 95.1% for the detectors alone. Refit with `node scripts/fit-facing-weights.js --data DIR` after
 * retraining the network.
 */
export const FACING_WEIGHTS_WITH_APPEARANCE = { blazePose: 1.04, blazePoseMirrored: 0.95, moveNetMirrored: 2.62, appearance: 3.23, certainty: -1.57, bias: -0.99 } as const;
/** The same without MoveNet (BlazePose alone, same regression): weaker (444 of 504). */
export const FACING_WEIGHTS_BLAZEPOSE_ONLY = { blazePose: 2.1, blazePoseMirrored: 1.45, certainty: -2, bias: 0.2 } as const;
/** Below this |detector score| the facing counts as unsure and the fits' agreement with the image adds in. */
export const UNSURE_SCORE = 1;
/** Weights of that agreement: per px of keypoint distance (back minus front), per unit of IoU (front minus back). */
export const AGREEMENT_WEIGHTS = { keypointPx: 1, iou: 5 } as const;

/** The looks at an image that vote on its facing: each in (-1,1), > 0 front (see `orderingVote`). */
export interface FacingEvidence {
  /** BlazePose on the image: the order of the labels the fit starts from. */
  readonly blazePose: number;
  /** BlazePose on the image flipped left to right (negated, so that > 0 still says front). */
  readonly blazePoseMirrored: number;
  /** MoveNet on the flipped image, likewise; absent without MoveNet. */
  readonly moveNetMirrored?: number;
  /** The appearance network (`FacingNet`) on the image and its mirror (see `appearanceVote`); absent without it. */
  readonly appearance?: number;
  /** The weighted votes plus bias: > 0 says front; |score| < UNSURE_SCORE is unsure. */
  readonly score: number;
}

/** The appearance network's vote from its logit, in (-1, 1) like the detectors' (> 0 front). */
export function appearanceVote(logit: number): number {
  return Math.tanh(logit / 2);
}

/** Combines the looks' votes into one score (> 0 front). */
export function detectorScore(votes: Omit<FacingEvidence, 'score'>): number {
  const certainty = (vs: number[]) => vs.reduce((a, v) => a + Math.abs(v), 0) / vs.length;
  const { blazePose, blazePoseMirrored, moveNetMirrored, appearance } = votes;
  if (moveNetMirrored !== undefined && appearance !== undefined) {
    const w = FACING_WEIGHTS_WITH_APPEARANCE;
    const sure = certainty([blazePose, blazePoseMirrored, moveNetMirrored]);
    return w.blazePose * blazePose + w.blazePoseMirrored * blazePoseMirrored + w.moveNetMirrored * moveNetMirrored + w.appearance * appearance + w.certainty * sure + w.bias;
  }
  if (moveNetMirrored !== undefined) {
    const w = FACING_WEIGHTS;
    const sure = certainty([blazePose, blazePoseMirrored, moveNetMirrored]);
    return w.blazePose * blazePose + w.blazePoseMirrored * blazePoseMirrored + w.moveNetMirrored * moveNetMirrored + w.certainty * sure + w.bias;
  }
  const w = FACING_WEIGHTS_BLAZEPOSE_ONLY;
  return w.blazePose * blazePose + w.blazePoseMirrored * blazePoseMirrored + w.certainty * certainty([blazePose, blazePoseMirrored]) + w.bias;
}

/** The best fit that ends facing one way, and how well it agrees with the image. */
export interface FacingCandidate {
  readonly fit: FitResult;
  /** Mean keypoint distance, px. */
  readonly keypointPx: number;
  /** Silhouette IoU with the person mask (before refinement). */
  readonly iou: number;
}

/**
 * The facing decision: > 0 picks front. The detectors' score decides when it is sure; when it is not,
 * the keypoint and silhouette agreement of the best front and back fits add in (they tell side-on
 * headings apart; front from back they hardly can, since a body turned round with left and right swapped
 * explains the same 2D keypoints and outline).
 */
export function facingScore(evidence: FacingEvidence, front: FacingCandidate, back: FacingCandidate): number {
  if (Math.abs(evidence.score) >= UNSURE_SCORE) return evidence.score;
  const w = AGREEMENT_WEIGHTS;
  return evidence.score + w.keypointPx * (back.keypointPx - front.keypointPx) + w.iou * (front.iou - back.iou);
}

/** Reads `annotations.heading`; @throws for anything but 'front' or 'back'. */
export function annotatedFacing(annotations: PredictorInput['annotations'], id: string): Facing | null {
  const value = annotations?.heading;
  if (value == null) return null;
  if (value !== 'front' && value !== 'back') {
    throw new Error(`annotations.heading of image '${id}' must be 'front' (facing the camera) or 'back', got ${JSON.stringify(value)}`);
  }
  return value;
}

/** BlazePose's facing vote (see `orderingVote`). */
export function blazePoseVote(det: PoseDetection): number {
  const at = (k: number): [number, number] => [det.landmarks[2 * k], det.landmarks[2 * k + 1]];
  return orderingVote({ leftShoulder: at(11), rightShoulder: at(12), leftHip: at(23), rightHip: at(24) });
}

/** MoveNet's facing vote from its 17 keypoints (pixels). */
export function moveNetVote(keypoints: Float32Array): number {
  const at = (k: number): [number, number] => [keypoints[2 * k], keypoints[2 * k + 1]];
  const i = MOVENET_INDEX;
  return orderingVote({ leftShoulder: at(i.leftShoulder), rightShoulder: at(i.rightShoulder), leftHip: at(i.leftHip), rightHip: at(i.rightHip) });
}

