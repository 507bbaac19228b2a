import type { Mesh } from '../../../core/interfaces/mesh';
import { axisAngleToMatrix, multiplyMatrices, type Mat3 } from '../../../core/renderer/rotation';
import type { WeakPerspectiveParams } from '../camera/camera-fit';
import { BIRD_VIEW_ROTATIONS } from '../camera/bird-views';
import { matrixToQuaternion } from '../camera/quaternion';
import { maskIou, renderSilhouette, resizeMask } from '../predictors/silhouette';
import { refineCameraToMask } from '../predictors/silhouette-refine';
import { headTailTwin } from './heading';

/** Settings of {@link cameraFromSilhouette}. */
export interface SilhouettePoseSettings {
  /** Resolution (longer side) of the search. Default 64. */
  readonly searchSize?: number;
  /** How many of the best starting views are refined (each with its head-tail twin when `refineTwins`). Default 6. */
  readonly refineStarts?: number;
  /**
   * Added to a camera's IoU to rank cameras, before and after refinement: e.g. a heading cue's
   * log-likelihood times its weight. Default none (IoU alone).
   */
  readonly prior?: (camera: WeakPerspectiveParams) => number;
  /**
   * Subtracted from a refined camera's score when the winner is chosen, but not when starting views are
   * ranked: a constraint on where the refinement ends (e.g. no bird upside down) that should not keep a
   * start from being refined (when it penalises every start, the best candidate it does not penalise is
   * refined as well). Default none.
   */
  readonly finalPenalty?: (camera: WeakPerspectiveParams) => number;
  /** Only cameras this accepts are kept (e.g. the beak pointing the way the user said). Default all. */
  readonly accept?: (camera: WeakPerspectiveParams) => boolean;
  /**
   * Also refine the head-tail twin of every refined start (`headTailTwin`), so a start the silhouette
   * ranks high with the head on the wrong end still gets its right-way-round version refined. Default false.
   */
  readonly refineTwins?: boolean;
  /** Rasterizations per refinement. Default 150. */
  readonly refineEvaluations?: number;
  /**
   * Two model points and where they are seen (e.g. the heading network's beak and tail): every starting
   * view not seeing them end-on also gets the scale, turn and shift that put them there, as further
   * candidates, so a poor mask does not decide the bird's size and place alone. Default none.
   */
  readonly anchors?: {
    /** float [2*3] model space. */
    readonly model: ArrayLike<number>;
    /** [x0, y0, x1, y1] normalised image coordinates. */
    readonly image: readonly [number, number, number, number];
  };
}

/** Result of {@link cameraFromSilhouette}. */
export interface SilhouettePose {
  readonly camera: WeakPerspectiveParams;
  /** IoU between the mesh's silhouette and the mask at the search resolution. */
  readonly iou: number;
  /** The ranking score: IoU plus the prior. */
  readonly score: number;
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
 * The camera with rotation `spin * r` (spin about the viewing axis), scale and shift that projects two
 * model points onto two image points; null when `r` sees them nearly end-on or the scale strays more
 * than 3x from `maskScale` (the scale that matches the mask's area).
 */
function anchoredCamera(r: Mat3, anchors: NonNullable<SilhouettePoseSettings['anchors']>, maskScale: number): WeakPerspectiveParams | null {
  const m = anchors.model;
  const [bx, by, tx, ty] = anchors.image;
  const project = (i: number) => [0, 1].map((row) => r[3 * row] * m[3 * i] + r[3 * row + 1] * m[3 * i + 1] + r[3 * row + 2] * m[3 * i + 2]);
  const [pb, pt] = [project(0), project(1)];
  const length3d = Math.hypot(m[0] - m[3], m[1] - m[4], m[2] - m[5]);
  const dm = [pb[0] - pt[0], pb[1] - pt[1]];
  const di = [bx - tx, by - ty];
  if (Math.hypot(dm[0], dm[1]) < 0.3 * length3d) return null;
  const scale = Math.hypot(di[0], di[1]) / Math.hypot(dm[0], dm[1]);
  if (!(scale > maskScale / 3 && scale < maskScale * 3)) return null;
  const alpha = Math.atan2(di[1], di[0]) - Math.atan2(dm[1], dm[0]);
  const c = Math.cos(alpha);
  const sn = Math.sin(alpha);
  const mid = [(pb[0] + pt[0]) / 2, (pb[1] + pt[1]) / 2];
  return {
    quaternion: matrixToQuaternion(multiplyMatrices(axisAngleToMatrix([0, 0, alpha]), r)),
    scale,
    translation: [(bx + tx) / 2 - scale * (c * mid[0] - sn * mid[1]), (by + ty) / 2 - scale * (sn * mid[0] + c * mid[1])],
  };
}

/**
 * A weak-perspective camera that makes the mesh's silhouette match a mask, without keypoints: each
 * starting view is scaled, moved and turned in the image plane so the silhouette's area, centroid and
 * principal axis (either way along it) match the mask's; the best few by IoU plus `prior` (and, with
 * `refineTwins`, their head-tail twins) are refined by pattern search (as `refineCameraToMask`), and
 * the best by IoU plus prior wins. A silhouette alone leaves some poses ambiguous (a bird seen exactly
 * from the side looks the same mirrored in depth, and a blob-like outline hardly tells head from tail),
 * which is what the prior is for.
 * @param mask float [H*W] in [0,1]
 * @throws when the mask is empty, or when `accept` rejects every starting view
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
  const prior = settings.prior ?? (() => 0);
  const accept = settings.accept ?? (() => true);
  const pose = (camera: WeakPerspectiveParams, iou: number): SilhouettePose => ({ camera, iou, score: iou + prior(camera) });
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
      if (!accept(camera)) continue;
      candidates.push(pose(camera, maskIou(renderSilhouette(mesh, camera, rh, rw), target)));
    }
    const anchored = settings.anchors && anchoredCamera(r, settings.anchors, scale);
    if (anchored && accept(anchored)) candidates.push(pose(anchored, maskIou(renderSilhouette(mesh, anchored, rh, rw), target)));
  }
  if (candidates.length === 0) throw new Error('no starting view satisfies the given constraint');
  candidates.sort((a, b) => b.score - a.score);
  const starts = candidates.slice(0, settings.refineStarts ?? 6);
  if (settings.refineTwins) {
    const centroid = [0, 0, 0];
    for (let i = 0; i < mesh.vertices.length; i++) centroid[i % 3] += (3 * mesh.vertices[i]) / mesh.vertices.length;
    for (const start of [...starts]) {
      const twin = headTailTwin(start.camera, centroid);
      if (accept(twin)) starts.push(pose(twin, maskIou(renderSilhouette(mesh, twin, rh, rw), target)));
    }
  }
  const penalty = settings.finalPenalty ?? (() => 0);
  const final = (p: SilhouettePose): number => p.score - penalty(p.camera);
  // When every start is penalised, the best unpenalised candidate is refined too, so there is one to choose.
  if (starts.every((p) => penalty(p.camera) > 0)) {
    const free = candidates.find((p) => penalty(p.camera) === 0);
    if (free) starts.push(free);
  }
  let best: SilhouettePose = starts.reduce((a, b) => (final(b) > final(a) ? b : a));
  for (const start of starts) {
    const refined = refineCameraToMask(mesh, start.camera, target, rh, rw, undefined, { maxEvaluations: settings.refineEvaluations ?? 150 });
    if (!accept(refined.camera)) continue;
    const result = pose(refined.camera, refined.iouAfter);
    if (final(result) > final(best)) best = result;
  }
  return best;
}
