/**
 * Factories that worker threads call to rebuild a run's roles from its config (core cannot import the
 * registry, so the CLI hands core this module's path; see `CliServices.roleWorkerModule`).
 */
import 'reflect-metadata';
import { WeightedLoss } from '../core/losses/weighted-loss';
import { UNet } from '../core/nn/unet';
import type { TextureSampling } from '../core/interfaces/renderer';
import type { RetexConfig } from '../core/plugin';
import { PrepareProcessor } from '../core/prepare/prepare-processor';
import type { PreparePlan } from '../core/prepare/prepared-set';
import { TextureTask } from '../core/train/texture/texture-task';
import { createRunContainer, resolveRole } from './container';
import { PluginRegistry } from './plugin-registry';
import { ALL_PLUGINS } from './plugins';

/** Options of {@link createPrepareProcessor}: plain data. */
export interface PrepareWorkerOptions {
  readonly config: RetexConfig;
  readonly plan: PreparePlan;
}

/** A worker's `PrepareProcessor`: the config's data set, mesh predictor and renderer. */
export async function createPrepareProcessor(options: PrepareWorkerOptions): Promise<PrepareProcessor> {
  const container = createRunContainer(new PluginRegistry(ALL_PLUGINS), options.config);
  const dataset = await resolveRole(container, 'dataset');
  const renderer = await resolveRole(container, 'renderer');
  const predictor = await resolveRole(container, 'meshPredictor');
  return new PrepareProcessor(options.plan, dataset, predictor, renderer);
}

/** Options of {@link createTextureTask}: plain data. */
export interface TextureTaskWorkerOptions {
  readonly config: RetexConfig;
}

/** A worker's replica of the texture task: the config's U-Net and loss. */
export async function createTextureTask(options: TextureTaskWorkerOptions): Promise<TextureTask> {
  const { config } = options;
  const container = createRunContainer(new PluginRegistry(ALL_PLUGINS), config);
  const generator = await resolveRole(container, 'textureGenerator');
  if (!(generator instanceof UNet)) throw new Error(`retex train trains the 'unet' texture generator, not '${config.textureGenerator.type}'`);
  const loss = await resolveRole(container, 'loss');
  if (!(loss instanceof WeightedLoss)) throw new Error(`retex train needs the 'weighted' loss, not '${config.loss.type}'`);
  const sampling = (config.renderer.sampling as TextureSampling | undefined) ?? 'nearest';
  return new TextureTask(generator, loss, sampling);
}
