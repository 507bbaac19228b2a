import type { Camera } from '../../../core/interfaces/mesh';
import { rasterize } from '../../../core/renderer/rasterizer';
import type { BodyModel } from '../body/body-model';
import { poseBody } from '../predictors/pose-body';
import { maskIou } from './synthetic-person';

/** Settings of the silhouette refinement (defaults in `DEFAULT_REFINE_SETTINGS`). */
export interface RefineSettings {
  /** Rounds of coordinate search; the step sizes halve after each. */
  readonly rounds: number;
  /** First step of each shape coefficient. */
  readonly betaStep: number;
  /** Largest |beta| the search may reach. */
  readonly betaLimit: number;
  /** First step of the image-plane shift, pixels, and of the depth, as a fraction of it. */
  readonly shiftStepPx: number;
  readonly depthStep: number;
}

export const DEFAULT_REFINE_SETTINGS: RefineSettings = {
  rounds: 3,
  betaStep: 0.8,
  betaLimit: 3,
  shiftStepPx: 1,
  depthStep: 0.03,
};

/** What the refinement changes. */
export interface ShapeAndPlacement {
  readonly pose: Float32Array;
  readonly betas: Float32Array;
  readonly translation: readonly [number, number, number];
}

/**
 * Adjusts what keypoints cannot see (the shape coefficients: girth, shoulder width, ...) and the body's
 * placement so its rendered silhouette matches a person mask: coordinate search on the silhouette IoU
 * (rasterized at the image size), keeping the pose. Each accepted move raises the IoU, so the result is
 * never worse than the start.
 */
export class SilhouetteRefiner {
  constructor(
    private readonly model: BodyModel,
    readonly settings: RefineSettings = DEFAULT_REFINE_SETTINGS,
  ) {}

  /** IoU of the body's silhouette with `mask` (float32 [H*W], >= 0.5 is the person). */
  iou(p: ShapeAndPlacement, camera: Camera, mask: Float32Array, height: number, width: number): number {
    const { vertices } = poseBody(this.model, p.pose, p.betas, p.translation);
    const frag = rasterize(this.model.meshFromVertices(vertices), camera, height, width);
    return maskIou(mask, Array.from(frag.faceIds, (f) => (f >= 0 ? 1 : 0)));
  }

  /**
   * @param focal the camera's focal length in pixels (to turn pixel steps into metres)
   * @returns the refined parameters and their IoU
   */
  refine(
    start: ShapeAndPlacement,
    camera: Camera,
    focal: number,
    mask: Float32Array,
    height: number,
    width: number,
  ): ShapeAndPlacement & { iou: number } {
    const s = this.settings;
    let cur = { pose: start.pose, betas: Float32Array.from(start.betas), translation: [...start.translation] as [number, number, number] };
    let best = this.iou(cur, camera, mask, height, width);
    const ns = this.model.shapeCount;
    let scale = 1;
    for (let round = 0; round < s.rounds; round++, scale /= 2) {
      // coordinates: each beta, then x, y, z of the translation
      for (let c = 0; c < ns + 3; c++) {
        for (const dir of [1, -1]) {
          const next = { pose: cur.pose, betas: Float32Array.from(cur.betas), translation: [...cur.translation] as [number, number, number] };
          if (c < ns) {
            next.betas[c] = Math.max(-s.betaLimit, Math.min(s.betaLimit, next.betas[c] + dir * s.betaStep * scale));
          } else if (c < ns + 2) {
            next.translation[c - ns] += (dir * s.shiftStepPx * scale * next.translation[2]) / focal;
          } else {
            next.translation[2] *= 1 + dir * s.depthStep * scale;
          }
          const score = this.iou(next, camera, mask, height, width);
          if (score > best) {
            best = score;
            cur = next;
            break; // keep this direction's gain; the other direction would undo it
          }
        }
      }
    }
    return { ...cur, iou: best };
  }
}
