import { Command } from 'commander';
import * as fs from 'fs';
import * as path from 'path';
import { tf } from '../../backend/tf';
import { initBackend } from '../../backend/backend';
import { summariseComparison, type CompareSummary, type VariantRows } from '../../compare/compare-summary';
import { photoPng, sampleImages, type SampleImages } from '../../compare/variant-samples';
import { guessVariantSeconds, secondsToGo } from '../../compare/time-estimate';
import { COMPARE_ABLATIONS, COMPARE_LOSSES, compareVariants, defaultAblations, type CompareAblation, type CompareLoss, type CompareVariant } from '../../compare/variants';
import { writeFileAtomic } from '../../io/atomic-write';
import { encodePng, tensorToPixels } from '../../io/image-io';
import { WeightedLoss } from '../../losses/weighted-loss';
import type { ImageMetrics, EvaluationNetworks } from '../../metrics/evaluate-textures';
import { UNet } from '../../nn/unet';
import type { RetexConfig } from '../../plugin/config-types';
import { loadPreparedItems, readPreparePlan, readUvCharts, type LoadedItem, type PreparePlan } from '../../prepare/prepared-set';
import { renderCompareGrid } from '../../report/compare-grid';
import { renderCompareHtml, type CompareImageRow } from '../../report/compare-report';
import { DEFAULT_OPTIMIZE_LEARNING_RATE, optimizeTexture } from '../../run/texture-methods';
import { LOG_FILE, checkApart } from '../../train/run-folder';
import { loadImageStore } from '../../train/identity/image-store';
import { evaluateGenerator, generatorSource, loadTruthTextures, meanColourSource, photoBatch } from '../../train/texture/generator-eval';
import { listOf, oneOf, parsePxK, positiveInt } from '../arg-parsers';
import { note, printFittedTable, printJson, printLine } from '../output';
import { progressBar } from '../progress-bar';
import type { CliServices } from '../services';
import { defaultPreparedFolder, runPrepare } from './prepare';
import { evaluationNetworks, generatorPriors, runTrain } from './train';
import { identityRunConfig } from './train-identity';

export interface CompareOptions {
  readonly category: string;
  readonly data: string;
  readonly losses: CompareLoss[];
  readonly ablations?: CompareAblation[];
  readonly method: 'train' | 'optimize';
  readonly budget?: number;
  readonly out?: string;
  readonly predictor?: string;
  readonly width: number;
  readonly batch?: [number, number];
  readonly samples: number;
  readonly config?: string;
  readonly backend?: string;
  readonly progress?: boolean;
  readonly json?: boolean;
}

/** Default budgets: training steps per variant, optimisation steps per image. */
export const DEFAULT_COMPARE_BUDGET = { train: 250, optimize: 60 } as const;
/** Splits trained on and scored. */
const TRAIN_SPLITS = ['train'];
const TEST_SPLITS = ['test'];
/** Per-image metrics file of a finished variant. */
const METRICS_FILE = 'metrics.json';

/** The prepared folder of a predictor, made or completed by retex prepare (resumable: finished images are kept). */
async function ensurePrepared(services: CliServices, o: CompareOptions, predictor: string): Promise<string> {
  await runPrepare(services, { category: o.category, data: o.data, predictor, config: o.config, backend: o.backend, progress: o.progress, json: false, quiet: true });
  return defaultPreparedFolder(o.data, predictor);
}

/** The loss curve of a training run folder ({step, loss} per logged step). */
function trainCurve(runDir: string): { step: number; loss: number }[] {
  const file = path.join(runDir, LOG_FILE);
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { step: number; loss: number })
    .map(({ step, loss }) => ({ step, loss }));
}

/** What evaluating a variant needs, shared by every variant. */
interface TestSet {
  readonly items: readonly LoadedItem[];
  readonly pixels: readonly Uint8Array[];
  readonly truth: ReadonlyArray<Float32Array | null>;
  readonly charts: Float32Array | null;
  readonly plan: PreparePlan;
  readonly networks: EvaluationNetworks;
}

/** A variant's record on disk: per-image figures, the loss curve, sample images. */
interface VariantRecord {
  readonly id: string;
  readonly rows: ImageMetrics[];
  readonly curve: { step: number; loss: number }[];
  readonly seconds: number;
}

async function writeSamples(dir: string, samples: readonly SampleImages[]): Promise<void> {
  for (const [i, s] of samples.entries()) {
    await writeFileAtomic(path.join(dir, 'samples', `${i}-rendering.png`), s.rendering);
    await writeFileAtomic(path.join(dir, 'samples', `${i}-texture.png`), s.texture);
  }
}

function photosTensor(test: TestSet, items: readonly LoadedItem[], offset: number): tf.Tensor4D {
  return photoBatch(test.pixels.slice(offset, offset + items.length), test.plan.image);
}

/** `train`: the variant's generator, trained for `budget` steps on the train split, scored on the test split. */
async function trainVariant(services: CliServices, o: CompareOptions, v: CompareVariant, dir: string, prepared: string, test: TestSet, budget: number): Promise<VariantRecord> {
  const started = Date.now();
  const runDir = path.join(dir, 'run');
  await runTrain(services, {
    category: o.category,
    data: o.data,
    prepared,
    out: runDir,
    steps: budget,
    width: o.width,
    batch: o.batch,
    seed: 0,
    checkpointEvery: Math.max(25, Math.floor(budget / 4)),
    validateEvery: budget,
    validationIdentities: 2,
    resume: true,
    config: o.config,
    backend: o.backend,
    progress: o.progress,
    splits: TRAIN_SPLITS,
    overrides: v.overrides,
    nested: true,
  });
  const generator = await UNet.load(path.join(runDir, 'model'));
  try {
    const source = generatorSource(generator, await generatorPriors(services, await identityRunConfig(services, o), generator, prepared, test.charts));
    const rows = await evaluateGenerator({ textures: source, items: test.items, pixels: test.pixels, size: test.plan.image, truth: test.truth, charts: test.charts, networks: test.networks });
    const shown = test.items.slice(0, o.samples);
    const photos = photosTensor(test, shown, 0);
    const textures = source(photos, shown);
    try {
      await writeSamples(dir, await sampleImages(photos, textures, shown));
    } finally {
      tf.dispose([photos, textures]);
    }
    return { id: v.id, rows, curve: trainCurve(runDir), seconds: (Date.now() - started) / 1000 };
  } finally {
    generator.dispose();
  }
}

/**
 * `optimize`: every test image's texture optimised from the mean colour under the variant's whole loss for
 * `budget` steps (through `posedItems`' random-pose meshes for no-pose-alignment), then scored.
 */
async function optimizeVariant(
  services: CliServices,
  base: RetexConfig,
  data: string,
  v: CompareVariant,
  dir: string,
  test: TestSet,
  budget: number,
  samples: number,
  onImage: (done: number) => void,
  posedItems?: readonly LoadedItem[],
): Promise<VariantRecord> {
  const started = Date.now();
  const config = await identityRunConfig(services, { category: base.category, data }, { ...v.overrides, texture: { height: test.plan.texture[0], width: test.plan.texture[1] }, image: { height: test.plan.image[0], width: test.plan.image[1] } });
  const loss = await services.loadRole(config, 'loss');
  if (!(loss instanceof WeightedLoss)) throw new Error(`compare needs the 'weighted' loss, not '${config.loss.type}'`);
  const textures = new Map<string, Float32Array>();
  const curveSums = new Float64Array(budget + 1);
  try {
    for (const [i, item] of test.items.entries()) {
      const photo = photosTensor(test, [item], i);
      const start = meanColourSource(test.plan.texture)(photo, [item]);
      try {
        const losses: number[] = [];
        // no-pose-alignment optimises through the random-pose mesh and is scored on the fitted one.
        const operator = posedItems?.find((p) => p.id === item.id)?.renderOperator ?? item.renderOperator;
        const r = await optimizeTexture(start, photo, operator, loss, { steps: budget, learningRate: DEFAULT_OPTIMIZE_LEARNING_RATE, anchor: 0, terms: 'all', onStep: (s, l) => (losses[s] = l) });
        curveSums[0] += r.lossBefore;
        for (let s = 1; s <= budget; s++) curveSums[s] += losses[s] ?? 0;
        textures.set(item.id, r.texture.dataSync() as Float32Array);
        r.texture.dispose();
      } finally {
        tf.dispose([photo, start]);
      }
      onImage(i + 1);
    }
  } finally {
    loss.dispose();
  }
  const [th, tw] = test.plan.texture;
  const source = (_: tf.Tensor4D, items: readonly LoadedItem[]) => tf.tensor4d(new Float32Array(items.flatMap((it) => Array.from(textures.get(it.id) as Float32Array))), [items.length, th, tw, 3]);
  const rows = await evaluateGenerator({ textures: source, items: test.items, pixels: test.pixels, size: test.plan.image, truth: test.truth, charts: test.charts, networks: test.networks });
  const shown = test.items.slice(0, samples);
  const photos = photosTensor(test, shown, 0);
  const made = source(photos, shown);
  try {
    await writeSamples(dir, await sampleImages(photos, made, shown));
  } finally {
    tf.dispose([photos, made]);
  }
  const n = test.items.length;
  const curve = Array.from(curveSums, (sum, step) => ({ step, loss: sum / n }));
  return { id: v.id, rows, curve, seconds: (Date.now() - started) / 1000 };
}

function readRecord(dir: string): VariantRecord | null {
  const file = path.join(dir, METRICS_FILE);
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as VariantRecord) : null;
}

function formatDuration(seconds: number): string {
  return seconds >= 3600 ? `${(seconds / 3600).toFixed(1)} h` : `${Math.max(1, Math.round(seconds / 60))} min`;
}

/** Prints the comparison table: the best mark and the interval of each difference from reid. */
function printTable(summary: CompareSummary): void {
  const rows = summary.variants.map((v) => [
    v.label,
    ...summary.metrics.map((m) => {
      const mean = v.means[m.key];
      if (mean == null) return '-';
      const best = summary.best[m.key] === v.id ? ' *' : '';
      const d = v.vsReid?.[m.key];
      // The difference from reid and its interval on a second line keep the columns narrow.
      const diff = d == null ? '' : `\n${d.diff >= 0 ? '+' : ''}${d.diff.toFixed(3)} [${d.lo.toFixed(3)}, ${d.hi.toFixed(3)}]`;
      return `${mean.toFixed(3)}${best}${diff}`;
    }),
  ]);
  printFittedTable(['variant', ...summary.metrics.map((m) => m.label)], rows);
  summary.notes.forEach((n) => printLine(n));
}

/**
 * `retex compare`: the re-ID loss against the perceptual and pixel losses and the method's ablations, each
 * trained (or optimised) with the same data, seed and budget, scored per test image with intervals.
 */
export async function runCompare(services: CliServices, o: CompareOptions): Promise<CompareSummary> {
  const data = path.resolve(o.data);
  const out = path.resolve(o.out ?? path.join('runs', `compare-${o.category}-${o.method}`));
  checkApart(out, data, '--out and --data');
  const base = await identityRunConfig(services, { ...o, data });
  await initBackend(base.backend);
  const ablations = o.ablations ?? defaultAblations(base);
  const variants = compareVariants(base, o.losses, ablations);
  if (!variants.some((v) => v.id === 'reid')) throw new Error("--losses must include reid: every difference is measured from it");
  const budget = o.budget ?? DEFAULT_COMPARE_BUDGET[o.method];
  const options = { ...o, data };
  const fitted = await ensurePrepared(services, options, o.predictor ?? base.meshPredictor.type);
  const randomPoses = variants.some((v) => v.randomPoses) ? await ensurePrepared(services, options, 'random-pose') : null;
  const plan = readPreparePlan(fitted);
  const testItems = await loadPreparedItems(fitted, plan, TEST_SPLITS);
  if (testItems.length === 0) throw new Error(`${fitted} holds no prepared image of the test split: compare scores variants on it`);
  const dataset = await services.loadRole(base, 'dataset');
  const store = await loadImageStore(dataset, testItems.map((i) => dataset.samples(i.split)[i.index]), plan.image);
  const sized = { ...base, image: { height: plan.image[0], width: plan.image[1] } };
  const { networks, owned } = await evaluationNetworks(services, sized);
  const test: TestSet = { items: testItems, pixels: store.pixels, truth: await loadTruthTextures(testItems, plan.data, plan.texture), charts: await readUvCharts(fitted), plan, networks };
  try {
    const records: VariantRecord[] = [];
    const todo = variants.filter((v) => readRecord(path.join(out, 'variants', v.id)) == null);
    const done = variants.length - todo.length;
    const guess = new Map(variants.map((v) => [v.id, guessVariantSeconds(v, budget, plan.image)] as const));
    const timed: { guess: number; seconds: number }[] = [];
    const toGo = (from: number) => formatDuration(secondsToGo(todo.slice(from).map((v) => guess.get(v.id) as number), timed));
    if (o.method === 'train') {
      const left = todo.length > 0 ? `about ${toGo(0)} to go on 2 cores` : 'nothing left to train';
      note(`compare: ${variants.length} variants x ${budget} training steps on ${o.category} (${done} already done); ${left}`);
    } else {
      note(`compare: ${variants.length} variants x ${testItems.length} test images x ${budget} optimisation steps (${done} already done)`);
    }
    for (const v of variants) {
      const dir = path.join(out, 'variants', v.id);
      let record = readRecord(dir);
      if (record == null) {
        note(`variant ${v.id}: ${v.label}${o.method === 'train' ? ` (about ${toGo(todo.indexOf(v))} to go)` : ''}`);
        if (o.method === 'train') {
          record = await trainVariant(services, options, v, dir, v.randomPoses ? (randomPoses as string) : fitted, test, budget);
          timed.push({ guess: guess.get(v.id) as number, seconds: record.seconds });
        } else {
          const bar = progressBar(o.progress ?? process.stderr.isTTY === true, `${v.id} [{bar}] {value}/{total} images | ETA {eta_formatted}`);
          bar?.start(testItems.length, 0);
          const posed = v.randomPoses ? await loadPreparedItems(randomPoses as string, readPreparePlan(randomPoses as string), TEST_SPLITS) : undefined;
          try {
            record = await optimizeVariant(services, base, data, v, dir, test, budget, o.samples, (d) => bar?.update(d), posed);
          } finally {
            posed?.forEach((p) => p.renderOperator.dispose());
          }
          bar?.stop();
        }
        await writeFileAtomic(path.join(dir, METRICS_FILE), `${JSON.stringify(record)}\n`);
      }
      records.push(record);
    }
    const byId = new Map(records.map((r) => [r.id, r] as const));
    const rows: VariantRows[] = variants.map((v) => ({ id: v.id, label: v.label, rows: (byId.get(v.id) as VariantRecord).rows, curve: (byId.get(v.id) as VariantRecord).curve }));
    const summary = summariseComparison(rows, { category: o.category, method: o.method, budget, images: testItems.length });
    await writeReport(out, summary, rows, test, o.samples);
    await writeFileAtomic(path.join(out, 'compare.json'), `${JSON.stringify({ ...summary, per_image: Object.fromEntries(rows.map((r) => [r.id, r.rows])) }, null, 1)}\n`);
    if (o.json) printJson(summary);
    else {
      printTable(summary);
      printLine(`report: ${path.join(out, 'report.html')} and ${path.join(out, 'grid.png')}`);
    }
    return summary;
  } finally {
    owned.forEach((n) => n.dispose());
  }
}

async function writeReport(out: string, summary: CompareSummary, rows: readonly VariantRows[], test: TestSet, samples: number): Promise<void> {
  const images: CompareImageRow[] = [];
  const [th, tw] = test.plan.texture;
  for (const [i, item] of test.items.slice(0, samples).entries()) {
    const variants: CompareImageRow['variants'] = {};
    for (const r of rows) {
      const dir = path.join(out, 'variants', r.id, 'samples');
      const file = (kind: string) => path.join(dir, `${i}-${kind}.png`);
      if (fs.existsSync(file('rendering'))) variants[r.id] = { rendering: fs.readFileSync(file('rendering')), texture: fs.readFileSync(file('texture')) };
    }
    const truth = test.truth[i];
    let truthPng: Uint8Array | null = null;
    if (truth != null) {
      const t = tf.tensor3d(truth, [th, tw, 3]);
      const p = await tensorToPixels(t, '[-1,1]');
      t.dispose();
      truthPng = await encodePng(p.pixels, p.height, p.width, 3);
    }
    images.push({ id: item.id, photo: await photoPng(test.pixels[i] as Uint8Array, test.plan.image), truth: truthPng, variants });
  }
  const report = {
    title: `retex compare: ${summary.category}, ${summary.method}`,
    category: summary.category,
    method: summary.method,
    budget: summary.method === 'train' ? `${summary.budget} training steps per variant` : `${summary.budget} optimisation steps per image`,
    metrics: summary.metrics,
    variants: summary.variants.map((v) => ({ id: v.id, label: v.label, means: v.means, vsReid: v.vsReid, curve: rows.find((r) => r.id === v.id)?.curve ?? [] })),
    images,
    notes: summary.notes,
  };
  await writeFileAtomic(path.join(out, 'report.html'), renderCompareHtml(report));
  await writeFileAtomic(path.join(out, 'grid.png'), await renderCompareGrid(report));
}

export function compareCommand(services: CliServices): Command {
  return new Command('compare')
    .description("the re-ID loss against perceptual and pixel losses and the method's ablations: same data, seed and budget; metrics with intervals; an HTML report")
    .requiredOption('-c, --category <name>', 'category (human, bird)')
    .requiredOption('-d, --data <dir>', 'data folder (a retex synth set, or your own in the category layout); prepared when needed')
    .option('--losses <list>', `supervisions: ${COMPARE_LOSSES.join(',')}`, listOf(COMPARE_LOSSES), [...COMPARE_LOSSES])
    .option('--ablations <list>', `ablations of reid: ${COMPARE_ABLATIONS.join(',')} (default: those that apply to the category)`, listOf(COMPARE_ABLATIONS, { allowEmpty: true }))
    .option('--method <m>', 'train: a generator per variant; optimize: each test texture optimised per variant', oneOf(['train', 'optimize'] as const), 'train')
    .option('--budget <n>', `training steps per variant (train, default ${DEFAULT_COMPARE_BUDGET.train}) or optimisation steps per image (optimize, default ${DEFAULT_COMPARE_BUDGET.optimize})`, positiveInt)
    .option('-o, --out <dir>', 'report folder (default runs/compare-<category>-<method>); a rerun continues it')
    .option('--predictor <id>', "mesh predictor of the prepared images (default the config's)")
    .option('--width <x>', 'U-Net width multiplier of the trained generators', Number, 0.25)
    .option('--batch <PxK>', 'train: identities x images per identity per batch (default the config\'s, 4x4)', parsePxK)
    .option('--samples <n>', 'test images shown in the report', positiveInt, 8)
    .option('--config <file>', 'config file')
    .option('--backend <name>', 'auto, tensorflow, wasm or cpu')
    .option('--no-progress', 'no progress bar')
    .option('--json', 'print the summary as JSON')
    .action(async (options: CompareOptions) => {
      await runCompare(services, options);
    });
}
