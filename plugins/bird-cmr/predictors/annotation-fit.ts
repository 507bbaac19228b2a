import type { AlignedMesh } from '../../../core/interfaces/mesh';
import type { MeshPredictor, PredictorInput } from '../../../core/interfaces/mesh-predictor';
import { WeakPerspectiveCamera } from '../../../core/renderer/weak-perspective-camera';
import { fitWeakPerspective, type WeakPerspectiveParams } from '../camera/camera-fit';
import { loadCubMask, type CubAnnotations } from '../cub/cub-dataset';
import { CUB_KEYPOINT_COUNT } from '../keypoints';
import { keypointPositions, type BirdMeanShape } from '../shape/mean-shape';
import { resizeMask } from './silhouette';
import { refineCameraToMask, type SilhouetteRefineSettings } from './silhouette-refine';

/** Options of the `annotation-fit` predictor (its config section besides `type`). */
export interface AnnotationFitOptions extends SilhouetteRefineSettings {
  /** Longer side of the resolution the silhouette is compared at. Default 96. */
  readonly refineSize?: number;
}

/** Default comparison resolution of the silhouette refinement (longer side, pixels). */
export const DEFAULT_REFINE_SIZE = 96;

/** What the predictor found for one image, besides the aligned mesh. */
export interface AnnotationFitReport {
  readonly keypointCamera: WeakPerspectiveParams;
  readonly camera: WeakPerspectiveParams;
  /** Keypoint reprojection RMSE of the Procrustes fit, normalised units. */
  readonly keypointRmse: number;
  /** Silhouette IoU at the refinement resolution before / after refinement; undefined without a mask. */
  readonly iouBefore?: number;
  readonly iouAfter?: number;
}

/**
 * Places the bird mean shape in an annotated image: a weak-perspective camera from the visible
 * keypoints (orthographic Procrustes), then refined so the mesh's silhouette matches the annotated
 * mask. Reads CUB annotations: `keypoints` ([15*2] normalised crop coordinates), `visible` ([15]),
 * and the mask as `mask` (float [H*W] in [0,1] at the image's size) or CUB's `maskPath` + `crop`.
 * Without a mask the keypoint camera is used as is.
 */
export class AnnotationFitPredictor implements MeshPredictor {
  readonly id = 'annotation-fit';
  private readonly modelKeypoints: Float32Array;

  constructor(
    readonly shape: BirdMeanShape,
    private readonly options: AnnotationFitOptions = {},
  ) {
    this.modelKeypoints = keypointPositions(shape);
    const size = options.refineSize ?? DEFAULT_REFINE_SIZE;
    if (!(Number.isInteger(size) && size >= 16 && size <= 1024)) {
      throw new Error(`annotation-fit refineSize must be an integer in 16..1024, got ${size}`);
    }
  }

  async predict(input: PredictorInput): Promise<AlignedMesh> {
    return (await this.fit(input)).aligned;
  }

  /** {@link predict} with the figures of the fit. */
  async fit(input: PredictorInput): Promise<{ aligned: AlignedMesh; report: AnnotationFitReport }> {
    const [height, width] = input.image.shape;
    const a = (input.annotations ?? {}) as Partial<CubAnnotations> & { mask?: ArrayLike<number> };
    const keypoints = a.keypoints;
    const visible = a.visible;
    if (!isNumberArray(keypoints, 2 * CUB_KEYPOINT_COUNT) || !isNumberArray(visible, CUB_KEYPOINT_COUNT)) {
      throw new Error(
        `image ${input.id} has no keypoint annotations (annotations.keypoints [30] and annotations.visible [15], ` +
          `CUB's 15 parts in normalised crop coordinates): annotation-fit needs them; for a photo without ` +
          `annotations set meshPredictor.type to 'photo'`,
      );
    }
    let kpFit;
    try {
      kpFit = fitWeakPerspective(this.modelKeypoints, keypoints, visible);
    } catch (err) {
      throw new Error(`image ${input.id}: ${(err as Error).message}`);
    }
    const keypointCamera: WeakPerspectiveParams = { scale: kpFit.scale, translation: kpFit.translation, quaternion: kpFit.quaternion };
    let mask: Float32Array | undefined;
    if (a.mask !== undefined) {
      if (a.mask.length !== height * width) {
        throw new Error(`image ${input.id}: annotations.mask has ${a.mask.length} values, the image ${height}x${width} needs ${height * width}`);
      }
      mask = Float32Array.from(a.mask);
    } else if (a.maskPath && a.crop) {
      mask = await loadCubMask(a as CubAnnotations, [height, width]);
    }
    let camera = keypointCamera;
    let iouBefore: number | undefined;
    let iouAfter: number | undefined;
    if (mask) {
      const size = this.options.refineSize ?? DEFAULT_REFINE_SIZE;
      const rh = height >= width ? size : Math.max(8, Math.round((size * height) / width));
      const rw = width >= height ? size : Math.max(8, Math.round((size * width) / height));
      const target = resizeMask(mask, height, width, rh, rw);
      const refined = refineCameraToMask(
        this.shape.mesh,
        keypointCamera,
        target,
        rh,
        rw,
        { model: this.modelKeypoints, image: keypoints, visible },
        this.options,
      );
      camera = refined.camera;
      iouBefore = refined.iouBefore;
      iouAfter = refined.iouAfter;
    }
    return {
      aligned: { mesh: this.shape.mesh, camera: new WeakPerspectiveCamera(camera), mask },
      report: { keypointCamera, camera, keypointRmse: kpFit.rmse, iouBefore, iouAfter },
    };
  }

  dispose(): void {
    // Holds no tensors: the mean shape is plain arrays.
  }
}

function isNumberArray(v: unknown, length: number): v is ArrayLike<number> {
  if (!(Array.isArray(v) || ArrayBuffer.isView(v))) return false;
  const arr = v as ArrayLike<unknown>;
  if (arr.length !== length) return false;
  for (let i = 0; i < arr.length; i++) if (typeof arr[i] !== 'number') return false;
  return true;
}
