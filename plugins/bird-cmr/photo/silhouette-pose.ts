import type { Mesh } from '../../../core/interfaces/mesh';
import { axisAngleToMatrix, multiplyMatrices } from '../../../core/renderer/rotation';
import type { WeakPerspectiveParams } from '../camera/camera-fit';
import { BIRD_VIEW_ROTATIONS } from '../camera/bird-views';
import { matrixToQuaternion } from '../camera/quaternion';
import { maskIou, renderSilhouette, resizeMask } from '../predictors/silhouette';
import { refineCameraToMask } from '../predictors/silhouette-refine';

/** Settings of {@link cameraFromSilhouette}. */
export interface SilhouettePoseSettings {
  /** Resolution (longer side) of the search. Default 64. */
  readonly searchSize?: number;
  /** How many of the best starting views are refined. Default 6. */
  readonly refineStarts?: number;
}

/** Result of {@link cameraFromSilhouette}. */
export interface SilhouettePose {
  readonly camera: WeakPerspectiveParams;
  /** IoU between the mesh's silhouette and the mask at the search resolution. */
  readonly iou: number;
}

/**
 * Starting views: the side view turned about the bird's up axis in 30-degree steps, seen from well
 * below to well above (60 views); the in-plane angle comes from the mask.
 */
function startingRotations(): Float64Array[] {
  const out: Float64Array[] = [];
  const side = Float64Array.from(BIRD_VIEW_ROTATIONS.side);
  for (let h = 0; h < 12; h++) {
    const heading = axisAngleToMatrix([0, (h * Math.PI) / 6, 0]);
    for (const elevationDeg of [-45, -15, 15, 45, 75]) {
      const elevation = axisAngleToMatrix([(elevationDeg * Math.PI) / 180, 0, 0]);
      out.push(multiplyMatrices(elevation, multiplyMatrices(side, heading)));
    }
  }
  return out;
}

/** Area (pixels), centroid and principal-axis angle of a mask, in normalised image coordinates. */
interface Moments {
  readonly area: number;
  readonly cx: number;
  readonly cy: number;
  readonly angle: number;
}

function moments(mask: ArrayLike<number>, height: number, width: number): Moments | null {
  let [m, sx, sy] = [0, 0, 0];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const w = mask[y * width + x];
      if (!w) continue;
      m += w;
      sx += w * ((2 * (x + 0.5)) / width - 1);
      sy += w * ((2 * (y + 0.5)) / height - 1);
    }
  }
  if (m < 1) return null;
  const cx = sx / m;
  const cy = sy / m;
  let [mxx, myy, mxy] = [0, 0, 0];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const w = mask[y * width + x];
      if (!w) continue;
      const dx = (2 * (x + 0.5)) / width - 1 - cx;
      const dy = (2 * (y + 0.5)) / height - 1 - cy;
      mxx += w * dx * dx;
      myy += w * dy * dy;
      mxy += w * dx * dy;
    }
  }
  return { area: m, cx, cy, angle: 0.5 * Math.atan2(2 * mxy, mxx - myy) };
}

/**
 * A weak-perspective camera that makes the mesh's silhouette match a mask, without keypoints: each
 * starting view is scaled, moved and turned in the image plane so the silhouette's area, centroid and
 * principal axis (either way along it) match the mask's, the best few
 * by IoU are refined by pattern search (as `refineCameraToMask`), and the best result wins. A
 * silhouette alone leaves some poses ambiguous (a bird seen exactly from the side looks the same
 * mirrored in depth), so the rotation can be off while the outline matches.
 * @param mask float [H*W] in [0,1]
 * @throws when the mask is empty
 */
export function cameraFromSilhouette(
  mesh: Mesh,
  mask: ArrayLike<number>,
  height: number,
  width: number,
  settings: SilhouettePoseSettings = {},
): SilhouettePose {
  const size = settings.searchSize ?? 64;
  const rh = height >= width ? size : Math.max(8, Math.round((size * height) / width));
  const rw = width >= height ? size : Math.max(8, Math.round((size * width) / height));
  const target = resizeMask(mask, height, width, rh, rw);
  const goal = moments(target, rh, rw);
  if (!goal) throw new Error('the foreground mask is empty: nothing to fit the bird to');
  const reference = 0.5;
  const candidates: SilhouettePose[] = [];
  for (const r of startingRotations()) {
    const quaternion = matrixToQuaternion(r);
    const seen = moments(renderSilhouette(mesh, { scale: reference, translation: [0, 0], quaternion }, rh, rw), rh, rw);
    if (!seen) continue;
    const scale = reference * Math.sqrt(goal.area / seen.area);
    // Turn about the viewing axis so the principal axes agree; the axis has two directions.
    for (const flip of [0, Math.PI]) {
      const alpha = goal.angle - seen.angle + flip;
      const spin = axisAngleToMatrix([0, 0, alpha]);
      const c = Math.cos(alpha);
      const sn = Math.sin(alpha);
      const k = scale / reference;
      const camera: WeakPerspectiveParams = {
        quaternion: matrixToQuaternion(multiplyMatrices(spin, r)),
        scale,
        translation: [goal.cx - k * (c * seen.cx - sn * seen.cy), goal.cy - k * (sn * seen.cx + c * seen.cy)],
      };
      candidates.push({ camera, iou: maskIou(renderSilhouette(mesh, camera, rh, rw), target) });
    }
  }
  candidates.sort((a, b) => b.iou - a.iou);
  let best: SilhouettePose = candidates[0];
  for (const start of candidates.slice(0, settings.refineStarts ?? 6)) {
    const refined = refineCameraToMask(mesh, start.camera, target, rh, rw, undefined, { maxEvaluations: 150 });
    if (refined.iouAfter > best.iou) best = { camera: refined.camera, iou: refined.iouAfter };
  }
  return best;
}
