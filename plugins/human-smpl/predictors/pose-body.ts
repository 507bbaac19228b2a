import { tf } from '../../../core/backend/tf';
import type { BodyModel } from '../body/body-model';

/** One posed body as plain arrays. */
export interface PosedBody {
  /** float32 [V*3], metres. */
  readonly vertices: Float32Array;
  /** float32 [J*3], metres. */
  readonly joints: Float32Array;
}

/**
 * Runs the body model for one parameter set (no gradient). `betas` beyond the model's shape directions
 * are ignored (a licensed SMPL file has 10+; the built-in body has fewer and they mean other things).
 * @param pose axis-angle [3J] (SMPL: 72); betas [S']; translation [3] (default zero)
 */
export function poseBody(
  model: BodyModel,
  pose: ArrayLike<number>,
  betas: ArrayLike<number> = [],
  translation: readonly [number, number, number] = [0, 0, 0],
): PosedBody {
  const used = Array.from(betas).slice(0, model.shapeCount);
  return tf.tidy(() => {
    const out = model.forward({
      betas: tf.tensor2d(used, [1, used.length]),
      pose: tf.tensor2d(Array.from(pose), [1, pose.length]),
      translation: tf.tensor2d([Array.from(translation)]),
    });
    return { vertices: out.vertices.dataSync() as Float32Array, joints: out.joints.dataSync() as Float32Array };
  });
}
