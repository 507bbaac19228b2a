import { bestOfWaitPolicies, findTorchBenchScript, runTorchPeerJson } from './torch-peer-process';
import type { PipelinePeerFiles } from './pipeline-batch';
import type { ResolvedPipelineTaskOptions } from './pipeline-task';
import { TORCH_PYTHON, type OmpWaitPolicy } from './train-step-torch';

/** What bench/torch/pipeline_step.py prints. */
export interface TorchPipelineResult {
  readonly torch_version: string;
  readonly threads: number;
  readonly batch: number;
  readonly steps: number;
  /** The faster of the memory formats tried (`contiguous` = NCHW, or `channels_last`). */
  readonly memory_format: 'contiguous' | 'channels_last';
  readonly ms_median_by_format: Readonly<Record<string, number>>;
  readonly ms_per_step: number;
  readonly ms_min: number;
  readonly ms_median: number;
  /** The U-Net's parameters (what Adam updates). */
  readonly params: number;
  /** The frozen PCB trunk's parameters. */
  readonly trunk_params: number;
  readonly render_nonzeros: number;
  readonly covered_pixels: number;
  readonly loss: number;
  /** With `stages`: the step's parts timed alone (see bench/torch/pipeline_step.py). */
  readonly stages_ms?: Readonly<Record<'unet' | 'render' | 'identity', number>>;
}

/** Settings of one peer run; they must describe the same step as retex's run. */
export interface TorchPipelineOptions {
  readonly task: ResolvedPipelineTaskOptions;
  readonly files: PipelinePeerFiles;
  readonly batch: number;
  readonly steps: number;
  readonly warmup: number;
  readonly threads: number;
  readonly learningRate: number;
  readonly weightDecay: number;
  /** Also time the step's parts alone. */
  readonly stages?: boolean;
  /** Interpreter; default {@link TORCH_PYTHON} (Debian's, which has python3-torch). */
  readonly python?: string;
}

/** Finds bench/torch/pipeline_step.py above this file (works from core/bench and dist/core/bench). */
export function findTorchPipelineScript(): string {
  return findTorchBenchScript('pipeline_step.py');
}

/**
 * The peer's best time at `o.threads`: with more than one thread it runs once with OpenMP's spinning waits
 * (ACTIVE) and once with PASSIVE waits and keeps the faster median, as the other benches do (spinning threads
 * slow torch down when anything else uses the cores, which would flatter retex).
 */
export async function runTorchPipelineBest(o: TorchPipelineOptions): Promise<TorchPipelineResult & { omp_wait_policy: OmpWaitPolicy | null }> {
  return bestOfWaitPolicies(o.threads, (policy) => runTorchPipeline(o, policy));
}

/** Runs the peer script once and parses its JSON line. */
export async function runTorchPipeline(o: TorchPipelineOptions, ompWaitPolicy?: OmpWaitPolicy): Promise<TorchPipelineResult> {
  const t = o.task;
  const args = [
    findTorchPipelineScript(),
    '--batch', String(o.batch),
    '--steps', String(o.steps),
    '--warmup', String(o.warmup),
    '--threads', String(o.threads),
    '--image-size', String(t.imageSize[0]), String(t.imageSize[1]),
    '--texture', String(t.textureSize[0]), String(t.textureSize[1]),
    '--unet-width', String(t.unetWidth),
    '--generator-input', t.generatorInput,
    ...(o.files.generatorImages != null ? ['--generator-images', o.files.generatorImages] : []),
    '--taps-per-pixel', t.sampling === 'nearest' ? '1' : '4',
    '--reid-depth', String(t.reid.depth),
    '--reid-width', String(t.reid.width),
    '--reid-last-stride', String(t.reid.lastStride),
    '--reid-input', String(t.reid.inputSize[0]), String(t.reid.inputSize[1]),
    '--reid-weight', String(t.reidWeight),
    '--lr', String(o.learningRate),
    '--weight-decay', String(o.weightDecay),
    '--images', o.files.images,
    '--backgrounds', o.files.backgrounds,
    '--taps', o.files.taps,
    '--tap-weights', o.files.tapWeights,
    ...(o.stages ? ['--stages'] : []),
  ];
  return runTorchPeerJson<TorchPipelineResult>({ what: 'pipeline peer', python: o.python ?? TORCH_PYTHON, args, timeoutMs: 60 * 60_000, threads: o.threads, ompWaitPolicy });
}
