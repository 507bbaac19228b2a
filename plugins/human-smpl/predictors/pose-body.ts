import type { BodyModel } from '../body/body-model';
import type { BodyModelData } from '../body/body-model-types';
import { PlainBodyPoser } from '../body/plain-body-poser';

/** One posed body as plain arrays. */
export interface PosedBody {
  /** float32 [V*3], metres. */
  readonly vertices: Float32Array;
  /** float32 [J*3], metres. */
  readonly joints: Float32Array;
}

/** One plain-array poser per body model's data, built on first use. */
const posers = new WeakMap<BodyModelData, PlainBodyPoser>();

/**
 * Poses the body model for one parameter set, without gradients: on plain arrays (PlainBodyPoser), which
 * is many times faster than the TF.js forward pass for a single body. `betas` beyond the model's shape
 * directions are ignored (a licensed SMPL file has 10+; the built-in body has fewer and they mean other things).
 * @param pose axis-angle [3J] (SMPL: 72); betas [S']; translation [3] (default zero)
 */
export function poseBody(
  model: BodyModel,
  pose: ArrayLike<number>,
  betas: ArrayLike<number> = [],
  translation: readonly [number, number, number] = [0, 0, 0],
): PosedBody {
  let poser = posers.get(model.data);
  if (!poser) {
    poser = new PlainBodyPoser(model.data);
    posers.set(model.data, poser);
  }
  return poser.pose(pose, Array.from(betas).slice(0, model.shapeCount), translation);
}
