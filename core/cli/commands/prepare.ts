import { Command } from 'commander';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Dataset } from '../../interfaces/dataset';
import type { TextureSampling } from '../../interfaces/renderer';
import type { RetexConfig } from '../../plugin';
import { prepareDataset, type PrepareSummary } from '../../prepare/prepare-dataset';
import { PREPARE_PLAN_FILE, type PreparePlan } from '../../prepare/prepared-set';
import { parseImageSize, positiveInt } from '../arg-parsers';
import { note, printJson, printLine } from '../output';
import { progressBar } from '../progress-bar';
import type { CliServices } from '../services';
import { listenForStop } from '../stop-signal';
import { identityRunConfig } from './train-identity';

export interface PrepareCommandOptions {
  readonly category: string;
  readonly data: string;
  readonly out?: string;
  readonly predictor?: string;
  readonly groundTruthMeshes?: boolean;
  readonly image?: [number, number];
  readonly texture?: [number, number];
  readonly workers?: number;
  readonly config?: string;
  readonly backend?: string;
  readonly json?: boolean;
  readonly progress?: boolean;
  /** The summary goes to stderr (when another command prepares on its way); not a flag. */
  readonly quiet?: boolean;
}

/** Splits a data set may have, in the order they are prepared. */
const CANDIDATE_SPLITS = ['train', 'test', 'query'];

/** The splits `dataset` has among train/test/query. */
export function datasetSplits(dataset: Dataset): string[] {
  return CANDIDATE_SPLITS.filter((s) => {
    try {
      dataset.samples(s);
      return true;
    } catch {
      return false;
    }
  });
}

/** The default prepared folder of a data folder and mesh predictor: `<data>/retex-prepared/<predictor>`. */
export function defaultPreparedFolder(data: string, predictor: string): string {
  return path.join(path.resolve(data), 'retex-prepared', predictor);
}

/**
 * The prepared folder a command reads: `--prepared` when given, else the config's mesh predictor's
 * default folder, else the only folder `retex prepare` wrote under `<data>/retex-prepared`.
 */
export function findPreparedFolder(data: string, predictor: string, explicit?: string): string {
  if (explicit != null) return path.resolve(explicit);
  const preferred = defaultPreparedFolder(data, predictor);
  if (fs.existsSync(path.join(preferred, PREPARE_PLAN_FILE))) return preferred;
  const parent = path.dirname(preferred);
  const found = fs.existsSync(parent)
    ? fs.readdirSync(parent).filter((d) => fs.existsSync(path.join(parent, d, PREPARE_PLAN_FILE)))
    : [];
  if (found.length === 1) {
    note(`using the images prepared with '${found[0]}' (${path.join(parent, found[0])})`);
    return path.join(parent, found[0]);
  }
  if (found.length > 1) {
    throw new Error(`${parent} holds several prepared folders (${found.join(', ')}): choose one with --prepared`);
  }
  throw new Error(`${data} has not been prepared: run retex prepare --category C --data ${data} first (or give --prepared)`);
}

/** The run config of `retex prepare` / `retex train`: the data root, predictor and sizes from the flags. */
export async function preparedRunConfig(
  services: CliServices,
  o: { category: string; data: string; config?: string; backend?: string; predictor?: string; image?: [number, number]; texture?: [number, number] },
): Promise<RetexConfig> {
  const overrides: Record<string, unknown> = {};
  if (o.predictor != null) overrides.meshPredictor = { type: o.predictor };
  if (o.image) overrides.image = { height: o.image[0], width: o.image[1] };
  if (o.texture) overrides.texture = { height: o.texture[0], width: o.texture[1] };
  return identityRunConfig(services, o, overrides);
}

function formatSummary(s: PrepareSummary): string[] {
  const lines = [`prepared ${s.prepared} of ${s.total} images (${s.failed} failed) in ${s.seconds} s: ${s.out}`];
  for (const r of s.reasons.slice(0, 5)) lines.push(`  ${r.count} x ${r.example}`);
  if (!s.completed) lines.push('stopped before the end: rerun the same command to continue');
  return lines;
}

/**
 * Runs the category's mesh predictor on every image of a data folder and stores each image's render
 * operator (the method's precomputed render tensor) for `retex train`.
 */
export async function runPrepare(services: CliServices, o: PrepareCommandOptions): Promise<PrepareSummary> {
  const predictor = o.groundTruthMeshes ? 'ground-truth' : o.predictor;
  if (o.groundTruthMeshes && o.predictor != null && o.predictor !== 'ground-truth') {
    throw new Error('--ground-truth-meshes and --predictor both choose the mesh predictor: give one of them');
  }
  const config = await preparedRunConfig(services, { ...o, predictor });
  const data = path.resolve(o.data);
  const out = path.resolve(o.out ?? defaultPreparedFolder(data, config.meshPredictor.type));
  const dataset = await services.loadRole(config, 'dataset');
  const splits = datasetSplits(dataset);
  const plan: PreparePlan = {
    version: 1,
    category: config.category,
    data,
    dataset: config.dataset.type,
    meshPredictor: config.meshPredictor,
    image: [config.image.height, config.image.width],
    texture: [config.texture.height, config.texture.width],
    sampling: (config.renderer.sampling as TextureSampling | undefined) ?? 'nearest',
    splits,
  };
  const sampleIds = Object.fromEntries(splits.map((s) => [s, dataset.samples(s).map((x) => x.id)]));
  const total = Object.values(sampleIds).reduce((n, ids) => n + ids.length, 0);
  note(
    `preparing ${total} images (${splits.map((s) => `${sampleIds[s].length} ${s}`).join(', ')}) with the ` +
      `'${config.meshPredictor.type}' mesh predictor at ${plan.image.join('x')} into ${out}`,
  );
  const bar = progressBar(o.progress ?? process.stderr.isTTY === true, 'prepare [{bar}] {value}/{total} images | {failed} failed | ETA {eta_formatted}');
  const stop = listenForStop('stopping after the images in progress (rerun to continue)');
  try {
    bar?.start(total, 0, { failed: 0 });
    let lastNote = Date.now();
    const summary = await prepareDataset({
      plan,
      out,
      sampleIds,
      spec: { module: services.roleWorkerModule, exportName: 'createPrepareProcessor', options: { config, plan } },
      workers: o.workers ?? Math.max(1, Math.min(2, os.availableParallelism())),
      backend: config.backend,
      onNote: note,
      onProgress: (done, all, failed) => {
        bar?.update(done, { failed });
        if (!bar && (Date.now() - lastNote > 10_000 || done === all)) {
          lastNote = Date.now();
          note(`prepared ${done}/${all} images, ${failed} failed`);
        }
      },
      shouldStop: stop.requested,
    });
    bar?.stop();
    if (o.json) printJson(summary);
    else formatSummary(summary).forEach((l) => (o.quiet ? note(l) : printLine(l)));
    if (summary.prepared === 0 && summary.completed) {
      throw new Error(`no image could be prepared (${summary.reasons[0]?.example ?? 'see prepared.json'})`);
    }
    return summary;
  } finally {
    bar?.stop();
    stop.release();
  }
}

export function prepareCommand(services: CliServices): Command {
  return new Command('prepare')
    .description("place the category's mesh in every image of a data folder and store the render operators retex train uses")
    .requiredOption('-c, --category <name>', 'category (human, bird)')
    .requiredOption('-d, --data <dir>', 'data folder in the category layout (the real data set, or retex synth output)')
    .option('-o, --out <dir>', 'prepared folder (default <data>/retex-prepared/<predictor>)')
    .option('--predictor <type>', "mesh predictor (default: the config's meshPredictor.type; 'random-pose' is the no-pose-alignment ablation)")
    .option('--ground-truth-meshes', "use a retex synth set's true meshes and cameras (the upper bound of pose alignment)")
    .option('--image <HxW>', "image size the operators render to (default: the config's)", parseImageSize)
    .option('--texture <HxW>', "texture size the operators read (default: the config's)", parseImageSize)
    .option('--workers <n>', 'worker threads (default: 2 or the cores there are)', positiveInt)
    .option('--config <file>', 'config file (default: searched from the current folder)')
    .option('--backend <name>', 'auto, tensorflow, wasm or cpu')
    .option('--no-progress', 'no progress bar (a line every 10 s instead)')
    .option('--json', 'print the summary as JSON')
    .action(async (options: PrepareCommandOptions) => {
      await runPrepare(services, options);
    });
}
