import { performance } from 'perf_hooks';
import { tf } from '../../../core/backend/tf';
import { hashString, mulberry32 } from '../../../core/random';
import { SeededRandom } from '../../../core/synth/random';
import { checkRunPlan } from '../../../core/train/run-folder';
import { runHostLoop, saveRunModel, type HostLoopSettings, type HostLoopStepReport } from '../../../core/train/host-loop';
import { buildBirdMeanShape, keypointPositions } from '../shape/mean-shape';
import { facingTarget } from '../../../core/train/facing-target';
import { HeadingNet, type HeadingNetConfig } from './heading-net';
import { renderHeadingSample, type HeadingSample } from './heading-samples';

/** The recipe of a heading-network run (plain data, stored in the run folder as train-plan.json). */
export interface HeadingTrainPlan {
  readonly network: Partial<HeadingNetConfig>;
  readonly steps: number;
  readonly batch: number;
  /** Peak of the cosine schedule. */
  readonly learningRate: number;
  readonly weightDecay: number;
  /** Rendered crops held in memory and drawn from at random. */
  readonly pool: number;
  /** Fresh crops rendered for every batch (the rest comes from the pool). */
  readonly freshPerBatch: number;
  /** Held-out crops (their own random stream) for the figures. */
  readonly validation: number;
  readonly seed: number;
}

/** The shipped network's recipe: about 12 minutes on one wasm thread here. */
export const DEFAULT_HEADING_TRAIN_PLAN: HeadingTrainPlan = {
  network: { inputSize: 64, width: 1, seed: 7, bodyMask: true },
  steps: 5000,
  batch: 32,
  learningRate: 3e-3,
  weightDecay: 1e-4,
  pool: 16000,
  freshPerBatch: 4,
  validation: 600,
  seed: 0,
};

/** Figures of the network on held-out crops. */
export interface HeadingEval {
  /** Share of crops whose predicted tail-to-beak direction is within 90 degrees of the true one (in the image). */
  readonly direction_accuracy: number;
  /** The same among crops where the bird is clearly seen from the side (projected length > 0.4 of the crop). */
  readonly direction_accuracy_side: number;
  /** Share of crops whose facing (towards / away from the viewer) is right, among those clearly facing one way (|z| > 0.5). */
  readonly facing_accuracy: number;
  /** Share of crops rightly seen from above or below, among those clearly seen one way (|z| > 0.5). */
  readonly above_accuracy: number;
  /** Median distance of the predicted beak from the true one, in crop-normalised units (2 = the crop's side). */
  readonly beak_error_median: number;
  /** IoU of the body map (cells over one half) with the true body's (with `bodyMask`; else null). */
  readonly body_iou: number | null;
  readonly count: number;
}

/** One log line. */
export type HeadingStepReport = HostLoopStepReport<HeadingEval>;

/** Settings of a run besides its plan. */
export interface HeadingTrainOptions extends HostLoopSettings<HeadingEval> {
  readonly plan?: HeadingTrainPlan;
}

/** Map cells per side for an input of `inputSize`. */
export function headingMapSize(inputSize: number): number {
  return inputSize / 4;
}

/** A Gaussian target over the map's cells around a crop-normalised point (clamped into the crop), summing to 1. */
function gaussianTarget(out: Float32Array, offset: number, stride: number, m: number, x: number, y: number): void {
  const u = Math.min(m, Math.max(0, ((x + 1) / 2) * m));
  const v = Math.min(m, Math.max(0, ((y + 1) / 2) * m));
  const sigma2 = 2 * 0.8 * 0.8;
  let total = 0;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      const w = Math.exp(-(((j + 0.5 - u) ** 2 + (i + 0.5 - v) ** 2) / sigma2));
      out[offset + (i * m + j) * stride] = w;
      total += w;
    }
  }
  for (let c = 0; c < m * m; c++) out[offset + c * stride] /= total;
}

/** Weight of the body map's mean binary cross-entropy per cell in the loss. */
const BODY_WEIGHT = 4;

/** Input, map targets, facing and body targets of a batch of samples, each optionally mirrored left-right. */
function batchTensors(samples: readonly HeadingSample[], flips: readonly boolean[], size: number) {
  const m = headingMapSize(size);
  const x = new Float32Array(samples.length * size * size * 3);
  const maps = new Float32Array(samples.length * m * m * 2);
  const facing = new Float32Array(samples.length * 2);
  const body = new Float32Array(samples.length * m * m);
  samples.forEach((s, b) => {
    const flip = flips[b];
    for (let y = 0; y < size; y++) {
      for (let xx = 0; xx < size; xx++) {
        const src = 3 * (y * size + (flip ? size - 1 - xx : xx));
        const dst = 3 * ((b * size + y) * size + xx);
        for (let k = 0; k < 3; k++) x[dst + k] = s.pixels[src + k] / 127.5 - 1;
      }
    }
    for (let k = 0; k < 2; k++) {
      gaussianTarget(maps, b * m * m * 2 + k, 2, m, flip ? -s.points[2 * k] : s.points[2 * k], s.points[2 * k + 1]);
    }
    facing[2 * b] = facingTarget(s.forwardZ);
    facing[2 * b + 1] = facingTarget(s.upZ);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) body[(b * m + i) * m + j] = s.body[i * m + (flip ? m - 1 - j : j)] / 255;
    }
  });
  return { x, maps, facing, body, m };
}

/** Binary cross-entropy with logits, summed: softplus(z) - t z. */
function bceSum(logits: tf.Tensor, target: tf.Tensor): tf.Scalar {
  return tf.sum(tf.sub(tf.softplus(logits), tf.mul(target, logits)));
}

/**
 * Cross-entropy of the heatmaps against their targets (per channel, mean over the batch) + the facing
 * logits' BCE + (with `bodyMask`) BODY_WEIGHT x the body map's BCE per cell.
 */
function headingLoss(net: HeadingNet, x: tf.Tensor4D, maps: tf.Tensor4D, facing: tf.Tensor2D, body: tf.Tensor4D, training: boolean): tf.Scalar {
  return tf.tidy(() => {
    const out = net.apply(x, training);
    const b = x.shape[0];
    const logits = tf.reshape(out.maps, [b, -1, 2]);
    const logp = tf.logSoftmax(tf.transpose(logits, [0, 2, 1]));
    const target = tf.transpose(tf.reshape(maps, [b, -1, 2]), [0, 2, 1]);
    const ce = tf.div(tf.neg(tf.sum(tf.mul(target, logp))), b);
    const loss = tf.add(ce, tf.div(bceSum(out.facing, facing), b));
    if (!out.body) return loss as tf.Scalar;
    return tf.add(loss, tf.mul(BODY_WEIGHT / body.size, bceSum(out.body, body))) as tf.Scalar;
  });
}

/** Crop-normalised expected position (soft-argmax) per channel of log-probability maps [m*m*2] (channels last). */
export function softArgmax(logits: ArrayLike<number>, m: number): { points: Float64Array; peak: Float64Array } {
  const points = new Float64Array(4);
  const peak = new Float64Array(2);
  for (let k = 0; k < 2; k++) {
    let max = -Infinity;
    for (let c = 0; c < m * m; c++) max = Math.max(max, logits[2 * c + k]);
    let total = 0;
    let sx = 0;
    let sy = 0;
    let top = 0;
    for (let c = 0; c < m * m; c++) {
      const p = Math.exp(logits[2 * c + k] - max);
      total += p;
      sx += p * (((c % m) + 0.5) / m);
      sy += p * ((Math.floor(c / m) + 0.5) / m);
      top = Math.max(top, p);
    }
    points[2 * k] = (2 * sx) / total - 1;
    points[2 * k + 1] = (2 * sy) / total - 1;
    peak[k] = top / total;
  }
  return { points, peak };
}

/** Scores the network on samples (inference mode). */
export async function evaluateHeadingNet(net: HeadingNet, samples: readonly HeadingSample[]): Promise<HeadingEval> {
  const size = net.config.inputSize;
  const m = headingMapSize(size);
  let [dirRight, dirTotal, sideRight, sideTotal, faceRight, faceTotal, aboveRight, aboveTotal] = [0, 0, 0, 0, 0, 0, 0, 0];
  const beakErrors: number[] = [];
  let [bodyInter, bodyUnion] = [0, 0];
  for (let start = 0; start < samples.length; start += 64) {
    const chunk = samples.slice(start, start + 64);
    const t = batchTensors(chunk, chunk.map(() => false), size);
    const x = tf.tensor4d(t.x, [chunk.length, size, size, 3]);
    const out = net.apply(x, false);
    const maps = (await out.maps.data()) as Float32Array;
    const facing = (await out.facing.data()) as Float32Array;
    const body = out.body ? ((await out.body.data()) as Float32Array) : null;
    tf.dispose([x, out.maps, out.facing, ...(out.body ? [out.body] : [])]);
    if (body) {
      // Logit > 0 is probability > 1/2.
      body.forEach((z, c) => {
        const [a, b] = [z > 0, t.body[c] > 0.5];
        bodyInter += a && b ? 1 : 0;
        bodyUnion += a || b ? 1 : 0;
      });
    }
    chunk.forEach((s, b) => {
      const { points } = softArgmax(maps.subarray(b * m * m * 2, (b + 1) * m * m * 2), m);
      const [tx, ty] = [s.points[0] - s.points[2], s.points[1] - s.points[3]];
      const [px, py] = [points[0] - points[2], points[1] - points[3]];
      const right = tx * px + ty * py > 0;
      dirRight += right ? 1 : 0;
      dirTotal++;
      if (Math.hypot(tx, ty) > 0.8) {
        sideRight += right ? 1 : 0;
        sideTotal++;
      }
      if (Math.abs(s.forwardZ) > 0.5) {
        faceRight += (facing[2 * b] > 0) === (s.forwardZ < 0) ? 1 : 0;
        faceTotal++;
      }
      if (Math.abs(s.upZ) > 0.5) {
        aboveRight += (facing[2 * b + 1] > 0) === (s.upZ < 0) ? 1 : 0;
        aboveTotal++;
      }
      beakErrors.push(Math.hypot(points[0] - s.points[0], points[1] - s.points[1]));
    });
  }
  beakErrors.sort((a, b) => a - b);
  return {
    direction_accuracy: dirRight / Math.max(1, dirTotal),
    direction_accuracy_side: sideRight / Math.max(1, sideTotal),
    facing_accuracy: faceRight / Math.max(1, faceTotal),
    above_accuracy: aboveRight / Math.max(1, aboveTotal),
    beak_error_median: beakErrors[Math.floor(beakErrors.length / 2)] ?? NaN,
    body_iou: net.config.bodyMask ? bodyInter / Math.max(1, bodyUnion) : null,
    count: samples.length,
  };
}

/** Renders crops `from..to-1` of a named stream. */
function renderStream(plan: HeadingTrainPlan, stream: string, count: number, onProgress?: (done: number) => void): HeadingSample[] {
  const shape = buildBirdMeanShape();
  const keypoints = keypointPositions(shape);
  const size = plan.network.inputSize ?? 64;
  const out: HeadingSample[] = [];
  for (let i = 0; i < count; i++) {
    out.push(renderHeadingSample(shape, keypoints, SeededRandom.of(plan.seed, stream, i), size));
    if (onProgress && (i + 1) % 1000 === 0) onProgress(i + 1);
  }
  return out;
}

/**
 * Trains the heading network on rendered birds (see `runHostLoop`: checkpoints, `--resume` with the same
 * batches, figures on held-out crops every `evalEvery` steps), and at the end writes the model to
 * `<out>/model` with its figures in `<out>/eval.json`.
 */
export async function trainHeadingNet(options: HeadingTrainOptions): Promise<{ modelDir: string; eval: HeadingEval }> {
  const plan = options.plan ?? DEFAULT_HEADING_TRAIN_PLAN;
  const note = options.onNote ?? (() => {});
  checkRunPlan(options.out, plan, options.resume ?? false); // before the minutes of rendering
  const net = new HeadingNet(plan.network);
  const size = net.config.inputSize;
  const t0 = performance.now();
  note(`rendering ${plan.pool} training and ${plan.validation} validation crops`);
  const pool = renderStream(plan, 'pool', plan.pool, (done) => note(`  ${done} / ${plan.pool} (${((performance.now() - t0) / 1000).toFixed(0)} s)`));
  const validation = renderStream(plan, 'validation', plan.validation);
  note(`rendered in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  const shape = buildBirdMeanShape();
  const modelKeypoints = keypointPositions(shape);
  const figures = await runHostLoop<HeadingEval>({
    ...options,
    plan,
    variables: net.namedVariables(),
    evaluate: () => evaluateHeadingNet(net, validation),
    loss: (step) => {
      const random = mulberry32(hashString(`${plan.seed}|batch|${step}`));
      const samples: HeadingSample[] = [];
      for (let i = 0; i < plan.batch - plan.freshPerBatch; i++) samples.push(pool[Math.floor(random() * pool.length)]);
      for (let i = 0; i < plan.freshPerBatch; i++) {
        samples.push(renderHeadingSample(shape, modelKeypoints, SeededRandom.of(plan.seed, 'fresh', step, i), size));
      }
      const t = batchTensors(samples, samples.map(() => random() < 0.5), size);
      const x = tf.tensor4d(t.x, [samples.length, size, size, 3]);
      const maps = tf.tensor4d(t.maps, [samples.length, t.m, t.m, 2]);
      const facing = tf.tensor2d(t.facing, [samples.length, 2]);
      const body = tf.tensor4d(t.body, [samples.length, t.m, t.m, 1]);
      return headingLoss(net, x, maps, facing, body, true);
    },
  });
  const modelDir = await saveRunModel(options.out, (dir) => net.save(dir), { ...figures, steps: plan.steps, plan });
  net.dispose();
  return { modelDir, eval: figures };
}
