import type { tf } from '../backend/tf';

/**
 * Role 2 of 4: the U-Net that maps an image to a UV texture.
 */
export interface TextureGenerator {
  readonly id: string;
  /** Input size the network expects, [H, W]. */
  readonly inputSize: readonly [number, number];
  /** Texture size it produces, [Th, Tw]. */
  readonly textureSize: readonly [number, number];
  /**
   * @param images float32 [B,H,W,3] in [-1,1], H x W = inputSize.
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
