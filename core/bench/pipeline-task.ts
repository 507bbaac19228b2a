/**
 * The texture task `retex bench train-step --pipeline` times, built from plain options so that a
 * data-parallel worker can rebuild it from a {@link TaskSpec} (no registry, no plugin: core only).
 */
import * as path from 'path';
import type { TextureSampling } from '../interfaces/renderer';
import { GENERATOR_INPUTS, type GeneratorInput } from '../interfaces/texture-generator';
import { FeatureTerm } from '../losses/loss-terms';
import { WeightedLoss } from '../losses/weighted-loss';
import { ReidNetwork, validateReidConfig, type ReidNetworkConfig } from '../nn/reid-network';
import { UNet, validateUNetConfig } from '../nn/unet';
import { TextureTask } from '../train/texture/texture-task';
import type { TaskSpec } from '../train/train-task';

/**
 * The shipped people PCB's shape (plugins/human-smpl/identity-networks.ts, recipe `pcb`): ResNet-18 trunk
 * at width 0.25, last stride 1, 6 stripes of 64-d, input 128x64. Core may not import a plugin, so the
 * shape is repeated here; spec/core/bench/pipeline-step.spec.ts checks that the two agree.
 */
export const SHIPPED_PEOPLE_PCB: Partial<ReidNetworkConfig> = {
  arch: 'pcb',
  depth: 18,
  width: 0.25,
  lastStride: 1,
  stripes: 6,
  localDim: 64,
  head: 'shared',
  inputSize: [128, 64],
  normalize: 'imagenet',
};

/** The method's re-ID term weight (FACTS.md). */
export const PIPELINE_REID_WEIGHT = 5000;

/** Options of {@link createPipelineBenchTask}: plain data (they cross a worker boundary). */
export interface PipelineTaskOptions {
  /** U-Net width multiplier; default 0.25 (the CPU-sized generator). */
  readonly unetWidth?: number;
  /** Photo size [H, W]; default [128, 64] (the method's). */
  readonly imageSize?: readonly [number, number];
  /** Texture size [Th, Tw]; default [64, 64] (the method's). */
  readonly textureSize?: readonly [number, number];
  /** Default `nearest` (the method's, and the human config's). */
  readonly sampling?: TextureSampling;
  /**
   * What the U-Net reads; default `projection` (the shipped generators: the photo projected into the
   * texture, so the U-Net runs at the texture size); `photo` is the paper's generator (it reads the photo).
   */
  readonly generatorInput?: GeneratorInput;
  /** The frozen identity network; default {@link SHIPPED_PEOPLE_PCB} with random (seeded) weights. */
  readonly reid?: Partial<ReidNetworkConfig>;
  /** Weight of the `reid` feature term; default {@link PIPELINE_REID_WEIGHT}. */
  readonly reidWeight?: number;
}

/** The options with every default filled in and checked. */
export interface ResolvedPipelineTaskOptions {
  readonly unetWidth: number;
  readonly imageSize: readonly [number, number];
  readonly textureSize: readonly [number, number];
  readonly sampling: TextureSampling;
  readonly generatorInput: GeneratorInput;
  /** What the U-Net reads, [H, W]: the photo's size, or the texture's for `projection`. */
  readonly generatorSize: readonly [number, number];
  readonly reid: ReidNetworkConfig;
  readonly reidWeight: number;
}

/** Fills defaults and validates (the U-Net's and the re-ID network's own checks included). */
export function resolvePipelineTaskOptions(options: PipelineTaskOptions = {}): ResolvedPipelineTaskOptions {
  const generatorInput = options.generatorInput ?? 'projection';
  if (!GENERATOR_INPUTS.includes(generatorInput)) throw new Error(`the generator input must be one of ${GENERATOR_INPUTS.join(', ')}, got '${generatorInput}'`);
  // The photo size is checked as the paper's U-Net would read it, whatever this one reads.
  const photo = validateUNetConfig({ inputSize: options.imageSize ?? [128, 64], textureSize: options.textureSize ?? [64, 64] });
  const unet = validateUNetConfig({
    width: options.unetWidth ?? 0.25,
    inputSize: generatorInput === 'projection' ? photo.textureSize : photo.inputSize,
    textureSize: photo.textureSize,
    input: generatorInput,
  });
  const sampling = options.sampling ?? 'nearest';
  if (sampling !== 'nearest' && sampling !== 'bilinear') throw new Error(`sampling must be 'nearest' or 'bilinear', got '${sampling}'`);
  const reidWeight = options.reidWeight ?? PIPELINE_REID_WEIGHT;
  if (!(reidWeight > 0 && Number.isFinite(reidWeight))) throw new Error(`the re-ID weight must be a positive number, got ${reidWeight}`);
  return {
    unetWidth: unet.width,
    imageSize: photo.inputSize,
    textureSize: unet.textureSize,
    sampling,
    generatorInput,
    generatorSize: unet.inputSize,
    reid: validateReidConfig(options.reid ?? SHIPPED_PEOPLE_PCB),
    reidWeight,
  };
}

/**
 * What `retex train` trains, at the given sizes: U-Net -> batched render operator -> composite ->
 * WeightedLoss with one `reid` FeatureTerm over a frozen PCB (random, seeded weights: every replica gets the
 * same network). Deterministic, so data-parallel replicas agree on their variables.
 */
export function createPipelineBenchTask(options: PipelineTaskOptions = {}): TextureTask {
  const o = resolvePipelineTaskOptions(options);
  const generator = new UNet({ width: o.unetWidth, inputSize: o.generatorSize, textureSize: o.textureSize, input: o.generatorInput });
  let network: ReidNetwork | null = null;
  try {
    network = new ReidNetwork(o.reid);
    const loss = new WeightedLoss([{ term: new FeatureTerm('reid', network), weight: o.reidWeight }]);
    return new TextureTask(generator, loss, o.sampling);
  } catch (err) {
    generator.dispose();
    network?.dispose();
    throw err;
  }
}

/** How a data-parallel worker rebuilds {@link createPipelineBenchTask} (run from compiled JavaScript). */
export function pipelineTaskSpec(options: PipelineTaskOptions): TaskSpec {
  return { module: path.join(__dirname, 'pipeline-task.js'), exportName: 'createPipelineBenchTask', options };
}
