import type { Mesh } from '../../../core/interfaces/mesh';
import { axisAngleToMatrix, multiplyMatrices, quaternionToMatrix } from '../../../core/renderer/rotation';
import { projectWeakPerspective, type WeakPerspectiveParams } from '../camera/camera-fit';
import { matrixToQuaternion } from '../camera/quaternion';
import { maskIou, renderSilhouette } from './silhouette';

/** Settings of {@link refineCameraToMask}. */
export interface SilhouetteRefineSettings {
  /** Most objective evaluations (each one rasterization). Default 240. */
  readonly maxEvaluations?: number;
  /**
   * Weight of the mean squared keypoint reprojection error (normalised units) against the silhouette
   * IoU: keeps the fit from sliding along the outline or turning the bird around. Default 5.
   */
  readonly keypointWeight?: number;
}

/** Default evaluation budget of the silhouette refinement. */
export const DEFAULT_REFINE_EVALUATIONS = 240;
/** Default weight of the keypoint term. */
export const DEFAULT_KEYPOINT_WEIGHT = 5;

/** The keypoint term: observed normalised keypoints and their model points. */
export interface KeypointTerm {
  /** float [N*3] model-space keypoints. */
  readonly model: ArrayLike<number>;
  /** float [N*2] observed normalised image coordinates. */
  readonly image: ArrayLike<number>;
  /** [N] 0/1 visibility. */
  readonly visible: ArrayLike<number>;
}

/** Result of {@link refineCameraToMask}. */
export interface RefineResult {
  readonly camera: WeakPerspectiveParams;
  /** Silhouette IoU against the target at the refinement's resolution, before and after. */
  readonly iouBefore: number;
  readonly iouAfter: number;
  readonly evaluations: number;
}

/**
 * Refines a weak-perspective camera so the mesh's silhouette matches `target` (maximising IoU minus
 * the weighted keypoint error) by pattern search over six numbers: a rotation increment applied in the
 * camera frame, log scale and translation. IoU is piecewise constant in the camera, so a derivative-free
 * search with shrinking steps suits it; each step is one rasterization at the target's resolution.
 * @param target float [h*w] mask in [0,1] at the resolution to compare at (e.g. 96x96)
 */
export function refineCameraToMask(
  mesh: Mesh,
  start: WeakPerspectiveParams,
  target: ArrayLike<number>,
  height: number,
  width: number,
  keypoints: KeypointTerm | undefined,
  settings: SilhouetteRefineSettings = {},
): RefineResult {
  const budget = settings.maxEvaluations ?? DEFAULT_REFINE_EVALUATIONS;
  const kpWeight = settings.keypointWeight ?? DEFAULT_KEYPOINT_WEIGHT;
  const r0 = quaternionToMatrix(start.quaternion);
  const toParams = (x: readonly number[]): WeakPerspectiveParams => ({
    quaternion: matrixToQuaternion(multiplyMatrices(axisAngleToMatrix([x[0], x[1], x[2]]), r0)),
    scale: start.scale * Math.exp(x[3]),
    translation: [start.translation[0] + x[4], start.translation[1] + x[5]],
  });
  let evaluations = 0;
  const objective = (x: readonly number[]): { value: number; iou: number } => {
    evaluations++;
    const params = toParams(x);
    const iou = maskIou(renderSilhouette(mesh, params, height, width), target);
    let kp = 0;
    if (keypoints && kpWeight > 0) {
      const projected = projectWeakPerspective(params, keypoints.model);
      let n = 0;
      for (let i = 0; i < keypoints.visible.length; i++) {
        if (!keypoints.visible[i]) continue;
        kp += (projected[2 * i] - keypoints.image[2 * i]) ** 2 + (projected[2 * i + 1] - keypoints.image[2 * i + 1]) ** 2;
        n++;
      }
      kp = n > 0 ? kp / n : 0;
    }
    return { value: iou - kpWeight * kp, iou };
  };

  let x = [0, 0, 0, 0, 0, 0];
  let best = objective(x);
  const iouBefore = best.iou;
  // Initial steps: about 6 degrees, 4 % of scale, 2 % of the image; stop below a tenth of a pixel-ish.
  const steps = [0.1, 0.1, 0.1, 0.04, 0.02, 0.02];
  const minStep = [0.004, 0.004, 0.004, 0.002, 0.001, 0.001];
  while (evaluations < budget && steps.some((s, k) => s > minStep[k])) {
    let improved = false;
    for (let k = 0; k < 6 && evaluations < budget; k++) {
      if (steps[k] <= minStep[k]) continue;
      for (const sign of [1, -1]) {
        const trial = [...x];
        trial[k] += sign * steps[k];
        const value = objective(trial);
        if (value.value > best.value) {
          x = trial;
          best = value;
          improved = true;
          // Keep going the same way with a longer step while it pays.
          steps[k] *= 1.5;
          break;
        }
      }
    }
    if (!improved) for (let k = 0; k < 6; k++) steps[k] /= 2;
  }
  return { camera: toParams(x), iouBefore, iouAfter: best.iou, evaluations };
}
