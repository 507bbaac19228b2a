import * as fs from 'fs';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { tf } from '../../backend/tf';
import { pkBatchSequence } from '../../data/pk-batch-sampler';
import type { Dataset } from '../../interfaces/dataset';
import { writeFileAtomic } from '../../io/atomic-write';
import type { WeightedLoss } from '../../losses/weighted-loss';
import { meanMetrics, type EvaluationNetworks, type ImageMetrics } from '../../metrics/evaluate-textures';
import { UNet } from '../../nn/unet';
import type { RoleSection } from '../../plugin/config-types';
import { readPreparePlan, type LoadedItem } from '../../prepare/prepared-set';
import { hashString, mulberry32 } from '../../random';
import { smoothSeries, writeLineChartPng } from '../../report/line-chart';
import { DataParallelTrainer } from '../data-parallel';
import { hostOptimizerStep, startRun } from '../host-step';
import { setHostWeights } from '../host-tensors';
import { CHECKPOINT_STEM, hasCheckpoint, saveCheckpoint } from '../checkpoint';
import { loadImageStore } from '../identity/image-store';
import { checkRunPlan, LOG_FILE, PLAN_FILE, trimRunLog, type RunFolderOptions, type RunResult } from '../run-folder';
import type { TaskSpec } from '../train-task';
import { evaluateGenerator, generatorSource, loadTruthTextures, writeSampleSheet } from './generator-eval';
import { projectionInput, readsProjection, type ProjectionPriors } from '../../run/generator-input';
import { assembleBatch, loadBackgroundPhotos, removeSubject, type FeatureCache } from './texture-data';

/** The optimisation settings of a generator run (the method's recipe by default). */
export interface TextureTrainSettings {
  readonly steps: number;
  readonly identitiesPerBatch: number;
  readonly imagesPerIdentity: number;
  /** Constant Adam learning rate (the method uses no schedule). */
  readonly learningRate: number;
  /** Adam's L2 weight decay. */
  readonly weightDecay: number;
  readonly seed: number;
  /** Steps between validations on the held-out identities. */
  readonly validateEvery: number;
  /** Identities of the training split held out for validation. */
  readonly validationIdentities: number;
  /**
   * Share of each batch's samples whose texture is generated from another photo of the same identity in
   * the batch and rendered in this one's pose (`--cross-view`; absent or 0: the method, every texture
   * rendered in its own photo's pose).
   */
  readonly crossView?: number;
}

/** Every weight of a U-Net model folder by logical path. */
async function readModelWeights(dir: string): Promise<Map<string, Float32Array>> {
  const net = await UNet.load(dir);
  try {
    return new Map(net.namedVariables().map((v) => [v.path, Float32Array.from(v.variable.dataSync() as Float32Array)]));
  } finally {
    net.dispose();
  }
}

/** The recipe of one run (plain data, stored as `train-plan.json`; `--resume` must match it). */
export interface TextureTrainPlan extends TextureTrainSettings {
  readonly category: string;
  /** The prepared folder (absolute). */
  readonly prepared: string;
  readonly image: readonly [number, number];
  readonly texture: readonly [number, number];
  readonly generator: RoleSection;
  readonly loss: RoleSection;
  readonly identityNetwork: RoleSection;
  /** Folder of background photos, or null for the data set's own backgrounds. */
  readonly backgrounds: string | null;
  /** A model folder (absolute) whose U-Net weights the run starts from (`--init`); absent: random ones. */
  readonly init?: string;
}

/** What a step reports (progress bar, log). */
export interface TextureStepReport {
  readonly step: number;
  readonly steps: number;
  readonly loss: number;
  readonly terms: Readonly<Record<string, number>>;
  readonly ms: number;
  /** Mean validation figures, when measured at this step. */
  readonly validation?: Readonly<Record<string, number>>;
}

/** Everything a run needs besides its plan. */
export interface TextureTrainOptions extends RunFolderOptions<TextureStepReport> {
  readonly plan: TextureTrainPlan;
  readonly dataset: Dataset;
  /** The prepared training-split images (failed ones already left out). */
  readonly items: readonly LoadedItem[];
  /** How workers rebuild the task (the run's U-Net and loss). */
  readonly task: TaskSpec;
  /** The run's loss in this thread: caches the photos' features and counts the face term's references. */
  readonly loss: WeightedLoss;
  /** A U-Net of the run's shape in this thread, for validation and the saved model. */
  readonly generator: UNet;
  readonly networks: EvaluationNetworks;
  /** float32 [Th*Tw] UV chart mask (texture errors), or null. */
  readonly charts: Float32Array | null;
  /** The category's UV charts and symmetry, for a generator that reads projections (else null). */
  readonly priors: ProjectionPriors | null;
}

/** How a run ended. */
export interface TextureTrainResult extends RunResult {
  readonly validation: Readonly<Record<string, number>> | null;
}

/** Beside the saved U-Net in `<out>/model`: what it was trained for and how it scored. */
export const GENERATOR_INFO_FILE = 'generator.json';
const VALIDATION_FILE = 'validation.jsonl';
const FEATURE_BATCH = 32;
const VALIDATION_IMAGES_PER_IDENTITY = 4;
/** Rows of `validation-samples.png`. */
const SHEET_ROWS = 8;

/** Splits the items into training and held-out identities (evenly spaced over the sorted identities). */
export function holdOutIdentities(items: readonly LoadedItem[], count: number): { train: LoadedItem[]; validation: LoadedItem[] } {
  const ids = [...new Set(items.map((i) => i.identity).filter((i) => i >= 0))].sort((a, b) => a - b);
  const n = Math.min(count, Math.floor(ids.length / 4));
  const held = new Set(Array.from({ length: n }, (_, k) => ids[Math.floor(((k + 0.5) * ids.length) / n)]));
  const perId = new Map<number, number>();
  const validation = items.filter((i) => {
    if (!held.has(i.identity)) return false;
    const c = perId.get(i.identity) ?? 0;
    perId.set(i.identity, c + 1);
    return c < VALIDATION_IMAGES_PER_IDENTITY;
  });
  return { train: items.filter((i) => i.identity >= 0 && !held.has(i.identity)), validation };
}

/** Each training photo carried into UV space (the input of a generator that reads projections), computed once. */
function projections(items: readonly LoadedItem[], pixels: readonly Uint8Array[], priors: ProjectionPriors | null, note: (line: string) => void): Float32Array[] {
  if (priors == null) throw new Error("the generator reads projected textures: it needs the category's UV charts and texture symmetry");
  note(`projecting ${items.length} photos into UV space (the generator's input)`);
  return items.map((item, i) => projectionInput(item.renderOperator.taps, Float32Array.from(pixels[i], (v) => v / 127.5 - 1), priors));
}

/** The photos' features of every feature term, computed once (the networks are frozen). */
function cacheFeatures(loss: WeightedLoss, pixels: readonly Uint8Array[], size: readonly [number, number]): {
  features: FeatureCache;
  shapes: Map<string, number[][]>;
} {
  const features = new Map<string, Float32Array[][]>();
  const shapes = new Map<string, number[][]>();
  const [h, w] = size;
  for (const term of loss.featureTerms()) {
    const perImage: Float32Array[][] = [];
    for (let start = 0; start < pixels.length; start += FEATURE_BATCH) {
      const chunk = pixels.slice(start, start + FEATURE_BATCH);
      const values = new Float32Array(chunk.length * h * w * 3);
      chunk.forEach((p, i) => {
        for (let j = 0; j < p.length; j++) values[i * h * w * 3 + j] = p[j] / 127.5 - 1;
      });
      const stages = tf.tidy(() => term.imageFeatures(tf.tensor4d(values, [chunk.length, h, w, 3])));
      shapes.set(term.id, stages.map((s) => s.shape.slice(1)));
      const data = stages.map((s) => s.dataSync() as Float32Array);
      tf.dispose(stages);
      chunk.forEach((_, i) => perImage.push(data.map((d) => d.slice((i * d.length) / chunk.length, ((i + 1) * d.length) / chunk.length))));
    }
    features.set(term.id, perImage);
  }
  return { features, shapes };
}

/**
 * Trains the U-Net generator with the method's pipeline: photo -> texture -> the image's fixed render
 * operator -> composite over a background -> loss (re-ID features of the photo, cached, against those of
 * the rendering; face region; ...), P x K batches, Adam with weight decay, data-parallel over worker
 * threads with the optimiser here, so checkpoints (every `checkpointEvery` steps and on stop) hold the
 * whole state and `resume` reaches the same weights as an uninterrupted run. Validates on held-out
 * identities every `validateEvery` steps; ends by saving the U-Net to `<out>/model`.
 */
export async function trainTextureGenerator(options: TextureTrainOptions): Promise<TextureTrainResult> {
  const { plan, out } = options;
  const note = options.onNote ?? (() => undefined);
  const { train, validation } = holdOutIdentities(options.items, plan.validationIdentities);
  const identities = new Set(train.map((i) => i.identity)).size;
  if (identities < plan.identitiesPerBatch) {
    throw new Error(`the prepared training split has ${identities} usable identities but a batch takes ${plan.identitiesPerBatch}: lower --batch or prepare more data`);
  }
  fs.mkdirSync(out, { recursive: true });
  checkRunPlan(out, plan, options.resume);
  const checkpointDir = path.join(out, 'checkpoint');
  const resuming = options.resume && hasCheckpoint(checkpointDir);
  await writeFileAtomic(path.join(out, PLAN_FILE), JSON.stringify(plan, null, 1));

  const all = [...train, ...validation];
  note(`loading ${train.length} training images of ${identities} identities and ${validation.length} validation images`);
  const samplesOf = (split: string) => options.dataset.samples(split);
  const store = await loadImageStore(options.dataset, all.map((i) => samplesOf(i.split)[i.index]), plan.image, options.onLoad);
  const trainPixels = store.pixels.slice(0, train.length);
  const valPixels = store.pixels.slice(train.length);
  const [h, w] = plan.image;
  const backgrounds =
    plan.backgrounds != null
      ? await loadBackgroundPhotos(plan.backgrounds, plan.image)
      : trainPixels.map((p, i) => removeSubject(p, train[i].renderOperator.mask, h, w));
  note(`caching the photos' features of ${options.loss.featureTerms().map((t) => t.id).join(', ') || 'no feature term'}`);
  const { features, shapes } = cacheFeatures(options.loss, trainPixels, plan.image);
  const face = options.loss.term('face') as { referenceCount?: number } | undefined;
  const generatorInputs = readsProjection(options.generator)
    ? { size: options.generator.inputSize, values: projections(train, trainPixels, options.priors, note) }
    : undefined;
  const source = {
    generatorInputs,
    items: train,
    pixels: trainPixels,
    backgrounds,
    size: plan.image,
    referenceCount: face?.referenceCount ?? 0,
    features,
    featureShapes: shapes,
  };
  const truth = await loadTruthTextures(validation, readPreparePlan(plan.prepared).data, plan.texture);
  const validate = async (weights: ReadonlyMap<string, Float32Array>, step: number): Promise<Record<string, number>> => {
    setHostWeights(options.generator, weights);
    const rows: ImageMetrics[] = await evaluateGenerator({
      textures: generatorSource(options.generator, options.priors),
      items: validation,
      pixels: valPixels,
      size: plan.image,
      truth,
      charts: options.charts,
      networks: options.networks,
    });
    // One image of each of the first held-out identities.
    const shown = validation.map((_, i) => i).filter((i) => i % VALIDATION_IMAGES_PER_IDENTITY === 0).slice(0, SHEET_ROWS);
    await writeSampleSheet(path.join(out, 'validation-samples.png'), {
      textures: generatorSource(options.generator, options.priors),
      items: shown.map((i) => validation[i]),
      pixels: shown.map((i) => valPixels[i]),
      size: plan.image,
      truth: shown.map((i) => truth[i]),
    });
    const mean = meanMetrics(rows);
    fs.appendFileSync(path.join(out, VALIDATION_FILE), `${JSON.stringify({ step, ...mean })}\n`);
    return mean;
  };

  const trainer = await DataParallelTrainer.start({ task: options.task, workers: options.workers, backend: options.backend });
  const t0 = performance.now();
  try {
    const initial = !resuming && plan.init ? { weights: await readModelWeights(plan.init), from: plan.init } : undefined;
    const { adam, weights, ...start } = await startRun(trainer, plan.weightDecay, resuming ? checkpointDir : null, note, plan.steps, initial);
    let step = start.step;
    const logFile = path.join(out, LOG_FILE);
    const history = trimRunLog<{ step: number; loss: number }>(logFile, step);
    // A resumed run keeps the validations up to its checkpoint, and reports the last of them as a whole run would.
    const validations = trimRunLog<{ step: number } & Record<string, number>>(path.join(out, VALIDATION_FILE), step);
    const batches = pkBatchSequence(train.map((i) => ({ id: i.id, identity: i.identity, imagePath: '', annotations: {} })), plan.identitiesPerBatch, plan.imagesPerIdentity, plan.seed);
    for (let i = 0; i < step; i++) batches.next();
    let lastValidation: Record<string, number> | null = null;
    if (validations.length > 0) {
      const { step: _at, ...figures } = validations[validations.length - 1];
      lastValidation = figures;
    }

    while (step < plan.steps) {
      const s0 = performance.now();
      const random = mulberry32(hashString(`${plan.seed}:texture:${step}`));
      const batch = assembleBatch(source, batches.next().value as number[], random, plan.crossView ?? 0);
      const g = await hostOptimizerStep(trainer, adam, weights, batch, plan.learningRate, step);
      step += 1;
      const ms = performance.now() - s0;
      const terms = Object.fromEntries(Object.entries(g.terms).map(([k, v]) => [k, Number(v.toPrecision(5))]));
      const entry = { step, loss: Number(g.loss.toPrecision(5)), terms, ms: Math.round(ms) };
      history.push(entry);
      fs.appendFileSync(logFile, `${JSON.stringify(entry)}\n`);
      const stop = options.shouldStop?.() ?? false;
      let measured: Record<string, number> | undefined;
      if (step % plan.validateEvery === 0 || step === plan.steps) {
        measured = lastValidation = await validate(weights, step);
      }
      if (step % options.checkpointEvery === 0 || step === plan.steps || stop) {
        await saveCheckpoint(checkpointDir, { step, weights, adam: adam.state(), metadata: {} });
        await writeCharts(out, history);
      }
      options.onStep?.({ step, steps: plan.steps, loss: g.loss, terms: g.terms, ms, validation: measured });
      if (stop && step < plan.steps) {
        note(`stopped at step ${step} of ${plan.steps}; checkpoint saved in ${checkpointDir} (${CHECKPOINT_STEM}.json): continue with --resume`);
        return { completed: false, step, modelDir: null, trainSeconds: (performance.now() - t0) / 1000, validation: lastValidation };
      }
    }
    setHostWeights(options.generator, weights);
    const modelDir = path.join(out, 'model');
    fs.mkdirSync(modelDir, { recursive: true });
    await options.generator.save(modelDir);
    const trainSeconds = (performance.now() - t0) / 1000;
    const info = { category: plan.category, loss: plan.loss, identityNetwork: plan.identityNetwork, prepared: plan.prepared, steps: plan.steps, train_seconds: Math.round(trainSeconds), validation: lastValidation };
    await writeFileAtomic(path.join(modelDir, GENERATOR_INFO_FILE), `${JSON.stringify(info, null, 1)}\n`);
    return { completed: true, step, modelDir, trainSeconds, validation: lastValidation };
  } finally {
    await trainer.dispose();
  }
}

/** `loss-curve.png` (training loss) and `validation.png` (validation figures over steps). */
async function writeCharts(out: string, history: ReadonlyArray<{ step: number; loss: number }>): Promise<void> {
  await writeLineChartPng(path.join(out, 'loss-curve.png'), {
    title: 'texture generator training loss',
    xLabel: 'step',
    series: [{ name: 'loss (mean of 10 steps)', points: smoothSeries(history.map((e) => [e.step, e.loss] as [number, number]), 10) }],
  });
  const file = path.join(out, VALIDATION_FILE);
  if (!fs.existsSync(file)) return;
  const rows = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, number>];
      } catch {
        return [];
      }
    });
  const keys = ['ssim', 'mask_ssim', 'cossim', 'cossim_r', 'texture_unseen'].filter((k) => rows.some((r) => typeof r[k] === 'number'));
  if (rows.length === 0 || keys.length === 0) return;
  await writeLineChartPng(path.join(out, 'validation.png'), {
    title: 'validation on held-out identities',
    xLabel: 'step',
    series: keys.map((k) => ({ name: k, points: rows.filter((r) => typeof r[k] === 'number').map((r) => [r.step, r[k]] as [number, number]) })),
  });
}
