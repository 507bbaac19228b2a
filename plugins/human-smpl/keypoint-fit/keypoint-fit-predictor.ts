import type { AlignedMesh } from '../../../core/interfaces/mesh';
import type { MeshPredictor, PredictorInput } from '../../../core/interfaces/mesh-predictor';
import type { BodyModel } from '../body/body-model';
import { poseBody } from '../predictors/pose-body';
import type { BlazePoseDetector, PoseDetection } from './blazepose-detector';
import { KeypointFitter, type FitResult, type FitSettings, type KeypointObservation } from './keypoint-fitter';
import { SilhouetteRefiner } from './silhouette-refiner';
import { hmrFocalLength } from '../predictors/body-camera';

/** Options of the keypoint-fit predictor: fit settings, the keypoint confidence floor, and the mask refinement. */
export type KeypointFitOptions = Partial<FitSettings> & {
  /** Keypoints below this confidence are left out (default DEFAULT_MIN_CONFIDENCE). */
  readonly minConfidence?: number;
  /** Adjust shape and placement to the person mask after the keypoint fit (default true). */
  readonly refine?: boolean;
};

/** Below this person score BlazePose has found nobody. */
const MIN_PERSON_SCORE = 0.5;
/** Keypoints less confident than this are left out of the fit. */
export const DEFAULT_MIN_CONFIDENCE = 0.3;
/** A mask blob at least this share of the largest one counts as another person. */
const SECOND_PERSON_SHARE = 0.35;
/** Keypoints this far outside the image (share of its height) mean the person is cropped. */
const OUTSIDE_MARGIN = 0.03;

function maskBlobs(mask: Float32Array, h: number, w: number): number[] {
  const seen = new Uint8Array(h * w);
  const sizes: number[] = [];
  const stack: number[] = [];
  for (let s = 0; s < h * w; s++) {
    if (seen[s] || mask[s] < 0.5) continue;
    let size = 0;
    stack.push(s);
    seen[s] = 1;
    while (stack.length) {
      const p = stack.pop() as number;
      size++;
      const y = Math.floor(p / w);
      const x = p % w;
      for (const [dy, dx] of [[1, 0], [-1, 0], [0, 1], [0, -1]]) {
        const yy = y + dy;
        const xx = x + dx;
        if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
        const q = yy * w + xx;
        if (!seen[q] && mask[q] >= 0.5) {
          seen[q] = 1;
          stack.push(q);
        }
      }
    }
    sizes.push(size);
  }
  return sizes.sort((a, b) => b - a);
}

/**
 * The default human predictor for photos: BlazePose finds 33 landmarks and a person mask; the body is then
 * fitted to the landmarks (see KeypointFitter) and its shape and placement adjusted to the mask
 * (SilhouetteRefiner; `refine: false` skips that, about a quarter of the time). A picture with nobody, with two people side by side, or
 * with the person cut off at the border is rejected with a message saying so.
 */
export class KeypointFitPredictor implements MeshPredictor {
  readonly id = 'keypoint-fit';
  readonly fitter: KeypointFitter;
  private readonly refiner: SilhouetteRefiner;
  /** Parameters of the latest fit (for diagnostics and benchmarks). */
  lastFit!: FitResult;

  constructor(
    private readonly model: BodyModel,
    private readonly detector: BlazePoseDetector,
    private readonly settings: KeypointFitOptions = {},
  ) {
    this.fitter = new KeypointFitter(model);
    this.refiner = new SilhouetteRefiner(model);
  }

  /** The fitter's keypoints as observed in a detection; @throws for no person, several, or a cropped one. */
  observe(det: PoseDetection, h: number, w: number, id: string): KeypointObservation {
    if (det.personScore < MIN_PERSON_SCORE) {
      throw new Error(`no person found in image '${id}' (BlazePose person score ${det.personScore.toFixed(2)})`);
    }
    const blobs = maskBlobs(det.mask, h, w);
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

  async predict(input: PredictorInput): Promise<AlignedMesh> {
    const [h, w] = input.image.shape;
    const det = await this.detector.detect(input.image);
    const obs = this.observe(det, h, w, input.id);
    let fit = this.fitter.fit(obs, h, w, this.settings);
    if (this.settings.refine !== false) {
      // Keypoints fix the pose; the person mask fixes what they cannot see (girth, shoulder width).
      const focal = this.settings.focalLength ?? hmrFocalLength(Math.max(h, w));
      const r = this.refiner.refine(fit, fit.camera, focal, det.mask, h, w);
      fit = { ...fit, betas: r.betas, translation: [r.translation[0], r.translation[1], r.translation[2]] };
    }
    this.lastFit = fit;
    const { vertices } = poseBody(this.model, fit.pose, fit.betas, fit.translation);
    return { mesh: this.model.meshFromVertices(vertices), camera: fit.camera, mask: det.mask };
  }

  dispose(): void {
    this.fitter.dispose();
    this.detector.dispose();
    this.model.dispose();
  }
}
