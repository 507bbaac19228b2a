import * as fs from 'fs';
import * as path from 'path';
import { tf } from '../../../core/backend/tf';
import { median } from '../../../core/bench/step-timing';
import { readImage, readPixels } from '../../../core/io/image-decode';
import { PerspectiveCamera } from '../../../core/renderer/perspective-camera';
import { rasterize } from '../../../core/renderer/rasterizer';
import { readGroundTruthParams } from '../../../core/synth/ground-truth';
import { mulberry32 } from '../../../core/random';
import { BodyModel } from '../body/body-model';
import { builtinBodyData } from '../builtin-body/builtin-body';
import { defaultPoseSet } from '../poses/pose-set';
import { hmrFocalLength } from '../predictors/body-camera';
import { poseBody } from '../predictors/pose-body';
import { RandomPosePredictor } from '../predictors/random-pose-predictor';
import type { BlazePoseVariant } from './blazepose-detector';
import { bodyFacing, bodyHeading, headingDifference } from './facing';
import { KeypointFitPredictor, type KeypointFitOptions } from './keypoint-fit-predictor';
import { maskIou, renderSyntheticPerson } from './synthetic-person';
import { syntheticSetImages } from './synthetic-set';

/**
 * Headings this close to side-on (degrees) have no front or back: they are left out of `facing_accuracy`
 * (but not of `heading_within_90`).
 */
export const SIDE_ON_DEGREES = 15;

/** Figures of `benchKeypointFit` (keys as `retex bench fit --json` prints them). */
export interface FitBenchResult {
  /** Mean distance (px) between fitted and true keypoints (21 per image), over the fitted images. */
  readonly reproj_px: number;
  /** Mean silhouette IoU of the fitted body against the true one. */
  readonly iou: number;
  /**
   * Share of images whose fitted body faces the same way (towards or away from the camera) as the true
   * one, over the images more than SIDE_ON_DEGREES from side-on; a rejected image counts as wrong.
   */
  readonly facing_accuracy: number;
  /** Images that `facing_accuracy` counts. */
  readonly facing_images: number;
  /** Share of all images whose fitted heading is within 90 degrees of the true one (rejected: wrong). */
  readonly heading_within_90: number;
  /** Median heading error, degrees, over the fitted images. */
  readonly heading_err_deg: number;
  /** Mean wall time of detection + fit per image, ms. */
  readonly ms_per_image: number;
  readonly images: number;
  /** Images the predictor rejected (with its message). */
  readonly failures: readonly string[];
  /** Images whose facing came out wrong: id, true and fitted heading in degrees. */
  readonly wrong_facing: readonly string[];
}

/** One scored image: what the tally needs. */
interface Scored {
  readonly id: string;
  readonly truePose: ArrayLike<number>;
  /** null when the predictor rejected the image. */
  readonly fitPose: ArrayLike<number> | null;
  readonly reprojPx?: number;
  readonly iou?: number;
  readonly ms?: number;
}

/** Turns per-image results into the benchmark's figures. */
export function tallyFit(results: readonly Scored[], failures: readonly string[]): FitBenchResult {
  const fitted = results.filter((r) => r.fitPose !== null);
  const mean = (pick: (r: Scored) => number | undefined) => {
    const xs = fitted.map(pick).filter((v): v is number => v !== undefined);
    return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
  };
  const sideOn = Math.sin((SIDE_ON_DEGREES * Math.PI) / 180);
  let facingRight = 0;
  let facingImages = 0;
  let within = 0;
  const errors: number[] = [];
  const wrong: string[] = [];
  for (const r of results) {
    const trueHeading = bodyHeading(r.truePose);
    const err = r.fitPose ? headingDifference(bodyHeading(r.fitPose), trueHeading) : Math.PI;
    if (r.fitPose) errors.push((err * 180) / Math.PI);
    if (err < Math.PI / 2) within++;
    if (Math.abs(Math.cos(trueHeading)) < sideOn) continue;
    facingImages++;
    if (r.fitPose && bodyFacing(r.fitPose) === bodyFacing(r.truePose)) facingRight++;
    else {
      const deg = (a: number) => ((a * 180) / Math.PI).toFixed(0);
      wrong.push(`${r.id}: true ${deg(trueHeading)}, fitted ${r.fitPose ? deg(bodyHeading(r.fitPose)) : 'rejected'}`);
    }
  }
  return {
    reproj_px: mean((r) => r.reprojPx),
    iou: mean((r) => r.iou),
    facing_accuracy: facingImages ? facingRight / facingImages : NaN,
    facing_images: facingImages,
    heading_within_90: results.length ? within / results.length : NaN,
    heading_err_deg: median(errors),
    ms_per_image: mean((r) => r.ms),
    images: results.length,
    failures,
    wrong_facing: wrong,
  };
}

const silhouetteOf = (mesh: Parameters<typeof rasterize>[0], camera: Parameters<typeof rasterize>[1], h: number, w: number) =>
  Array.from(rasterize(mesh, camera, h, w).faceIds, (f) => (f >= 0 ? 1 : 0));

const keypointDistance = (a: Float32Array, b: Float32Array) => {
  let d = 0;
  for (let k = 0; k < a.length / 2; k++) d += Math.hypot(a[2 * k] - b[2 * k], a[2 * k + 1] - b[2 * k + 1]);
  return d / (a.length / 2);
};

/**
 * Fits one image (disposed here) and scores it against its truth: keypoint distance in pixels, silhouette IoU
 * and time. A rejected image is recorded as a failure, not thrown.
 * @param truth.camera projects the fit's keypoints (default the fit's own camera)
 */
async function scoreFit(
  predictor: KeypointFitPredictor,
  input: { readonly image: tf.Tensor3D; readonly id: string; readonly imagePath?: string },
  truth: { readonly pose: ArrayLike<number>; readonly keypoints: Float32Array; readonly silhouette: () => ArrayLike<number> | Promise<ArrayLike<number>>; readonly camera?: PerspectiveCamera },
  results: Scored[],
  failures: string[],
): Promise<void> {
  const [h, w] = input.image.shape;
  const start = Date.now();
  try {
    const aligned = await predictor.predict(input);
    const ms = Date.now() - start;
    const fit = predictor.lastFit;
    const kp = predictor.fitter.project(fit.pose, fit.betas, fit.translation, truth.camera ?? fit.camera, h, w);
    const iou = maskIou(await truth.silhouette(), silhouetteOf(aligned.mesh, aligned.camera, h, w));
    results.push({ id: input.id, truePose: truth.pose, fitPose: fit.pose, reprojPx: keypointDistance(kp, truth.keypoints), iou, ms });
  } catch (err) {
    failures.push(`${input.id}: ${(err as Error).message}`);
    results.push({ id: input.id, truePose: truth.pose, fitPose: null });
  } finally {
    input.image.dispose();
  }
}

/** Options of the benchmark. */
export interface FitBenchOptions {
  readonly images?: number;
  readonly seed?: number;
  readonly height?: number;
  readonly width?: number;
  readonly variant?: BlazePoseVariant;
  readonly fit?: KeypointFitOptions;
  /** Progress, one call per image. */
  readonly onImage?: (done: number, total: number) => void;
}

/**
 * Measures `keypoint-fit` on rendered people with known parameters: the built-in body in poses of the
 * pose set, random headings and shapes (betas in [-1,1]), rendered by `renderSyntheticPerson` at H x W.
 * Times are per image after one untimed warm-up prediction, on whatever backend is active.
 */
export async function benchKeypointFit(options: FitBenchOptions = {}): Promise<FitBenchResult> {
  const n = options.images ?? 8;
  const [h, w] = [options.height ?? 128, options.width ?? 64];
  const data = builtinBodyData();
  const truthModel = BodyModel.create(data);
  const truth = new RandomPosePredictor(truthModel, defaultPoseSet(), options.seed ?? 0);
  const predictor = await KeypointFitPredictor.load(BodyModel.create(data), { ...options.fit, variant: options.variant });
  const rand = mulberry32(options.seed ?? 0);
  const camera0 = new PerspectiveCamera({ focalLength: hmrFocalLength(Math.max(h, w)) });
  const results: Scored[] = [];
  const failures: string[] = [];
  try {
    // One untimed prediction first: the first run of a TF.js graph compiles and allocates (about 1 s).
    const warm = renderSyntheticPerson(data, poseBody(truthModel, truth.draw('warm-up').pose, [], [0, 0, 25]).vertices, camera0, h, w);
    await predictor.predict({ image: warm.image, id: 'warm-up' }).catch(() => undefined);
    warm.image.dispose();
    for (let i = 0; i < n; i++) {
      const id = `synthetic-${i}`;
      const { pose } = truth.draw(id);
      const betas = Array.from({ length: truthModel.shapeCount }, () => rand() * 2 - 1);
      const blank = tf.zeros([h, w, 3]) as tf.Tensor3D;
      const frame = (await truth.predict({ image: blank, id }).finally(() => blank.dispose())).camera as PerspectiveCamera;
      const t = frame.translation;
      const posed = poseBody(truthModel, pose, betas, t);
      const { image, silhouette } = renderSyntheticPerson(data, posed.vertices, camera0, h, w);
      const keypoints = predictor.fitter.project(pose, betas, t, camera0, h, w);
      await scoreFit(predictor, { image, id }, { pose, keypoints, silhouette: () => silhouette, camera: camera0 }, results, failures);
      options.onImage?.(i + 1, n);
    }
  } finally {
    truth.dispose();
    predictor.dispose();
  }
  return tallyFit(results, failures);
}

const numbers = (v: unknown, what: string, file: string): number[] => {
  if (!Array.isArray(v) || !v.every(Number.isFinite)) throw new Error(`ground truth of ${file}: '${what}' is not a list of numbers`);
  return v as number[];
};

/**
 * Measures `keypoint-fit` on a synthetic people set made by `retex synth --category human` (images the
 * fit has never seen, with their true body parameters, camera and mask): `images` of them, evenly spaced
 * over the set (train, test, then query split, names sorted), at the set's own size.
 * @throws when the folder holds no images with ground truth
 */
export async function benchKeypointFitOnSet(root: string, options: FitBenchOptions = {}): Promise<FitBenchResult> {
  const all = syntheticSetImages(root);
  if (all.length === 0) throw new Error(`${root} holds no images with ground truth (ground_truth/params): make one with retex synth --category human`);
  const n = Math.min(all.length, options.images ?? 8);
  const files = Array.from({ length: n }, (_, i) => all[Math.floor((i * all.length) / n)]);
  const data = builtinBodyData();
  const model = BodyModel.create(data);
  const predictor = await KeypointFitPredictor.load(BodyModel.create(data), { ...options.fit, variant: options.variant });
  const results: Scored[] = [];
  const failures: string[] = [];
  try {
    for (const [i, file] of files.entries()) {
      const id = path.relative(root, file);
      const gt = readGroundTruthParams(root, file);
      const pose = numbers(gt.pose, 'pose', file);
      const betas = numbers(gt.betas, 'betas', file);
      const cam = (gt.camera ?? {}) as Record<string, unknown>;
      const [cx, cy] = numbers(cam.principal_point, 'camera.principal_point', file);
      const translation = numbers(cam.translation, 'camera.translation', file) as [number, number, number];
      const trueCamera = new PerspectiveCamera({ focalLength: numbers([cam.focal_length], 'camera.focal_length', file)[0], principalPoint: [cx, cy], translation });
      const image = await readImage(file);
      const [h, w] = image.shape;
      const maskFile = path.join(root, 'ground_truth', 'masks', id.replace(/\.[^./\\]+$/, '.png'));
      const keypoints = predictor.fitter.project(pose, betas, [0, 0, 0], trueCamera, h, w);
      const silhouette = async (): Promise<ArrayLike<number>> => {
        if (!fs.existsSync(maskFile)) return silhouetteOf(model.meshFromVertices(poseBody(model, pose, betas).vertices), trueCamera, h, w);
        const m = await readPixels(maskFile);
        return Array.from({ length: h * w }, (_, p) => (m.pixels[p * m.channels] >= 128 ? 1 : 0));
      };
      await scoreFit(predictor, { image, id, imagePath: file }, { pose, keypoints, silhouette }, results, failures);
      options.onImage?.(i + 1, n);
    }
  } finally {
    predictor.dispose();
    model.dispose();
  }
  return tallyFit(results, failures);
}
