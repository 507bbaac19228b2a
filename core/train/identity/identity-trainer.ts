import * as fs from 'fs';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { tf } from '../../backend/tf';
import { pkBatchSequence } from '../../data/pk-batch-sampler';
import type { Dataset, Sample } from '../../interfaces/dataset';
import { writeFileAtomic } from '../../io/atomic-write';
import { ReidNetwork, type ReidNetworkConfig } from '../../nn/reid-network';
import { hashString, mulberry32 } from '../../random';
import { smoothSeries, writeLineChartPng } from '../../report/line-chart';
import { DataParallelTrainer } from '../data-parallel';
import { hostOptimizerStep, startRun } from '../host-step';
import { setHostWeights } from '../host-tensors';
import { cosineLearningRate } from '../lr-schedule';
import { checkRunPlan, LOG_FILE, PLAN_FILE, trimRunLog, type RunFolderOptions, type RunResult } from '../run-folder';
import type { HostBatch } from '../train-task';
import { augmentImage, type AugmentOptions } from './augment';
import { CHECKPOINT_STEM, hasCheckpoint, saveCheckpoint } from '../checkpoint';
import { identityTaskSpec } from './identity-task';
import { loadImageStore, type ImageStore } from './image-store';

/** The optimisation settings of an identity-network run. */
export interface IdentityTrainSettings {
  readonly steps: number;
  readonly identitiesPerBatch: number;
  readonly imagesPerIdentity: number;
  /** Peak of the cosine schedule. */
  readonly learningRate: number;
  /** Adam's L2 weight decay. */
  readonly weightDecay: number;
  /** Batch-hard triplet margin added to the cross-entropy; 0 leaves the triplet term out. */
  readonly tripletMargin: number;
}

/** The recipe of one identity-network training run (all plain data: it is stored in the run folder). */
export interface IdentityTrainPlan extends IdentityTrainSettings {
  readonly network: Partial<ReidNetworkConfig>;
  readonly seed: number;
  readonly augment: AugmentOptions;
  /** Size [H,W] the training images are held at (the data set's size, capped at the network input). */
  readonly storeSize: readonly [number, number];
}

/** What a step reports to the caller (progress bar, log). */
export interface IdentityStepReport {
  readonly step: number;
  readonly steps: number;
  readonly loss: number;
  readonly lr: number;
  readonly ms: number;
  /** Top-1 accuracy on a fixed sample of training images, when measured at this step (checkpoints). */
  readonly accuracy?: number;
}

/** Settings of the run besides the plan (they do not change its result). */
export interface IdentityTrainOptions extends RunFolderOptions<IdentityStepReport> {
  readonly dataset: Dataset;
  readonly plan: IdentityTrainPlan;
  /** The data folder, recorded beside the model: classification figures only mean something on its classes. */
  readonly dataRoot?: string;
}

/** How a run ended. */
export interface IdentityTrainResult extends RunResult {
  readonly labels: readonly number[];
}

const ACCURACY_SAMPLE = 256;

/**
 * Beside a trained model: the data set identity of each classifier output and the folder trained on
 * (`{ labels: number[], data?: string }`).
 */
export const IDENTITIES_FILE = 'identities.json';

/** The training identities, sorted: label i is identity labels[i]. */
export function trainLabels(samples: readonly Sample[]): number[] {
  return [...new Set(samples.filter((s) => s.identity >= 0).map((s) => s.identity))].sort((a, b) => a - b);
}

function hostBatch(store: ImageStore, indices: readonly number[], labelOf: Map<number, number>, plan: IdentityTrainPlan, step: number): HostBatch {
  const [h, w] = store.size;
  const n = indices.length;
  const images = new Float32Array(n * h * w * 3);
  const labels = new Int32Array(n);
  const random = mulberry32(hashString(`${plan.seed}:${step}`));
  indices.forEach((idx, i) => {
    augmentImage(store.pixels[idx], h, w, images.subarray(i * h * w * 3, (i + 1) * h * w * 3), random, plan.augment);
    labels[i] = labelOf.get(store.samples[idx].identity) as number;
  });
  return {
    images: { values: images, shape: [n, h, w, 3], dtype: 'float32' },
    labels: { values: labels, shape: [n], dtype: 'int32' },
  };
}

/** Top-1 accuracy of the summed stripe logits on a fixed sample of training images (no augmentation). */
async function sampleAccuracy(net: ReidNetwork, store: ImageStore, labelOf: Map<number, number>): Promise<number> {
  const [h, w] = store.size;
  const count = Math.min(ACCURACY_SAMPLE, store.samples.length);
  const stride = store.samples.length / count;
  let correct = 0;
  for (let start = 0; start < count; start += 32) {
    const idx = Array.from({ length: Math.min(32, count - start) }, (_, i) => Math.floor((start + i) * stride));
    const values = new Float32Array(idx.length * h * w * 3);
    idx.forEach((k, i) => values.set(Array.from(store.pixels[k], (v) => v / 127.5 - 1), i * h * w * 3));
    const predicted = tf.tidy(() => {
      const out = net.forward(tf.tensor4d(values, [idx.length, h, w, 3]), false);
      return tf.argMax(tf.addN(out.logits.map((l) => tf.softmax(l))), 1);
    });
    const p = predicted.dataSync();
    predicted.dispose();
    idx.forEach((k, i) => {
      if (p[i] === labelOf.get(store.samples[k].identity)) correct += 1;
    });
  }
  return correct / count;
}

/**
 * Trains a re-ID network on a data set's `train` split: P x K batches, augmentation, PCB's per-stripe
 * cross-entropy (+ triplet), Adam with weight decay and a cosine schedule, data-parallel over worker
 * threads. The optimiser runs here on host memory, so a checkpoint (every `checkpointEvery` steps and when
 * `shouldStop` says so) holds everything, and `resume` continues to the same weights an uninterrupted run
 * reaches. Ends by saving the network to `<out>/model`.
 */
export async function trainIdentityNetwork(options: IdentityTrainOptions): Promise<IdentityTrainResult> {
  const { plan, out } = options;
  const note = options.onNote ?? (() => undefined);
  const samples = options.dataset.samples('train');
  const labels = trainLabels(samples);
  if (labels.length < 2) {
    throw new Error(`the train split holds ${labels.length} identit${labels.length === 1 ? 'y' : 'ies'}: a re-ID network needs at least 2 (better hundreds)`);
  }
  if (labels.length < plan.identitiesPerBatch) {
    throw new Error(`the train split holds ${labels.length} identities but a batch takes ${plan.identitiesPerBatch}: lower --batch`);
  }
  const network: Partial<ReidNetworkConfig> = { ...plan.network, numClasses: labels.length };
  const fullPlan: IdentityTrainPlan = { ...plan, network };
  fs.mkdirSync(out, { recursive: true });
  checkRunPlan(out, fullPlan, options.resume);
  const checkpointDir = path.join(out, 'checkpoint');
  const resuming = options.resume && hasCheckpoint(checkpointDir);
  await writeFileAtomic(path.join(out, PLAN_FILE), JSON.stringify(fullPlan, null, 1));
  const labelOf = new Map(labels.map((id, i) => [id, i]));

  note(`loading ${samples.length} training images of ${labels.length} identities at ${plan.storeSize.join('x')}`);
  const store = await loadImageStore(options.dataset, samples, plan.storeSize, options.onLoad);

  const mirror = new ReidNetwork(network);
  const trainer = await DataParallelTrainer.start({
    task: identityTaskSpec({ network, tripletMargin: plan.tripletMargin }),
    workers: options.workers,
    backend: options.backend,
  });
  const t0 = performance.now();
  try {
    const { adam, weights, ...start } = await startRun(trainer, plan.weightDecay, resuming ? checkpointDir : null, note, plan.steps);
    let step = start.step;
    const logFile = path.join(out, LOG_FILE);
    const history = trimRunLog<{ step: number; loss: number }>(logFile, step);
    const batches = pkBatchSequence(samples, plan.identitiesPerBatch, plan.imagesPerIdentity, plan.seed);
    for (let i = 0; i < step; i++) batches.next();

    const checkpoint = async (): Promise<number> => {
      const acc = await measureAccuracy();
      await saveCheckpoint(checkpointDir, { step, weights, adam: adam.state(), metadata: { accuracy: acc } });
      await writeLineChartPng(path.join(out, 'loss-curve.png'), {
        title: `identity network training loss (${network.arch ?? 'pcb'})`,
        xLabel: 'step',
        series: [{ name: 'loss (mean of 10 steps)', points: smoothSeries(history.map((e) => [e.step, e.loss] as [number, number]), 10) }],
      });
      return acc;
    };
    const measureAccuracy = async (): Promise<number> => {
      setHostWeights(mirror, weights);
      return sampleAccuracy(mirror, store, labelOf);
    };

    while (step < plan.steps) {
      const s0 = performance.now();
      const batch = hostBatch(store, batches.next().value as number[], labelOf, fullPlan, step);
      const lr = cosineLearningRate(plan.learningRate, step, plan.steps);
      const g = await hostOptimizerStep(trainer, adam, weights, batch, lr, step);
      step += 1;
      const ms = performance.now() - s0;
      const entry = { step, loss: Number(g.loss.toFixed(5)), lr: Number(lr.toPrecision(4)), ms: Math.round(ms) };
      history.push(entry);
      fs.appendFileSync(logFile, `${JSON.stringify(entry)}\n`);
      const stop = options.shouldStop?.() ?? false;
      let accuracy: number | undefined;
      if (step % options.checkpointEvery === 0 || step === plan.steps || stop) {
        accuracy = await checkpoint();
      }
      options.onStep?.({ step, steps: plan.steps, loss: g.loss, lr, ms, accuracy });
      if (stop && step < plan.steps) {
        note(`stopped at step ${step} of ${plan.steps}; checkpoint saved in ${checkpointDir} (${CHECKPOINT_STEM}.json): continue with --resume`);
        return { completed: false, step, modelDir: null, trainSeconds: (performance.now() - t0) / 1000, labels };
      }
    }
    setHostWeights(mirror, weights);
    const modelDir = path.join(out, 'model');
    fs.mkdirSync(modelDir, { recursive: true });
    await mirror.save(modelDir);
    await writeFileAtomic(path.join(modelDir, IDENTITIES_FILE), JSON.stringify({ labels, ...(options.dataRoot != null && { data: options.dataRoot }) }));
    return { completed: true, step, modelDir, trainSeconds: (performance.now() - t0) / 1000, labels };
  } finally {
    mirror.dispose();
    await trainer.dispose();
  }
}
