import { tf } from '../../../core/backend/tf';
import { PerspectiveCamera } from '../../../core/renderer/perspective-camera';
import { rasterize } from '../../../core/renderer/rasterizer';
import { BodyModel } from '../body/body-model';
import { builtinBodyData } from '../builtin-body/builtin-body';
import { defaultPoseSet } from '../poses/pose-set';
import { hmrFocalLength } from '../predictors/body-camera';
import { poseBody } from '../predictors/pose-body';
import { RandomPosePredictor } from '../predictors/random-pose-predictor';
import { mulberry32 } from '../../../core/random';
import { BlazePoseDetector, type BlazePoseVariant } from './blazepose-detector';
import { KeypointFitPredictor, type KeypointFitOptions } from './keypoint-fit-predictor';
import { maskIou, renderSyntheticPerson } from './synthetic-person';

/** Figures of `benchKeypointFit` (keys as `retex bench fit --json` prints them). */
export interface FitBenchResult {
  /** Mean distance (px) between fitted and true keypoints (17 per image), over the fitted images. */
  readonly reproj_px: number;
  /** Mean silhouette IoU of the fitted body against the true one. */
  readonly iou: number;
  /** Mean wall time of detection + fit per image, ms. */
  readonly ms_per_image: number;
  readonly images: number;
  /** Images the predictor rejected (with its message). */
  readonly failures: readonly string[];
}

/**
 * Measures `keypoint-fit` on rendered people with known parameters: the built-in body in poses of the
 * pose set, random headings and shapes (betas in [-1,1]), rendered by `renderSyntheticPerson` at H x W.
 * Times are per image after one untimed warm-up prediction, on whatever backend is active.
 */
export async function benchKeypointFit(
  options: { images?: number; seed?: number; height?: number; width?: number; variant?: BlazePoseVariant; fit?: KeypointFitOptions } = {},
): Promise<FitBenchResult> {
  const n = options.images ?? 8;
  const [h, w] = [options.height ?? 128, options.width ?? 64];
  const data = builtinBodyData();
  const truthModel = BodyModel.create(data);
  const truth = new RandomPosePredictor(truthModel, defaultPoseSet(), options.seed ?? 0);
  const predictor = new KeypointFitPredictor(BodyModel.create(data), await BlazePoseDetector.load(options.variant ?? 'full'), options.fit);
  const rand = mulberry32(options.seed ?? 0);
  const camera0 = new PerspectiveCamera({ focalLength: hmrFocalLength(Math.max(h, w)) });
  let reproj = 0;
  let iou = 0;
  let ms = 0;
  let fitted = 0;
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
      const trueKp = predictor.fitter.project(pose, betas, t, camera0, h, w);
      const start = Date.now();
      try {
        const aligned = await predictor.predict({ image, id });
        ms += Date.now() - start;
        const fit = predictor.lastFit;
        const kp = predictor.fitter.project(fit.pose, fit.betas, fit.translation, camera0, h, w);
        let d = 0;
        for (let k = 0; k < kp.length / 2; k++) d += Math.hypot(kp[2 * k] - trueKp[2 * k], kp[2 * k + 1] - trueKp[2 * k + 1]);
        reproj += d / (kp.length / 2);
        const frag = rasterize(aligned.mesh, aligned.camera, h, w);
        iou += maskIou(silhouette, Array.from(frag.faceIds, (f) => (f >= 0 ? 1 : 0)));
        fitted++;
      } catch (err) {
        failures.push(`${id}: ${(err as Error).message}`);
      } finally {
        image.dispose();
      }
    }
  } finally {
    truth.dispose();
    predictor.dispose();
  }
  return { reproj_px: reproj / Math.max(1, fitted), iou: iou / Math.max(1, fitted), ms_per_image: ms / Math.max(1, fitted), images: n, failures };
}
