import { Command, InvalidArgumentError } from 'commander';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describeBackend, initBackend } from '../../backend/backend';
import type { IdentityNetworkRecipe, RetexConfig } from '../../plugin';
import { ReidNetwork } from '../../nn/reid-network';
import { evaluateIdentityNetwork, type IdentityEvaluation } from '../../train/identity/identity-eval';
import { trainIdentityNetwork, type IdentityTrainPlan } from '../../train/identity/identity-trainer';
import { writeFileAtomic } from '../../io/atomic-write';
import { nonNegativeInt, nonNegativeNumber, parseImageSize, parsePxK, positiveInt, positiveNumber } from '../arg-parsers';
import { note, printJson, printLine } from '../output';
import type { CliServices } from '../services';
import { listenForStop } from '../stop-signal';
import { progressBar } from '../progress-bar';

export interface TrainIdentityOptions {
  readonly category: string;
  readonly data: string;
  readonly arch?: string;
  readonly out?: string;
  readonly steps?: number;
  readonly batch?: [number, number];
  readonly lr?: number;
  readonly weightDecay?: number;
  readonly triplet?: number;
  readonly seed: number;
  readonly workers?: number;
  readonly checkpointEvery: number;
  readonly resume?: boolean;
  readonly width?: number;
  readonly inputSize?: [number, number];
  readonly eval: boolean;
  readonly config?: string;
  readonly backend?: string;
  readonly json?: boolean;
  readonly progress?: boolean;
}

/** The run's config with the data set pointed at `data`. */
export async function identityRunConfig(
  services: CliServices,
  o: { category: string; data: string; config?: string; backend?: string },
  extra: Readonly<Record<string, unknown>> = {},
): Promise<RetexConfig> {
  if (!fs.existsSync(o.data) || !fs.statSync(o.data).isDirectory()) {
    throw new Error(`--data ${o.data} is not a folder: give a Market-1501 or CUB-200-2011 layout folder (e.g. written by retex synth)`);
  }
  // Overrides merge deeply: the dataset section keeps its type and gains the root.
  const overrides: Record<string, unknown> = { ...extra, dataset: { root: path.resolve(o.data) } };
  if (o.backend) overrides.backend = o.backend;
  return (await services.loadConfig({ category: o.category, configPath: o.config, overrides })).config;
}

/** The recipe of `arch` for the category (default: the config's identity network type). */
export function pickRecipe(services: CliServices, config: RetexConfig, arch?: string): [string, IdentityNetworkRecipe] {
  const recipes = services.identityRecipes(config.category);
  const id = arch ?? (config.identityNetwork.type in recipes ? config.identityNetwork.type : Object.keys(recipes)[0]);
  const recipe = id == null ? undefined : recipes[id];
  if (recipe == null) {
    const known = Object.keys(recipes);
    throw new Error(
      `the category '${config.category}' has no re-ID network recipe '${arch ?? ''}'` + (known.length ? `; it has: ${known.join(', ')}` : ''),
    );
  }
  return [id as string, recipe];
}


/** Prints the evaluation as a line (or nothing with --json). */
export function formatIdentityEvaluation(e: IdentityEvaluation): string {
  const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
  const top1 = e.top1 != null ? `, top-1 classification ${pct(e.top1)}` : '';
  return `${e.protocol}: rank-1 ${pct(e.rank1)}, rank-5 ${pct(e.rank5)}, mAP ${pct(e.mAP)} over ${e.queries} queries, gallery ${e.gallery}${top1}`;
}

/**
 * Trains a category's re-ID network on a data folder (resumable), saves it in `<out>/model`, and evaluates it
 * on the same folder's test data.
 */
export async function runTrainIdentity(services: CliServices, o: TrainIdentityOptions): Promise<Record<string, unknown>> {
  const config = await identityRunConfig(services, o);
  const [arch, recipe] = pickRecipe(services, config, o.arch);
  const out = path.resolve(o.out ?? path.join('runs', `identity-${config.category}-${arch}`));
  const data = path.resolve(o.data);
  if (out === data || out.startsWith(data + path.sep) || data.startsWith(out + path.sep)) {
    throw new Error(`--out ${out} and --data ${data} overlap: write the run outside the data folder`);
  }
  const dataset = await services.loadRole(config, 'dataset');
  const network = {
    ...recipe.network,
    ...(o.width != null && { width: o.width }),
    ...(o.inputSize != null && { inputSize: o.inputSize }),
    seed: (recipe.network.seed ?? 3) + o.seed,
  };
  const inputSize = network.inputSize ?? [256, 128];
  const plan: IdentityTrainPlan = {
    network,
    steps: o.steps ?? recipe.train.steps,
    identitiesPerBatch: o.batch?.[0] ?? recipe.train.identitiesPerBatch,
    imagesPerIdentity: o.batch?.[1] ?? recipe.train.imagesPerIdentity,
    learningRate: o.lr ?? recipe.train.learningRate,
    weightDecay: o.weightDecay ?? recipe.train.weightDecay,
    tripletMargin: o.triplet ?? recipe.train.tripletMargin,
    seed: o.seed,
    augment: recipe.train.augment ?? {},
    storeSize: [Math.min(config.image.height, inputSize[0]), Math.min(config.image.width, inputSize[1])],
  };
  const backend = await initBackend(config.backend);
  note(describeBackend(backend));
  note(`training '${arch}' for ${config.category}: ${recipe.description}; ${plan.steps} steps of ${plan.identitiesPerBatch}x${plan.imagesPerIdentity} images into ${out}`);
  const tty = o.progress ?? process.stderr.isTTY;
  const loadBar = progressBar(tty, 'loading  [{bar}] {value}/{total} images | ETA {eta_formatted}');
  const bar = progressBar(tty, 'training [{bar}] {value}/{total} steps | ETA {eta_formatted} | loss {loss} | train acc {acc}');
  const stop = listenForStop('stopping after this step (checkpoint follows)');
  let lastAcc = '-';
  let started = false;
  try {
    const result = await trainIdentityNetwork({
      dataset,
      plan,
      out,
      resume: o.resume ?? false,
      workers: o.workers ?? Math.max(1, Math.min(2, os.availableParallelism())),
      backend: config.backend,
      checkpointEvery: o.checkpointEvery,
      dataRoot: data,
      onNote: (m) => note(m),
      onLoad: (done, total) => {
        if (done === 1) loadBar?.start(total, done);
        else loadBar?.update(done);
        if (done === total) loadBar?.stop();
      },
      onStep: (r) => {
        if (r.accuracy != null) lastAcc = `${(100 * r.accuracy).toFixed(1)}%`;
        if (!started) {
          bar?.start(r.steps, r.step, { loss: r.loss.toFixed(3), acc: lastAcc });
          started = true;
        } else bar?.update(r.step, { loss: r.loss.toFixed(3), acc: lastAcc });
        if (!bar && (r.step % 50 === 0 || r.accuracy != null)) {
          note(`step ${r.step}/${r.steps} loss ${r.loss.toFixed(3)} lr ${r.lr.toPrecision(3)} ${Math.round(r.ms)} ms/step train acc ${lastAcc}`);
        }
      },
      shouldStop: stop.requested,
    });
    bar?.stop();
    const summary: Record<string, unknown> = { out, arch, completed: result.completed, step: result.step, train_seconds: Math.round(result.trainSeconds) };
    if (result.completed && result.modelDir) {
      printLine(o.json ? '' : `trained ${arch} in ${(result.trainSeconds / 60).toFixed(1)} min: ${result.modelDir}`);
      summary.model = result.modelDir;
      if (o.eval) {
        const net = await ReidNetwork.load(result.modelDir);
        try {
          const evalBar = progressBar(tty, 'evaluating [{bar}] {value}/{total} images');
          const evaluation = await evaluateIdentityNetwork(net, dataset, result.labels, (d, t) => {
            if (d <= 32) evalBar?.start(t, d);
            else evalBar?.update(d);
          });
          evalBar?.stop();
          summary.evaluation = evaluation;
          await writeFileAtomic(path.join(result.modelDir, 'eval.json'), JSON.stringify({ data: path.resolve(o.data), ...evaluation }, null, 1));
          if (!o.json) printLine(formatIdentityEvaluation(evaluation));
        } finally {
          net.dispose();
        }
      }
    }
    if (o.json) printJson(summary);
    return summary;
  } finally {
    bar?.stop();
    stop.release();
  }
}

function widthMultiplier(value: string): number {
  const x = Number(value);
  if (!(x > 0 && x <= 4)) throw new InvalidArgumentError(`expected a width in (0, 4], got '${value}'`);
  return x;
}

export function trainIdentityCommand(services: CliServices): Command {
  return new Command('train-identity')
    .description('train a re-ID identity network (PCB or global-pool ResNet) on a Market-1501 or CUB-200-2011 folder')
    .requiredOption('-c, --category <name>', 'category (human, bird)')
    .requiredOption('-d, --data <dir>', 'data folder in the category layout (the real data set, or retex synth output)')
    .option('--arch <id>', "architecture: 'pcb' or 'resnet' (default: the config's identityNetwork.type)")
    .option('-o, --out <dir>', 'run folder (default runs/identity-<category>-<arch>)')
    .option('--steps <n>', 'training steps (default: the recipe)', positiveInt)
    .option('--batch <PxK>', 'identities x images per identity per batch (default 8x4)', parsePxK)
    .option('--lr <x>', 'peak learning rate of the cosine schedule', positiveNumber)
    .option('--weight-decay <x>', 'Adam L2 weight decay', nonNegativeNumber)
    .option('--triplet <margin>', 'add a batch-hard triplet loss with this margin (0: none)', nonNegativeNumber)
    .option('--width <x>', 'width multiplier of the trunk', widthMultiplier)
    .option('--input-size <HxW>', 'network input size', parseImageSize)
    .option('--seed <n>', 'seed of the initial weights, the batches and the augmentation', nonNegativeInt, 0)
    .option('--workers <n>', 'data-parallel worker threads (default: 2 or the cores there are)', positiveInt)
    .option('--checkpoint-every <n>', 'steps between checkpoints', positiveInt, 100)
    .option('--resume', 'continue the run in --out from its last checkpoint')
    .option('--no-eval', 'skip the evaluation at the end')
    .option('--config <file>', 'config file (default: searched from the current folder)')
    .option('--backend <name>', 'auto, tensorflow, wasm or cpu')
    .option('--no-progress', 'no progress bar (a line every 50 steps instead)')
    .option('--json', 'print the summary as JSON')
    .action(async (options: TrainIdentityOptions) => {
      await runTrainIdentity(services, options);
    });
}
