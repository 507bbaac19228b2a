import { tf } from '../../../core/backend/tf';
import { readPixels } from '../../../core/io/image-decode';
import { bilinearAt } from '../../../core/photo/bilinear';
import { hashString } from '../../../core/random';
import { readGroundTruthParams } from '../../../core/synth/ground-truth';
import { SeededRandom } from '../../../core/synth/random';
import { checkRunPlan } from '../../../core/train/run-folder';
import { runHostLoop, saveRunModel, type HostLoopSettings, type HostLoopStepReport } from '../../../core/train/host-loop';
import { bodyForward } from './facing';
import { facingTarget } from '../../../core/train/facing-target';
import { FacingNet, type FacingNetConfig } from './facing-net';
import { syntheticSetImages } from './synthetic-set';

/** The recipe of a facing-network run (plain data, stored in the run folder as train-plan.json). */
export interface FacingTrainPlan {
  readonly network: Partial<FacingNetConfig>;
  readonly steps: number;
  readonly batch: number;
  /** Peak of the cosine schedule. */
  readonly learningRate: number;
  readonly weightDecay: number;
  /** Share of the identities held out for the figures (chosen by a hash of the identity). */
  readonly validationShare: number;
  readonly seed: number;
}

/** The shipped network's recipe: about 15 minutes on one wasm thread here. */
export const DEFAULT_FACING_TRAIN_PLAN: FacingTrainPlan = {
  network: { inputSize: [128, 64], width: 1, seed: 7 },
  steps: 4000,
  batch: 32,
  learningRate: 3e-3,
  weightDecay: 1e-4,
  validationShare: 0.1,
  seed: 0,
};

/** Headings closer than this to side-on (degrees) have no front or back; figures leave them out. */
export const SIDE_ON_DEGREES = 15;

/** One person crop of a synthetic set with its truth. */
export interface FacingSample {
  /** 8-bit RGB at the network's input size. */
  readonly pixels: Uint8Array;
  /** z of the body's forward direction in camera axes (< 0 faces the camera). */
  readonly forwardZ: number;
  /** The set's position in the list and the identity in it (not the folder's path: a copy elsewhere splits the same). */
  readonly identity: string;
}

/** Figures on held-out identities. */
export interface FacingEval {
  /** Share right among images more than SIDE_ON_DEGREES from side-on. */
  readonly accuracy: number;
  /** Mean binary cross-entropy against the soft targets, all images. */
  readonly log_loss: number;
  readonly count: number;
}

export type FacingStepReport = HostLoopStepReport<FacingEval>;

/** Settings of a run besides its plan. */
export interface FacingTrainOptions extends HostLoopSettings<FacingEval> {
  /** `retex synth --category human` folders to learn from. */
  readonly data: readonly string[];
  readonly plan?: FacingTrainPlan;
}

/** Reads every image with ground truth from synthetic people sets, at the network's input size. */
export async function readFacingSamples(roots: readonly string[], size: readonly [number, number], onProgress?: (done: number, total: number) => void): Promise<FacingSample[]> {
  const files = roots.flatMap((root, set) => syntheticSetImages(root).map((file) => ({ root, set, file })));
  if (files.length === 0) throw new Error(`no images with ground truth in ${roots.join(', ')}: make a set with retex synth --category human`);
  const out: FacingSample[] = [];
  for (const [i, { root, set, file }] of files.entries()) {
    const gt = readGroundTruthParams(root, file);
    if (!Array.isArray(gt.pose) || gt.pose.length < 3 || !gt.pose.every(Number.isFinite)) {
      throw new Error(`ground truth of ${file}: 'pose' is not a list of numbers`);
    }
    const { pixels } = await readPixels(file, { size: [size[0], size[1]] });
    out.push({ pixels, forwardZ: bodyForward(gt.pose as number[])[2], identity: `${set}|${String(gt.identity)}` });
    if (onProgress && ((i + 1) % 1000 === 0 || i + 1 === files.length)) onProgress(i + 1, files.length);
  }
  return out;
}

/**
 * Writes one augmented copy of a sample into `out` (RGB in [-1,1]): a mirror half the time (it does not
 * turn the person round), a shift and scale of the framing, half the time a coarser sampling grid (a small
 * box enlarged), colour changes (gain per channel, a hue turn, brightness, contrast, saturation, sometimes
 * grey), half the time a blur, and noise, so that the network learns the person's front and back rather than
 * the renderer's colours, sharpness and framing.
 */
export function augmentInto(out: Float32Array, offset: number, s: FacingSample, h: number, w: number, r: SeededRandom): void {
  const flip = r.chance(0.5);
  const scale = r.range(0.85, 1.15);
  const dy = r.range(-0.07, 0.07) * h;
  const dx = r.range(-0.1, 0.1) * w;
  const gain = [0, 1, 2].map(() => r.range(0.75, 1.25));
  const brightness = r.range(-0.15, 0.15);
  const contrast = r.range(0.6, 1.4);
  const saturation = r.chance(0.1) ? 0 : r.range(0.4, 1.3);
  const noise = r.range(0, 0.04);
  const blur = r.chance(0.5);
  // A low-resolution source (a small person box enlarged, as in re-ID crops): sample on a coarser grid.
  const cell = r.chance(0.5) ? r.range(1.5, 3) : 1;
  const coarse = (v: number) => (cell > 1 ? (Math.floor(v / cell) + 0.5) * cell - 0.5 : v);
  // A hue turn (other skin, hair and light colours): the colour's offset from grey rotated about the grey axis.
  const hue = r.chance(0.5) ? (r.range(-25, 25) * Math.PI) / 180 : 0;
  const [hc, hs] = [Math.cos(hue), Math.sin(hue) / Math.sqrt(3)];
  const img = new Float32Array(h * w * 3);
  const rgb = [0, 0, 0];
  for (let y = 0; y < h; y++) {
    const srcY = (coarse(y) - h / 2 - dy) / scale + h / 2;
    for (let x = 0; x < w; x++) {
      const srcX = ((flip ? w - 1 - coarse(x) : coarse(x)) - w / 2 - dx) / scale + w / 2;
      const p = 3 * (y * w + x);
      for (let k = 0; k < 3; k++) rgb[k] = (bilinearAt(s.pixels, h, w, 3, k, srcX, srcY) / 255) * gain[k];
      const grey = (rgb[0] + rgb[1] + rgb[2]) / 3;
      for (let k = 0; k < 3; k++) {
        // Rodrigues about (1,1,1)/sqrt(3) for a vector d orthogonal to it: d cos t + (axis x d) sin t.
        const d = rgb[k] - grey;
        const cross = rgb[(k + 2) % 3] - rgb[(k + 1) % 3];
        img[p + k] = (grey + saturation * (d * hc + cross * hs) - 0.5) * contrast + 0.5 + brightness;
      }
    }
  }
  const at = (y: number, x: number, k: number) => img[3 * (Math.min(h - 1, Math.max(0, y)) * w + Math.min(w - 1, Math.max(0, x))) + k];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let k = 0; k < 3; k++) {
        let v = img[3 * (y * w + x) + k];
        if (blur) {
          v = 0;
          for (let a = -1; a <= 1; a++) for (let b = -1; b <= 1; b++) v += at(y + a, x + b, k);
          v /= 9;
        }
        out[offset + 3 * (y * w + x) + k] = Math.min(1, Math.max(0, v + noise * r.gaussian())) * 2 - 1;
      }
    }
  }
}

/** Binary cross-entropy with logits against soft targets, mean over the batch: softplus(z) - t z. */
function facingLoss(logits: tf.Tensor1D, targets: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.sub(tf.softplus(logits), tf.mul(targets, logits))) as tf.Scalar);
}

/** Scores the network on samples as they are (inference mode, the image and its mirror averaged as in use). */
export async function evaluateFacingNet(net: FacingNet, samples: readonly FacingSample[]): Promise<FacingEval> {
  const [h, w] = net.config.inputSize;
  const sideOn = Math.sin((SIDE_ON_DEGREES * Math.PI) / 180);
  let [right, counted, logLoss] = [0, 0, 0];
  for (let start = 0; start < samples.length; start += 64) {
    const chunk = samples.slice(start, start + 64);
    const x = new Float32Array(chunk.length * h * w * 3);
    chunk.forEach((s, b) => s.pixels.forEach((v, i) => (x[b * h * w * 3 + i] = v / 127.5 - 1)));
    const logits = tf.tidy(() => {
      const t = tf.tensor4d(x, [chunk.length, h, w, 3]);
      return tf.div(tf.add(net.apply(t, false), net.apply(tf.reverse(t, 2), false)), 2);
    });
    const z = (await logits.data()) as Float32Array;
    logits.dispose();
    chunk.forEach((s, b) => {
      const t = facingTarget(s.forwardZ);
      logLoss += Math.log1p(Math.exp(-Math.abs(z[b]))) + Math.max(z[b], 0) - t * z[b];
      if (Math.abs(s.forwardZ) > sideOn) {
        counted++;
        if (z[b] > 0 === s.forwardZ < 0) right++;
      }
    });
  }
  return { accuracy: right / Math.max(1, counted), log_loss: logLoss / Math.max(1, samples.length), count: samples.length };
}

/** Whether an identity is held out for the figures. */
function heldOut(identity: string, plan: FacingTrainPlan): boolean {
  return (hashString(`${plan.seed}|${identity}`) % 1000) / 1000 < plan.validationShare;
}

/**
 * Trains the facing network on synthetic people (see `runHostLoop`: checkpoints, `resume` with the same
 * batches, figures on held-out identities), and at the end writes the model to `<out>/model` with its
 * figures in `<out>/eval.json`.
 */
export async function trainFacingNet(options: FacingTrainOptions): Promise<{ modelDir: string; eval: FacingEval }> {
  const plan = options.plan ?? DEFAULT_FACING_TRAIN_PLAN;
  const runPlan = { ...plan, data: options.data };
  const note = options.onNote ?? (() => {});
  checkRunPlan(options.out, runPlan, options.resume ?? false); // before reading the images
  const net = new FacingNet(plan.network);
  const [h, w] = net.config.inputSize;
  note(`reading ${options.data.join(', ')}`);
  const all = await readFacingSamples(options.data, net.config.inputSize, (done, total) => note(`  ${done} / ${total} images`));
  const train = all.filter((s) => !heldOut(s.identity, plan));
  const validation = all.filter((s) => heldOut(s.identity, plan));
  if (train.length < plan.batch || validation.length === 0) {
    throw new Error(`${all.length} images are too few to train the facing network on (${train.length} to learn from, ${validation.length} held out): make a larger set with retex synth`);
  }
  note(`${train.length} images to learn from, ${validation.length} held out`);
  const figures = await runHostLoop<FacingEval>({
    ...options,
    plan: runPlan,
    variables: net.namedVariables(),
    evaluate: () => evaluateFacingNet(net, validation),
    loss: (step) => {
      const r = SeededRandom.of(plan.seed, 'batch', step);
      const x = new Float32Array(plan.batch * h * w * 3);
      const targets = new Float32Array(plan.batch);
      for (let b = 0; b < plan.batch; b++) {
        const s = train[r.int(train.length)];
        augmentInto(x, b * h * w * 3, s, h, w, r);
        targets[b] = facingTarget(s.forwardZ);
      }
      return facingLoss(net.apply(tf.tensor4d(x, [plan.batch, h, w, 3]), true), tf.tensor1d(targets));
    },
  });
  const modelDir = await saveRunModel(options.out, (dir) => net.save(dir), { ...figures, steps: plan.steps, plan, data: options.data });
  net.dispose();
  return { modelDir, eval: figures };
}
