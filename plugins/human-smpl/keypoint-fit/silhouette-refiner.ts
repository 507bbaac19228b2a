import type { Camera } from '../../../core/interfaces/mesh';
import { rasterize } from '../../../core/renderer/rasterizer';
import type { BodyModel } from '../body/body-model';
import { poseBody } from '../predictors/pose-body';
import { maskIou } from './synthetic-person';

/** Settings of the silhouette refinement (defaults in `DEFAULT_REFINE_SETTINGS`). */
export interface RefineSettings {
  /** Step sizes tried, each half the one before; at each, sweeps repeat until none gains. */
  readonly rounds: number;
  /** First step of each shape coefficient. */
  readonly betaStep: number;
  /** Largest |beta| the search may reach. */
  readonly betaLimit: number;
  /** First step of the image-plane shift, pixels, and of the depth, as a fraction of it. */
  readonly shiftStepPx: number;
  readonly depthStep: number;
  /** Silhouette evaluations allowed in all (each is one rasterization). */
  readonly maxEvaluations: number;
  /**
   * IoU given up per pixel the anchors' mean distance grows beyond its start: keeps the body on its
   * keypoints, so it cannot "win" IoU by growing past the picture's edges (pixels outside the image do not
   * count) or sliding off the person.
   */
  readonly keypointWeight: number;
}

export const DEFAULT_REFINE_SETTINGS: RefineSettings = {
  rounds: 3,
  betaStep: 0.8,
  betaLimit: 3,
  shiftStepPx: 1,
  depthStep: 0.03,
  maxEvaluations: 80,
  keypointWeight: 0.05,
};

/** Detected keypoints the refined body should stay on: joints only (no offset points). */
export interface KeypointAnchors {
  /** Body joint index of each anchor. */
  readonly joints: readonly number[];
  /** float32 [K*2]: pixels. */
  readonly xy: Float32Array;
  /** float32 [K]: weights, 0 leaves one out. */
  readonly confidence: Float32Array;
}

/** What the refinement changes. */
export interface ShapeAndPlacement {
  readonly pose: Float32Array;
  readonly betas: Float32Array;
  readonly translation: readonly [number, number, number];
}

/**
 * Adjusts what keypoints cannot see (the shape coefficients: girth, shoulder width, ...) and the body's
 * placement so its rendered silhouette matches a person mask: pattern search on the silhouette IoU
 * (rasterized at the image size), keeping the pose and, given anchors, staying on the keypoints. Each
 * accepted move raises the objective, so the result is never worse than the start.
 */
export class SilhouetteRefiner {
  constructor(
    private readonly model: BodyModel,
    readonly settings: RefineSettings = DEFAULT_REFINE_SETTINGS,
  ) {}

  /** IoU of the body's silhouette with `mask` (float32 [H*W], >= 0.5 is the person). */
  iou(p: ShapeAndPlacement, camera: Camera, mask: Float32Array, height: number, width: number): number {
    return this.silhouetteIou(poseBody(this.model, p.pose, p.betas, p.translation).vertices, camera, mask, height, width);
  }

  private silhouetteIou(vertices: Float32Array, camera: Camera, mask: Float32Array, height: number, width: number): number {
    const frag = rasterize(this.model.meshFromVertices(vertices), camera, height, width);
    return maskIou(mask, Array.from(frag.faceIds, (f) => (f >= 0 ? 1 : 0)));
  }

  /** Confidence-weighted mean distance (px) of the body's anchor joints from their keypoints. */
  anchorDistance(p: ShapeAndPlacement, camera: Camera, anchors: KeypointAnchors, height: number, width: number): number {
    return this.jointDistance(poseBody(this.model, p.pose, p.betas, p.translation).joints, camera, anchors, height, width);
  }

  private jointDistance(joints: Float32Array, camera: Camera, anchors: KeypointAnchors, height: number, width: number): number {
    const pr = camera.project(joints, height, width);
    let sum = 0;
    let weight = 0;
    anchors.joints.forEach((j, k) => {
      const c = anchors.confidence[k];
      if (!(c > 0)) return;
      sum += c * Math.hypot(pr[3 * j] - anchors.xy[2 * k], pr[3 * j + 1] - anchors.xy[2 * k + 1]);
      weight += c;
    });
    return weight > 0 ? sum / weight : 0;
  }

  /**
   * Pattern search: each coordinate (every beta, then x, y and depth of the translation) keeps stepping in
   * a direction while the objective rises, so it can travel as far as the silhouette asks (to `betaLimit`;
   * fixed steps halving every round stopped a beta at 0.8 + 0.4 + 0.2 = 1.4); the step halves only once a
   * whole sweep gains nothing. Objective: IoU, minus `keypointWeight` per pixel the anchors drift.
   * @param focal the camera's focal length in pixels (to turn pixel steps into metres)
   * @returns the refined parameters, their IoU and the evaluations spent
   */
  refine(
    start: ShapeAndPlacement,
    camera: Camera,
    focal: number,
    mask: Float32Array,
    height: number,
    width: number,
    anchors?: KeypointAnchors,
  ): ShapeAndPlacement & { iou: number; evaluations: number } {
    const s = this.settings;
    let cur = { pose: start.pose, betas: Float32Array.from(start.betas), translation: [...start.translation] as [number, number, number] };
    const drift0 = anchors ? this.anchorDistance(cur, camera, anchors, height, width) : 0;
    const objective = (p: typeof cur): { value: number; iou: number } => {
      const { vertices, joints } = poseBody(this.model, p.pose, p.betas, p.translation);
      const iou = this.silhouetteIou(vertices, camera, mask, height, width);
      const drift = anchors ? Math.max(0, this.jointDistance(joints, camera, anchors, height, width) - drift0) : 0;
      return { value: iou - s.keypointWeight * drift, iou };
    };
    let best = objective(cur);
    let evaluations = 1;
    const ns = this.model.shapeCount;
    const move = (from: typeof cur, c: number, dir: number, scale: number): typeof cur | null => {
      const next = { pose: from.pose, betas: Float32Array.from(from.betas), translation: [...from.translation] as [number, number, number] };
      if (c < ns) {
        const value = Math.max(-s.betaLimit, Math.min(s.betaLimit, next.betas[c] + dir * s.betaStep * scale));
        if (value === next.betas[c]) return null; // already at the limit
        next.betas[c] = value;
      } else if (c < ns + 2) {
        next.translation[c - ns] += (dir * s.shiftStepPx * scale * next.translation[2]) / focal;
      } else {
        next.translation[2] *= 1 + dir * s.depthStep * scale;
      }
      return next;
    };
    let scale = 1;
    search: for (let round = 0; round < s.rounds; round++, scale /= 2) {
      for (let gained = true; gained; ) {
        gained = false;
        for (let c = 0; c < ns + 3; c++) {
          for (const dir of [1, -1]) {
            let moved = false;
            for (;;) {
              if (evaluations >= s.maxEvaluations) break search;
              const next = move(cur, c, dir, scale);
              if (!next) break;
              const score = objective(next);
              evaluations++;
              if (!(score.value > best.value)) break;
              best = score;
              cur = next;
              moved = gained = true;
            }
            if (moved) break; // the other direction would undo the gain
          }
        }
      }
    }
    return { ...cur, iou: best.iou, evaluations };
  }
}
