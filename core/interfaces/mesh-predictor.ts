import type { AlignedMesh } from './mesh';
import type { tf } from '../backend/tf';

/** Source image plus whatever annotations a data set carries (keypoints, masks, body parameters). */
export interface PredictorInput {
  /** float32 [H,W,3] in [-1,1]. */
  readonly image: tf.Tensor3D;
  /** Identifier of the image (file name), used by predictors that look up precomputed results. */
  readonly id: string;
  /** Absolute path of the image file, when the image comes from one (predictors that read per-image files). */
  readonly imagePath?: string;
  /**
   * Where the subject is in `image`, [x, y, width, height] in its pixels, when a detector upstream already
   * found it (`retex run`): a predictor that detects the subject itself may take this box instead.
   */
  readonly subjectBox?: readonly [number, number, number, number];
  /** Data-set annotations, keyed by the data set's own names; predictors validate what they read. */
  readonly annotations?: Readonly<Record<string, unknown>>;
}

/**
 * Role 1 of 4: places the category's mesh in the image.
 * Implementations are plugin-side (SMPL fitting for humans, CMR camera for birds).
 */
export interface MeshPredictor {
  readonly id: string;
  /**
   * @returns the mesh posed and the camera that aligns it with `input.image`.
   * @throws with a message a user can act on when the image holds no subject (or several).
   */
  predict(input: PredictorInput): Promise<AlignedMesh>;
  dispose(): void;
}
