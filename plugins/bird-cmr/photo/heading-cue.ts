import { tf } from '../../../core/backend/tf';
import type { CropWindow } from '../../../core/photo/crop-window';
import { projectWeakPerspective, type WeakPerspectiveParams } from '../camera/camera-fit';
import { facingTarget } from '../../../core/train/facing-target';
import type { HeadingNet } from '../heading/heading-net';
import { HEADING_KEYPOINTS } from '../heading/heading-samples';
import { bilinearAt } from '../../../core/photo/bilinear';
import { cropPixels, headingWindow } from '../heading/heading-window';
import { quaternionToMatrix } from '../../../core/renderer/rotation';

/** Log-probabilities below this are treated as this (one wrong cell should not outweigh everything). */
const LOG_FLOOR = Math.log(1e-3);

/** What the heading network says about one bird, in the photo's normalised coordinates. */
export interface HeadingCueReport {
  /** Expected beak and tail positions [x, y] (normalised image coordinates, -1..1). */
  readonly beak: readonly [number, number];
  readonly tail: readonly [number, number];
  /** Share of the probability in the most likely cell of each map: how sure the network is. */
  readonly beakPeak: number;
  readonly tailPeak: number;
  /** Probability that the bird faces the viewer. */
  readonly toward: number;
  /** Probability that the bird is seen from above (its back turned to the camera). */
  readonly above: number;
}

/**
 * The heading network's opinion of a bird in a photo, ready to score cameras: how likely a camera's
 * projected beak and tail are under the network's two heatmaps, and whether its facing (towards or
 * away from the viewer) agrees with the network's.
 */
export class HeadingCue {
  private constructor(
    /** float [m*m*2] log-probabilities, channels last (beak, tail). */
    private readonly logp: Float32Array,
    private readonly m: number,
    private readonly window: CropWindow,
    private readonly height: number,
    private readonly width: number,
    /** The facing logits: towards the viewer, seen from above. */
    private readonly facing: readonly [number, number],
    /** float [2*3] model-space beak and tail. */
    private readonly modelPoints: Float32Array,
    readonly report: HeadingCueReport,
    /** float [m*m] probability that the body covers each cell of the window (networks with a body map), else null. */
    private readonly body: Float32Array | null = null,
  ) {}

  /**
   * Runs the network on the square around `box`, cropped as the training crops were (host-side, edges
   * clamped), and on its mirror image (whose maps are mirrored back): the two readings are averaged.
   * @param pixels float [H*W*3] RGB in [0,1]
   * @param box [x, y, width, height] pixels of the bird
   * @param modelKeypoints float [15*3] the mean shape's CUB keypoints
   */
  static async compute(
    net: HeadingNet,
    pixels: ArrayLike<number>,
    height: number,
    width: number,
    box: readonly [number, number, number, number],
    modelKeypoints: Float32Array,
  ): Promise<HeadingCue> {
    const size = net.config.inputSize;
    const window = headingWindow(box);
    const crop = cropPixels(pixels, height, width, window, size);
    const { maps, facing, body } = tf.tidy(() => {
      const x = tf.sub(tf.mul(tf.tensor4d(crop, [1, size, size, 3]), 2), 1) as tf.Tensor4D;
      const out = net.apply(tf.concat([x, tf.reverse(x, 2)]) as tf.Tensor4D, false);
      // The body map's probabilities, the mirrored reading mirrored back, averaged.
      const bodyMean = out.body ? tf.mean(tf.sigmoid(tf.concat([out.body.slice(0, 1), tf.reverse(out.body.slice(1, 1), 2)])), 0) : tf.zeros([0]);
      const m = out.maps.shape[1];
      // Probabilities of each map, the mirrored reading mirrored back, averaged; then logs.
      const p = tf.softmax(tf.reshape(tf.transpose(out.maps, [0, 3, 1, 2]), [2, 2, m * m]));
      const [a, b] = tf.split(tf.reshape(p, [2, 2, m, m]), 2);
      const mean = tf.div(tf.add(a, tf.reverse(b, 3)), 2);
      const logp = tf.transpose(tf.reshape(tf.log(tf.add(mean, 1e-12)), [2, m * m]));
      return { maps: logp, facing: tf.mean(out.facing, 0), body: bodyMean };
    });
    const logp = Float32Array.from((await maps.data()) as Float32Array);
    const [towardLogit, aboveLogit] = Array.from((await facing.data()) as Float32Array);
    const bodyCells = body.size > 0 ? Float32Array.from((await body.data()) as Float32Array) : null;
    tf.dispose([maps, facing, body]);
    const m = Math.round(Math.sqrt(logp.length / 2));
    const model = new Float32Array(6);
    model.set(modelKeypoints.subarray(3 * HEADING_KEYPOINTS.beak, 3 * HEADING_KEYPOINTS.beak + 3), 0);
    model.set(modelKeypoints.subarray(3 * HEADING_KEYPOINTS.tail, 3 * HEADING_KEYPOINTS.tail + 3), 3);
    // Soft-argmax of each map, moved from the window to the image's normalised coordinates.
    const point = (k: number): { xy: [number, number]; peak: number } => {
      let [total, sx, sy, top] = [0, 0, 0, 0];
      for (let c = 0; c < m * m; c++) {
        const p = Math.exp(logp[2 * c + k]);
        total += p;
        sx += p * ((c % m) + 0.5);
        sy += p * (Math.floor(c / m) + 0.5);
        top = Math.max(top, p);
      }
      const px = window.x + ((sx / total) * window.width) / m;
      const py = window.y + ((sy / total) * window.height) / m;
      return { xy: [(2 * px) / width - 1, (2 * py) / height - 1], peak: top / total };
    };
    const beak = point(0);
    const tail = point(1);
    const report: HeadingCueReport = {
      beak: beak.xy,
      tail: tail.xy,
      beakPeak: beak.peak,
      tailPeak: tail.peak,
      toward: 1 / (1 + Math.exp(-towardLogit)),
      above: 1 / (1 + Math.exp(-aboveLogit)),
    };
    return new HeadingCue(logp, m, window, height, width, [towardLogit, aboveLogit], model, report, bodyCells);
  }

  /**
   * Where the network sees the bird's body (spread wings left out), per pixel of the image: float [H*W]
   * probabilities, bilinear between the map's cells, 0 outside the network's window; null when the
   * network has no body map.
   */
  bodyProbability(): Float32Array | null {
    const cells = this.body;
    if (!cells) return null;
    const { m, window } = this;
    const out = new Float32Array(this.height * this.width);
    for (let y = 0; y < this.height; y++) {
      const v = ((y + 0.5 - window.y) / window.height) * m - 0.5;
      if (v < -0.5 || v > m - 0.5) continue;
      for (let x = 0; x < this.width; x++) {
        const u = ((x + 0.5 - window.x) / window.width) * m - 0.5;
        if (u < -0.5 || u > m - 0.5) continue;
        out[y * this.width + x] = bilinearAt(cells, m, m, 1, 0, u, v);
      }
    }
    return out;
  }

  /** The model's beak and tail (float [2*3]) and where the network sees them ([x0, y0, x1, y1] normalised image coordinates). */
  anchors(): { model: Float32Array; image: [number, number, number, number] } {
    return { model: this.modelPoints, image: [...this.report.beak, ...this.report.tail] as [number, number, number, number] };
  }

  /**
   * Log-likelihood of a camera under the cue: the beak map at the projected beak, the tail map at the
   * projected tail (bilinear, floored at log 1e-3), plus the facing terms, the cross-entropies between
   * the camera's own facing (soft, from the depth of its tail-to-beak and up directions, as the network
   * was trained) and the network's. Higher is better; about 0 to -20.
   */
  score(camera: WeakPerspectiveParams): number {
    const projected = projectWeakPerspective(camera, this.modelPoints);
    let total = 0;
    for (let k = 0; k < 2; k++) {
      const px = ((projected[2 * k] + 1) / 2) * this.width;
      const py = ((projected[2 * k + 1] + 1) / 2) * this.height;
      total += Math.max(LOG_FLOOR, this.sample(k, ((px - this.window.x) / this.window.width) * this.m - 0.5, ((py - this.window.y) / this.window.height) * this.m - 0.5));
    }
    const r = quaternionToMatrix(camera.quaternion);
    const d = [0, 1, 2].map((k) => this.modelPoints[k] - this.modelPoints[3 + k]);
    // z of the unit tail-to-beak direction and of the up axis in camera axes.
    const zs = [(r[6] * d[0] + r[7] * d[1] + r[8] * d[2]) / (Math.hypot(d[0], d[1], d[2]) || 1), r[7]];
    const logSig = (z: number) => (z > 0 ? -Math.log1p(Math.exp(-z)) : z - Math.log1p(Math.exp(z)));
    zs.forEach((z, k) => {
      const t = facingTarget(z);
      total += t * logSig(this.facing[k]) + (1 - t) * logSig(-this.facing[k]);
    });
    return total;
  }

  /** Bilinear sample of map k at cell coordinates (u, v) (cell centres at integers), clamped to the map. */
  private sample(k: number, u: number, v: number): number {
    return bilinearAt(this.logp, this.m, this.m, 2, k, u, v);
  }
}
