import type { tf } from '../backend/tf';

/** What a loss sees in one training step. */
export interface LossInputs {
  /** Input photos float32 [B,H,W,3] in [-1,1]. */
  readonly images: tf.Tensor4D;
  /** Renderings composited over backgrounds, float32 [B,H,W,3] in [-1,1]. */
  readonly renderings: tf.Tensor4D;
  /** Generated textures float32 [B,Th,Tw,3] in [-1,1]. */
  readonly textures: tf.Tensor4D;
  /** Rendered silhouettes float32 [B,H,W,1] in [0,1]. */
  readonly masks: tf.Tensor4D;
  /**
   * The photos' own features per feature-loss term id (one float32 tensor [B,...] per stage), computed
   * once per image and reused (the network is frozen). A term without an entry computes them.
   */
  readonly imageFeatures?: Readonly<Record<string, readonly tf.Tensor[]>>;
  /** int32 [B]: which reference texture each sample's region term compares with (0 for all when absent). */
  readonly referenceIndices?: tf.Tensor1D;
}

/** A differentiable training objective. */
export interface Loss {
  readonly id: string;
  /** @returns a scalar float32 tensor; differentiable w.r.t. renderings and textures. */
  compute(inputs: LossInputs): tf.Scalar;
  dispose(): void;
}
