import type { tf } from '../backend/tf';

/**
 * What a generator reads: the photo (the paper's U-Net), or `projection`: the photo carried into UV space
 * by the `project` method (visible pixels back through the render operator, the rest filled from the
 * mirror image and the part colours), [Th, Tw], so the network only has to correct and complete a
 * texture that is already laid out as one.
 */
export const GENERATOR_INPUTS = ['photo', 'projection'] as const;
export type GeneratorInput = (typeof GENERATOR_INPUTS)[number];

/**
 * Role 2 of 4: the U-Net that maps an image to a UV texture.
 */
export interface TextureGenerator {
  readonly id: string;
  /** What `generate` takes (absent: `photo`). */
  readonly input?: GeneratorInput;
  /** Input size the network expects, [H, W] (the texture size for `projection`). */
  readonly inputSize: readonly [number, number];
  /** Texture size it produces, [Th, Tw]. */
  readonly textureSize: readonly [number, number];
  /**
   * @param images float32 [B,H,W,3] in [-1,1], H x W = inputSize: photos, or their projections (`input`).
   * @param training true while training (batch-norm uses batch statistics).
   * @returns texture float32 [B,Th,Tw,3] in [-1,1].
   */
  generate(images: tf.Tensor4D, training: boolean): tf.Tensor4D;
  /** The trainable weights, for the optimiser. */
  trainableVariables(): tf.Variable[];
  /** Saves the weights to a directory (atomically). */
  save(dir: string): Promise<void>;
  dispose(): void;
}
