import { Command, InvalidArgumentError } from 'commander';
import * as os from 'os';
import * as path from 'path';
import { describeBackend, initBackend } from '../../backend/backend';
import type { IdentityNetwork } from '../../interfaces/identity-network';
import { FeatureTerm } from '../../losses/loss-terms';
import { SUPERVISIONS, supervisedTerms, WeightedLoss, type Supervision } from '../../losses/weighted-loss';
import type { EvaluationNetworks } from '../../metrics/evaluate-textures';
import { UNet } from '../../nn/unet';
import type { RetexConfig } from '../../plugin';
import { loadPreparedItems, readPreparePlan, readUvCharts, type PreparePlan } from '../../prepare/prepared-set';
import { checkApart } from '../../train/run-folder';
import { trainTextureGenerator, type TextureTrainPlan } from '../../train/texture/texture-trainer';
import { nonNegativeInt, nonNegativeNumber, oneOf, parsePxK, positiveInt, positiveNumber, unitInterval } from '../arg-parsers';
import { GENERATOR_INPUTS, type GeneratorInput, type TextureGenerator } from '../../interfaces/texture-generator';
import { projectionPriors, readsProjection, type ProjectionPriors } from '../../run/generator-input';
import { note, printJson, printLine } from '../output';
import { progressBar } from '../progress-bar';
import type { CliServices } from '../services';
import { listenForStop } from '../stop-signal';
import { findPreparedFolder } from './prepare';
import { identityRunConfig } from './train-identity';

/** The supervision a run trains with (`--loss`); the face term stays where the config has one. */
export const TRAIN_LOSSES = SUPERVISIONS;
export type TrainLoss = Supervision;

export interface TrainCommandOptions {
  readonly category: string;
  readonly data: string;
  readonly prepared?: string;
  readonly out?: string;
  readonly loss?: TrainLoss;
  readonly steps?: number;
  readonly epochs?: number;
  readonly batch?: [number, number];
  readonly lr?: number;
  readonly weightDecay?: number;
  readonly width?: number;
  /** What the U-Net reads (`--generator-input`). */
  readonly generatorInput?: GeneratorInput;
  readonly seed: number;
  readonly workers?: number;
  readonly checkpointEvery: number;
  readonly validateEvery: number;
  readonly validationIdentities: number;
  readonly crossView?: number;
  readonly resume?: boolean;
  readonly backgrounds?: string;
  /** Model folder to start from (`--init`). */
  readonly init?: string;
  readonly referenceTextures?: string;
  readonly config?: string;
  readonly backend?: string;
  readonly json?: boolean;
  readonly progress?: boolean;
  /** Train on these prepared splits only (default all of them, as the authors do); not a flag. */
  readonly splits?: readonly string[];
  /** Run inside another command (`retex compare`): its result line goes to stderr, stdout stays the caller's. */
  readonly nested?: boolean;
  /** Config sections set last (e.g. `retex compare`'s variants: loss, identityNetwork); not a flag. */
  readonly overrides?: Readonly<Record<string, unknown>>;
}

/** The loss section for `--loss`: the chosen supervision, plus the config's face term if it has one. */
export function lossSection(config: RetexConfig, loss: TrainLoss | undefined, referenceTextures?: string): Record<string, unknown> {
  const section = { ...config.loss } as Record<string, unknown>;
  const configured = (section.terms as Record<string, number> | undefined) ?? {};
  const terms = loss != null ? supervisedTerms(configured, loss) : { ...configured };
  section.terms = terms;
  if (referenceTextures != null) {
    if (!(terms.face > 0)) throw new Error(`--reference-textures is for the face term, and this run's loss has none (${JSON.stringify(terms)})`);
    section.face = { ...((section.face as object | undefined) ?? {}), referenceTextures: path.resolve(referenceTextures) };
  }
  return section;
}

/** The config of a generator run: sizes and sampling from the prepared folder, the loss and width from flags. */
async function trainRunConfig(services: CliServices, o: TrainCommandOptions, prepared: PreparePlan): Promise<RetexConfig> {
  const base = await identityRunConfig(services, o);
  return identityRunConfig(services, o, {
    image: { height: prepared.image[0], width: prepared.image[1] },
    texture: { height: prepared.texture[0], width: prepared.texture[1] },
    renderer: { sampling: prepared.sampling },
    ...((o.width != null || o.generatorInput != null) && {
      textureGenerator: { ...(o.width != null && { width: o.width }), ...(o.generatorInput != null && { input: o.generatorInput }) },
    }),
    loss: lossSection(base, o.loss, o.referenceTextures),
    ...o.overrides,
  });
}

/**
 * The networks of CosSim (the one the loss uses, else the config's identity network) and CosSim-R (the
 * category's other shipped re-ID network), each left out with a note when it cannot be loaded.
 */
export async function evaluationNetworks(services: CliServices, config: RetexConfig, loss?: WeightedLoss): Promise<{ networks: EvaluationNetworks; owned: IdentityNetwork[] }> {
  const owned: IdentityNetwork[] = [];
  const load = async (type: string, what: string): Promise<IdentityNetwork | undefined> => {
    try {
      const net = await services.loadRole({ ...config, identityNetwork: { type } }, 'identityNetwork');
      owned.push(net);
      return net;
    } catch (err) {
      note(`${what} is left out: ${(err as Error).message}`);
      return undefined;
    }
  };
  const reid = loss?.term('reid');
  const cossim = reid instanceof FeatureTerm ? reid.network : await load(config.identityNetwork.type, 'CosSim');
  const other = Object.keys(services.identityRecipes(config.category)).find((a) => a !== config.identityNetwork.type);
  const cossimR = other != null ? await load(other, 'CosSim-R') : undefined;
  if (other == null) note(`CosSim-R is left out: the '${config.category}' plugin has no second re-ID network`);
  return { networks: { cossim, cossimR }, owned };
}

function formatFigures(v: Readonly<Record<string, number>> | null): string {
  if (v == null) return '';
  return Object.entries(v)
    .filter(([k]) => k !== 'step')
    .map(([k, x]) => `${k} ${x.toFixed(3)}`)
    .join(', ');
}

/** Trains the texture generator on a prepared data folder (resumable) and saves it in `<out>/model`. */
export async function runTrain(services: CliServices, o: TrainCommandOptions): Promise<Record<string, unknown>> {
  if (o.steps != null && o.epochs != null) throw new Error('give --steps or --epochs, not both');
  const data = path.resolve(o.data);
  const base = await identityRunConfig(services, o);
  const preparedDir = findPreparedFolder(data, base.meshPredictor.type, o.prepared);
  const prepared = readPreparePlan(preparedDir);
  if (path.resolve(prepared.data) !== data) {
    throw new Error(`${preparedDir} was prepared from ${prepared.data}, not from --data ${data}: give the matching --data or --prepared`);
  }
  if (prepared.category !== base.category) throw new Error(`${preparedDir} holds '${prepared.category}' images, not '${base.category}'`);
  const config = await trainRunConfig(services, o, prepared);
  const lossName = o.loss ?? 'reid';
  const out = path.resolve(o.out ?? path.join('runs', `generator-${config.category}-${lossName}`));
  checkApart(out, data, '--out and --data');
  const backend = await initBackend(config.backend);
  note(describeBackend(backend));
  // The authors train on every split but the held-out identities (train + query + gallery).
  const items = await loadPreparedItems(preparedDir, prepared, o.splits ?? prepared.splits);
  if (items.length === 0) throw new Error(`${preparedDir} holds no prepared training image: rerun retex prepare and check its report`);
  const batch = o.batch ?? [config.train.identitiesPerBatch, config.train.imagesPerIdentity];
  const perEpoch = Math.max(1, Math.floor(items.length / (batch[0] * batch[1])));
  const steps = o.steps ?? (o.epochs ?? config.train.epochs) * perEpoch;
  const plan: TextureTrainPlan = {
    category: config.category,
    prepared: preparedDir,
    image: prepared.image,
    texture: prepared.texture,
    generator: config.textureGenerator,
    loss: config.loss,
    identityNetwork: config.identityNetwork,
    backgrounds: o.backgrounds != null ? path.resolve(o.backgrounds) : null,
    ...(o.init != null ? { init: path.resolve(o.init) } : {}),
    steps,
    identitiesPerBatch: batch[0],
    imagesPerIdentity: batch[1],
    learningRate: o.lr ?? config.train.learningRate,
    weightDecay: o.weightDecay ?? config.train.weightDecay,
    seed: o.seed,
    validateEvery: o.validateEvery,
    validationIdentities: o.validationIdentities,
    ...(o.crossView ? { crossView: o.crossView } : {}),
  };
  const dataset = await services.loadRole(config, 'dataset');
  const loss = await services.loadRole(config, 'loss');
  if (!(loss instanceof WeightedLoss)) throw new Error(`retex train needs the 'weighted' loss, not '${config.loss.type}'`);
  const generator = await services.loadRole(config, 'textureGenerator');
  const { networks, owned } = await evaluationNetworks(services, config, loss);
  const tty = o.progress ?? process.stderr.isTTY === true;
  const loadBar = progressBar(tty, 'loading  [{bar}] {value}/{total} images | ETA {eta_formatted}');
  const bar = progressBar(tty, 'training [{bar}] {value}/{total} steps | ETA {eta_formatted} | loss {loss} | {terms}');
  const stop = listenForStop('stopping after this step (checkpoint follows)');
  note(
    `training the U-Net (${config.textureGenerator.type}, width ${(generator as UNet).config.width}) with ${loss.id} on ${items.length} prepared images: ` +
      `${steps} steps of ${batch[0]}x${batch[1]} (${(steps / perEpoch).toFixed(1)} epochs) into ${out}`,
  );
  let started = false;
  try {
    if (!(generator instanceof UNet)) throw new Error(`retex train trains the 'unet' texture generator, not '${config.textureGenerator.type}'`);
    const charts = await readUvCharts(preparedDir);
    const result = await trainTextureGenerator({
      plan,
      out,
      resume: o.resume ?? false,
      dataset,
      items,
      task: { module: services.roleWorkerModule, exportName: 'createTextureTask', options: { config } },
      workers: o.workers ?? Math.max(1, Math.min(2, os.availableParallelism())),
      backend: config.backend,
      checkpointEvery: o.checkpointEvery,
      loss,
      generator,
      networks,
      charts,
      priors: await generatorPriors(services, config, generator, preparedDir, charts),
      onNote: note,
      onLoad: (done, total) => {
        if (done === 1) loadBar?.start(total, done);
        else loadBar?.update(done);
        if (done === total) loadBar?.stop();
      },
      onStep: (r) => {
        const terms = Object.entries(r.terms).map(([k, v]) => `${k} ${v.toPrecision(3)}`).join(' ');
        if (!started) {
          bar?.start(r.steps, r.step, { loss: r.loss.toPrecision(4), terms });
          started = true;
        } else bar?.update(r.step, { loss: r.loss.toPrecision(4), terms });
        if (r.validation != null) {
          const line = `step ${r.step}: validation ${formatFigures(r.validation)}`;
          if (bar) bar.updateETA();
          if (!o.json) note(line);
        } else if (!bar && r.step % 25 === 0) {
          note(`step ${r.step}/${r.steps} loss ${r.loss.toPrecision(4)} (${terms}) ${Math.round(r.ms)} ms/step`);
        }
      },
      shouldStop: stop.requested,
    });
    bar?.stop();
    const summary = { out, completed: result.completed, step: result.step, model: result.modelDir, train_seconds: Math.round(result.trainSeconds), validation: result.validation };
    const line = `trained in ${(result.trainSeconds / 60).toFixed(1)} min: ${result.modelDir} (validation: ${formatFigures(result.validation)})`;
    if (o.nested) note(line);
    else if (o.json) printJson(summary);
    else if (result.completed) printLine(line);
    return summary;
  } finally {
    bar?.stop();
    stop.release();
    loss.dispose();
    generator.dispose();
    owned.forEach((n) => n.dispose());
  }
}

/**
 * What a generator that reads projections needs on a prepared folder (its UV charts, the plugin's
 * texture symmetry); null for a generator that reads photos.
 */
export async function generatorPriors(
  services: CliServices,
  config: RetexConfig,
  generator: TextureGenerator,
  preparedDir: string,
  charts: Float32Array | null,
): Promise<ProjectionPriors | null> {
  if (!readsProjection(generator)) return null;
  if (charts == null) throw new Error(`${preparedDir} holds no UV chart mask, which a generator reading projections needs: prepare the folder again`);
  return projectionPriors(services.textureSymmetry(config.category), config, charts, generator.textureSize);
}

function supervision(value: string): TrainLoss {
  if (!(TRAIN_LOSSES as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${TRAIN_LOSSES.join(', ')}, got '${value}'`);
  return value as TrainLoss;
}

function widthMultiplier(value: string): number {
  const x = Number(value);
  if (!(x > 0 && x <= 4)) throw new InvalidArgumentError(`expected a width in (0, 4], got '${value}'`);
  return x;
}

export function trainCommand(services: CliServices): Command {
  return new Command('train')
    .description('train the U-Net texture generator on a prepared data folder, supervised by the re-ID network (the method)')
    .requiredOption('-c, --category <name>', 'category (human, bird)')
    .requiredOption('-d, --data <dir>', 'data folder (prepared with retex prepare)')
    .option('--prepared <dir>', "prepared folder (default <data>/retex-prepared/<the config's mesh predictor>)")
    .option('-o, --out <dir>', 'run folder (default runs/generator-<category>-<loss>)')
    .option('--loss <name>', 'supervision: reid (the method), perceptual or l1; a face term in the config stays', supervision)
    .option('--steps <n>', 'training steps', positiveInt)
    .option('--epochs <n>', "passes over the prepared images (default: the config's train.epochs)", positiveInt)
    .option('--batch <PxK>', 'identities x images per identity per batch (default 4x4)', parsePxK)
    .option('--lr <x>', 'Adam learning rate (default 1e-4)', positiveNumber)
    .option('--weight-decay <x>', 'Adam L2 weight decay (default 1e-5)', nonNegativeNumber)
    .option('--width <x>', 'U-Net width multiplier (1 = the paper)', widthMultiplier)
    .option('--generator-input <what>', "what the U-Net reads: photo (the paper) or projection (the project method's texture)", oneOf(GENERATOR_INPUTS))
    .option('--init <dir>', "start from this model folder's weights (a retex train model/, e.g. to train a generator further) instead of random ones")
    .option('--seed <n>', 'seed of the batches and backgrounds', nonNegativeInt, 0)
    .option('--backgrounds <dir>', "folder of background photos (default: the data set's own, subjects removed)")
    .option('--reference-textures <dir>', "textures the face term compares with (default: the plugin's)")
    .option('--workers <n>', 'data-parallel worker threads (default: 2 or the cores there are)', positiveInt)
    .option('--checkpoint-every <n>', 'steps between checkpoints', positiveInt, 50)
    .option('--validate-every <n>', 'steps between validations on held-out identities', positiveInt, 100)
    .option('--validation-identities <n>', 'identities of the training split held out for validation', positiveInt, 16)
    .option('--cross-view <share>', "share of each batch's textures rendered in the pose of another photo of the same identity (0-1; default 0, the method)", unitInterval)
    .option('--resume', 'continue the run in --out from its last checkpoint')
    .option('--config <file>', 'config file (default: searched from the current folder)')
    .option('--backend <name>', 'auto, tensorflow, wasm or cpu')
    .option('--no-progress', 'no progress bar (a line every 25 steps instead)')
    .option('--json', 'print the summary as JSON')
    .action(async (options: TrainCommandOptions) => {
      await runTrain(services, options);
    });
}
