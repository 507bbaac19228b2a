import type { tf } from '../backend/tf';

/**
 * Role 4 of 4: a frozen re-identification network whose intermediate features define the loss.
 */
export interface IdentityNetwork {
  readonly id: string;
  /** Input size the network resizes images to, [H, W]. */
  readonly inputSize: readonly [number, number];
  /** Names of the feature stages `features` returns, in order (e.g. the four residual stages). */
  readonly stageNames: readonly string[];
  /**
   * @param images float32 [B,H,W,3] in [-1,1], any size (resized internally to inputSize).
   * @returns one float32 tensor per stage, [B, ...], in the order of `stageNames`.
   *   Differentiable w.r.t. `images`; the network's own weights are not trained by retex's loss.
   */
  features(images: tf.Tensor4D): tf.Tensor[];
  dispose(): void;
}
