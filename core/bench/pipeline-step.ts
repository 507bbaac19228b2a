/**
 * `retex bench train-step --pipeline`: the method's whole training step, as `retex train` runs it, against
 * the same step in PyTorch (bench/torch/pipeline_step.py).
 *
 * The step: U-Net (train-mode batch norm) -> the batch's render operator (rebuilt from the batch's dense
 * taps, as `TextureTask` does every step) -> composite over the backgrounds -> `WeightedLoss` with the
 * `reid` feature term (weight 5000) over a frozen PCB, against the photos' cached features -> gradients of
 * the U-Net -> Adam with weight decay 1e-5. The batch is what `assembleBatch` builds (see pipeline-batch).
 *
 * - all cores: `DataParallelTrainer` with one worker per thread, each rebuilding the task from a `TaskSpec`
 *   (`createPipelineBenchTask`), and `hostOptimizerStep` (worker gradients, Adam applied by the workers to
 *   shared weights, each on its share, every replica loading the result): exactly `retex train`'s step;
 * - 1 thread: `TrainStep` on the same task in this process (tfjs's Adam; it has no weight decay, which
 *   costs one multiply-add per weight less than the peer).
 * Both time the median of the timed steps after the warm-up. `assembleBatch` (a few milliseconds on the
 * main thread) is reported apart, not in the step: the peer's batch is prepared too.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { describeBackend, initBackend, type BackendRequest } from '../backend/backend';
import { tf } from '../backend/tf';
import { composite } from '../renderer/composite';
import { DataParallelTrainer } from '../train/data-parallel';
import { hostOptimizerStep, startRun } from '../train/host-step';
import { disposeBatch, hostBatchToTensors } from '../train/host-tensors';
import { batchRenderOperator, renderBatch, tapMasks } from '../train/texture/batch-render';
import { TrainStep, DEFAULT_LEARNING_RATE } from '../train/train-step';
import type { TensorBatch } from '../train/train-task';
import type { TextureTask } from '../train/texture/texture-task';
import { identityStepConvFlops, trunkConvLayers } from './identity';
import { torchIdentityUnavailableReason } from './identity-torch';
import { pipelineHostBatch, writePipelinePeerFiles } from './pipeline-batch';
import { createPipelineBenchTask, pipelineTaskSpec, resolvePipelineTaskOptions, type PipelineTaskOptions } from './pipeline-task';
import { runTorchPipelineBest, type TorchPipelineResult } from './pipeline-torch';
import { explainAbort, positiveInt, round, type StepComparison } from './train-step';
import { median, timeSteps, warmupOption, warmupSecondsOption } from './step-timing';
import { convolutionLabel, kernelShares, type KernelShare } from './kernel-profile';
import { trainStepConvFlops, unetConvLayers } from './train-step-flops';
import type { OmpWaitPolicy } from './train-step-torch';

/** The method's Adam weight decay (FACTS.md), as `retex train` applies it. */
export const PIPELINE_WEIGHT_DECAY = 1e-5;
/** Extra data-parallel steps after timing that read every worker's live tensor count. */
const LEAK_PROBE_STEPS = 2;

/** Options of {@link runBenchPipelineStep}. */
export interface BenchPipelineStepOptions {
  /** Default `auto`. */
  readonly backend?: BackendRequest;
  /** The networks and sizes; default the shipped people sizes (U-Net 0.25, 128x64 -> 64x64, PCB recipe). */
  readonly task?: PipelineTaskOptions;
  /** Default 16 (the method's). */
  readonly batch?: number;
  /** Timed steps per configuration (the median is reported); default 5. */
  readonly steps?: number;
  /** Untimed steps before timing; default 2. */
  readonly warmup?: number;
  /** Least warm-up time of retex's runs (with warmup > 0), seconds; default 5 (see `DEFAULT_WARMUP_SECONDS`). */
  readonly warmupSeconds?: number;
  /** Threads (data-parallel workers) for the "all cores" runs; default `os.availableParallelism()`. */
  readonly threads?: number;
  /** Also profile: kernels of one single-process step, its stages, and the host step's parts. */
  readonly profile?: boolean;
  /** Skip the PyTorch peer; default false. */
  readonly skipTorch?: boolean;
  readonly onNote?: (message: string) => void;
}


/** Where a profiled run's time went (medians, milliseconds). */
export interface PipelineProfile {
  /** Kernels of one single-process step, most expensive first. */
  readonly top_kernels: readonly KernelShare[];
  /** Wall time of the profiled step and its summed kernel time (the rest is JavaScript: tape, dispatch). */
  readonly wall_ms: number;
  readonly kernel_ms: number;
  /**
   * The single-process step's parts, each timed alone: `unet` forward + weight gradients (train-mode batch
   * norm), `render` the operator built from the dense taps + apply + composite, forward and backward,
   * `identity` the frozen PCB's forward + input gradient of the re-ID loss, `rest` = step - the three
   * (Adam, the loss's bookkeeping, what the parts do not overlap).
   */
  readonly stages_ms_1thread: Readonly<Record<'step' | 'unet' | 'render' | 'identity' | 'rest', number>>;
  /** The peer's parts timed alone (unet, render, identity), 1 thread and `threads` threads; null without torch. */
  readonly torch_stages_ms_1thread: Readonly<Record<'unet' | 'render' | 'identity', number>> | null;
  readonly torch_stages_ms: Readonly<Record<'unet' | 'render' | 'identity', number>> | null;
  /**
   * The all-cores step (`hostOptimizerStep`) by part: the workers' gradients, Adam in the workers (each on its
   * share of the weights), the replicas loading the new weights; null with one thread.
   */
  readonly host_step_ms: Readonly<Record<'total' | 'gradients' | 'adam' | 'load_weights', number>> | null;
}

/** The benchmark's figures (snake_case: this is the --json output; keys as `bench train-step`'s). */
export interface BenchPipelineStepResult extends StepComparison {
  readonly pipeline: true;
  readonly image_size: readonly [number, number];
  readonly texture_size: readonly [number, number];
  /** What the U-Net reads (`projection`: the shipped generators) and its size. */
  readonly generator_input: string;
  readonly generator_size: readonly [number, number];
  readonly sampling: string;
  /** The frozen identity network. */
  readonly reid: { readonly arch: string; readonly depth: number; readonly width: number; readonly last_stride: number; readonly input_size: readonly [number, number] };
  readonly reid_weight: number;
  readonly learning_rate: number;
  readonly weight_decay: number;
  /** The U-Net's trainable parameters (the peer's count is checked against it). */
  readonly params: number;
  /** Mean covered pixels per sample (one render tap each with nearest sampling). */
  readonly covered_pixels: number;
  /** `assembleBatch` for the whole batch, main thread, ms (not in the step times). */
  readonly batch_assembly_ms: number;
  /** Convolution FLOPs of one step: U-Net forward + both gradients, PCB forward + input gradient; GFLOP. */
  readonly conv_gflops_per_step: number;
  readonly retex_gflops_per_s: number;
  readonly retex_gflops_per_s_1thread: number;
  readonly torch_gflops_per_s: number | null;
  /** Last timed loss (1 thread) and the peer's (different random weights: a sanity figure only). */
  readonly retex_loss: number;
  readonly torch_loss: number | null;
  /** Live tensors after each 1-thread step (warm-up included): constant from the second step when nothing leaks. */
  readonly num_tensors_1thread: readonly number[];
  /** Live tensors per worker after each of the data-parallel probe steps. */
  readonly num_tensors_workers: readonly (readonly number[])[];
  /**
   * The last data-parallel probe step (`DataParallelTrainer.step`, Adam inside the workers): its wall time,
   * and per worker the ms spent inside the worker on its shard's loss and gradients and on the update. The
   * wall time minus the slowest worker's is the data-parallel overhead (splitting and sending the batch,
   * collecting and averaging the gradients, messages); null with one thread.
   */
  readonly worker_probe_ms: { readonly total: number; readonly gradients: readonly number[]; readonly apply: readonly number[] } | null;
  readonly torch_version: string | null;
  /** Memory format of the counted torch runs (the faster of NCHW and channels_last). */
  readonly torch_memory_format: string | null;
  readonly torch_memory_format_1thread: string | null;
  /** The peer's median per memory format (it reports the faster). */
  readonly torch_ms_by_memory_format: Readonly<Record<string, number>> | null;
  readonly torch_ms_by_memory_format_1thread: Readonly<Record<string, number>> | null;
  /** OpenMP wait policy of the counted multi-threaded torch run (the faster of ACTIVE and PASSIVE). */
  readonly torch_omp_wait_policy: OmpWaitPolicy | null;
  /** Why the torch figures are null, with the install command. */
  readonly torch_note: string | null;
  readonly profile?: PipelineProfile;
}

/**
 * Kernels by time. Custom-gradient ops are left out: tfjs records them under their op name (`<op>__op`) or,
 * when created by `tf.customGrad` inside an unnamed `tf.tidy`, as "unnamed scope" (batch norm's affine, the
 * render operator); their time already contains the kernels they run, which are listed themselves.
 */
function topKernels(profile: Awaited<ReturnType<typeof tf.profile>>, limit = 20): { kernels: KernelShare[]; totalMs: number } {
  return kernelShares(profile, limit, (k) => (k.name.endsWith('__op') || k.name === 'unnamed scope' ? null : convolutionLabel(k)));
}

/** Median of `runs` timings of `fn` after one untimed call. */
function timeMedian(fn: () => void, runs: number): number {
  fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

/**
 * The single-process step's parts, each timed alone on the batch's tensors (see
 * `PipelineProfile.stages_ms_1thread`). Leaves no tensor behind.
 */
function stageTimes(task: TextureTask, tensors: TensorBatch, stepMs: number, runs: number): PipelineProfile['stages_ms_1thread'] {
  const images = tensors.images as tf.Tensor4D;
  const [b, h, w] = images.shape;
  const generator = task.generator;
  const [th, tw] = generator.textureSize;
  const term = task.objective.featureTerms()[0];
  const k = tensors.taps.size / (b * h * w);
  const weightsOf = tensors.tapWeights.dataSync() as Float32Array;
  const probe = tf.randomUniform([b, th, tw, 3], -1, 1, 'float32', 7) as tf.Tensor4D;
  const texture = tf.randomUniform([b, th, tw, 3], -1, 1, 'float32', 8) as tf.Tensor4D;
  const imageProbe = tf.randomUniform([b, h, w, 3], -1, 1, 'float32', 9) as tf.Tensor4D;
  try {
    const vars = task.trainableVariables();
    const unet = timeMedian(() => {
      const reads = (tensors.generatorImages ?? images) as tf.Tensor4D;
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(generator.generate(reads, true), probe)) as tf.Scalar, vars);
      value.dataSync();
      tf.dispose([value, ...Object.values(grads)]);
    }, runs);
    const render = timeMedian(() => {
      const taps = tensors.taps.dataSync() as Int32Array;
      const op = batchRenderOperator(taps, weightsOf, b, h, w, [th, tw], task.sampling);
      try {
        const g = tf.grad((t: tf.Tensor) => {
          const masks = tf.tensor4d(tapMasks(taps, b, h, w, k), [b, h, w, 1]);
          return tf.sum(tf.mul(composite(renderBatch(op, t as tf.Tensor4D, h), masks, tensors.backgrounds as tf.Tensor4D), imageProbe)) as tf.Scalar;
        })(texture);
        g.dataSync();
        g.dispose();
      } finally {
        op.dispose();
      }
    }, runs);
    const identity = timeMedian(() => {
      const { value, grad } = tf.valueAndGrad((x: tf.Tensor) =>
        term.compute({
          images,
          renderings: x as tf.Tensor4D,
          textures: texture,
          masks: imageProbe,
          imageFeatures: { [term.id]: Object.keys(tensors).filter((key) => key.startsWith(`feature:${term.id}:`)).sort().map((key) => tensors[key]) },
        }),
      )(imageProbe);
      value.dataSync();
      tf.dispose([value, grad]);
    }, runs);
    return {
      step: round(stepMs, 1),
      unet: round(unet, 1),
      render: round(render, 1),
      identity: round(identity, 1),
      rest: round(stepMs - unet - render - identity, 1),
    };
  } finally {
    tf.dispose([probe, texture, imageProbe]);
  }
}

/**
 * Times the method's whole training step (see the file comment) on one thread and on all cores, and the
 * PyTorch peer with the same thread counts, on the same batch.
 */
export async function runBenchPipelineStep(options: BenchPipelineStepOptions = {}): Promise<BenchPipelineStepResult> {
  const note = options.onNote ?? (() => undefined);
  const task = resolvePipelineTaskOptions(options.task);
  const batch = positiveInt('--batch', options.batch ?? 16);
  const steps = positiveInt('--steps', options.steps ?? 5);
  const warmup = warmupOption(options.warmup);
  const warmupSeconds = warmupSecondsOption(options.warmupSeconds);
  const threads = positiveInt('--threads', options.threads ?? os.availableParallelism());
  if (threads > batch) throw new Error(`--threads ${threads} is more than the batch of ${batch}`);
  const backendRequest = options.backend ?? 'auto';
  const lr = DEFAULT_LEARNING_RATE;
  const [h, w] = task.imageSize;

  const info = await initBackend(backendRequest);
  note(describeBackend(info));
  if (info.name === 'cpu') {
    throw new Error("the cpu backend cannot train the U-Net on non-square images (its ResizeBilinear gradient fails): use --backend wasm");
  }
  const convGflops =
    (trainStepConvFlops(unetConvLayers({ width: task.unetWidth, inputSize: task.generatorSize, textureSize: task.textureSize }), batch) +
      identityStepConvFlops(trunkConvLayers(task.reid), batch)) /
    1e9;
  const label = `U-Net x${task.unetWidth} reading the ${task.generatorInput} (${task.generatorSize.join('x')}) -> ${task.textureSize.join('x')}, photo ${h}x${w}, PCB ResNet-${task.reid.depth} x${task.reid.width}`;

  // retex, one thread: the whole batch in this process; this task also caches the photos' features.
  const task1 = createPipelineBenchTask(task);
  let host: ReturnType<typeof pipelineHostBatch>;
  let retex1: number;
  let retexLoss = NaN;
  let params: number;
  const numTensors1: number[] = [];
  let profile: Omit<PipelineProfile, 'host_step_ms' | 'torch_stages_ms_1thread' | 'torch_stages_ms'> | undefined;
  {
    const trainer = new TrainStep(task1);
    let tensors: TensorBatch | null = null;
    try {
      params = task1.trainableVariables().reduce((n, v) => n + v.size, 0);
      host = pipelineHostBatch(task, batch, task1.objective.featureTerms()[0]);
      note(`${label}: batch of ${batch}, ${host.coveredPixels.toFixed(0)} covered pixels per sample on average`);
      note(`retex, 1 thread: ${warmup} warm-up steps (at least ${warmupSeconds} s) + ${steps} timed steps`);
      tensors = hostBatchToTensors(host.batch);
      const t = tensors;
      try {
        retex1 = (
          await timeSteps(() => {
            retexLoss = trainer.step(t);
            numTensors1.push(tf.memory().numTensors);
          }, warmup, steps, warmupSeconds)
        ).ms;
      } catch (err) {
        throw explainAbort(err, `${label}, batch ${batch}`);
      }
      if (options.profile) {
        note('profiling one single-process step, then its parts');
        const t0 = performance.now();
        const p = await tf.profile(() => void trainer.step(t));
        const wallMs = performance.now() - t0;
        const top = topKernels(p);
        profile = {
          top_kernels: top.kernels,
          wall_ms: round(wallMs, 1),
          kernel_ms: round(top.totalMs, 1),
          stages_ms_1thread: stageTimes(task1, t, retex1, Math.max(3, steps)),
        };
      }
    } finally {
      try {
        if (tensors) disposeBatch(tensors);
        trainer.dispose();
        task1.dispose();
      } catch {
        // After a wasm abort nothing can be freed any more; the step's own error is the one to report.
      }
    }
  }
  note(`retex, 1 thread: ${retex1.toFixed(0)} ms/step`);

  // retex, all cores: `retex train`'s step (workers' gradients, Adam on the host).
  let retexN = retex1;
  const numTensorsWorkers: number[][] = [];
  let workerProbe: BenchPipelineStepResult['worker_probe_ms'] = null;
  let hostStep: PipelineProfile['host_step_ms'] = null;
  if (threads > 1) {
    note(`retex, ${threads} workers: starting`);
    const dp = await DataParallelTrainer.start({ task: pipelineTaskSpec(task), workers: threads, backend: backendRequest });
    try {
      const run = await startRun(dp, PIPELINE_WEIGHT_DECAY, null, note, warmup + steps);
      let step = run.step;
      try {
        retexN = (await timeSteps(() => hostOptimizerStep(dp, run.adam, run.weights, host.batch, lr, step++), warmup, steps, warmupSeconds)).ms;
        if (options.profile) {
          note(`profiling the ${threads}-worker host step by part`);
          const parts: Record<'total' | 'gradients' | 'adam' | 'load_weights', number[]> = { total: [], gradients: [], adam: [], load_weights: [] };
          for (let i = 0; i < steps; i++) {
            const t0 = performance.now();
            await hostOptimizerStep(dp, run.adam, run.weights, host.batch, lr, step++);
            parts.total.push(performance.now() - t0);
            const t = dp.optimizerTimings;
            if (t) {
              parts.gradients.push(t.gradients);
              parts.adam.push(t.adam);
              parts.load_weights.push(t.load);
            }
          }
          const ms = (xs: number[]): number => round(median(xs), 1);
          hostStep = { total: ms(parts.total), gradients: ms(parts.gradients), adam: ms(parts.adam), load_weights: ms(parts.load_weights) };
        }
        // DataParallelTrainer reports its workers' live tensors only from `step()` (same gradient path,
        // Adam inside the workers), so a couple of those steps probe for leaks.
        for (let i = 0; i < LEAK_PROBE_STEPS; i++) {
          await dp.step(host.batch);
          numTensorsWorkers.push([...(dp.lastStepTimings?.numTensors ?? [])]);
          const timings = dp.lastStepTimings;
          if (timings) {
            workerProbe = { total: round(timings.totalMs, 1), gradients: timings.gradientMs.map((ms) => round(ms, 1)), apply: timings.applyMs.map((ms) => round(ms, 1)) };
          }
        }
      } catch (err) {
        throw explainAbort(err, `${label}, ${Math.ceil(batch / threads)} samples per worker`);
      }
    } finally {
      await dp.dispose();
    }
    note(`retex, ${threads} workers: ${retexN.toFixed(0)} ms/step`);
  }

  // torch after the retex runs (as in bench train-step: memory a large process just freed slows the next
  // process's first steps).
  const torchReason = options.skipTorch ? 'skipped (--no-torch)' : await torchIdentityUnavailableReason();
  if (torchReason != null) note(`PyTorch peer unavailable: ${torchReason}`);
  type PeerResult = TorchPipelineResult & { omp_wait_policy: OmpWaitPolicy | null };
  let torch1: PeerResult | null = null;
  let torchN: PeerResult | null = null;
  if (torchReason == null) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retex-bench-pipeline-'));
    try {
      const files = writePipelinePeerFiles(host.batch, dir);
      const peer = async (n: number): Promise<PeerResult> => {
        note(`torch, ${n} thread(s)${n > 1 ? ' (OpenMP waits ACTIVE, then PASSIVE; the faster counts)' : ''}`);
        const r = await runTorchPipelineBest({
          task, files, batch, steps, warmup, threads: n, learningRate: lr, weightDecay: PIPELINE_WEIGHT_DECAY, stages: options.profile,
        });
        if (r.params !== params) {
          throw new Error(`the PyTorch peer built a different U-Net: ${r.params} parameters against retex's ${params}`);
        }
        note(`torch, ${n} thread(s): ${r.ms_median.toFixed(0)} ms/step (${r.memory_format})`);
        return r;
      };
      torch1 = await peer(1);
      torchN = threads > 1 ? await peer(threads) : torch1;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  const torchMs = torchN?.ms_median ?? null;
  const torchMs1 = torch1?.ms_median ?? null;
  const gflops = (ms: number): number => round(convGflops / (ms / 1000), 2);
  const byFormat = (r: PeerResult | null): Record<string, number> | null =>
    r == null ? null : Object.fromEntries(Object.entries(r.ms_median_by_format).map(([k, v]) => [k, round(v, 1)]));
  return {
    pipeline: true,
    backend: info.name,
    retex_ms_per_step: round(retexN, 1),
    torch_ms_per_step: torchMs == null ? null : round(torchMs, 1),
    ratio: torchMs == null ? null : round(retexN / torchMs, 2),
    ratio_1thread: torchMs1 == null ? null : round(retex1 / torchMs1, 2),
    retex_ms_per_step_1thread: round(retex1, 1),
    torch_ms_per_step_1thread: torchMs1 == null ? null : round(torchMs1, 1),
    width: task.unetWidth,
    batch,
    threads,
    steps,
    warmup,
    warmup_seconds: warmupSeconds,
    image_size: task.imageSize,
    texture_size: task.textureSize,
    generator_input: task.generatorInput,
    generator_size: task.generatorSize,
    sampling: task.sampling,
    reid: { arch: task.reid.arch, depth: task.reid.depth, width: task.reid.width, last_stride: task.reid.lastStride, input_size: task.reid.inputSize },
    reid_weight: task.reidWeight,
    learning_rate: lr,
    weight_decay: PIPELINE_WEIGHT_DECAY,
    params,
    covered_pixels: round(host.coveredPixels, 1),
    batch_assembly_ms: round(host.assembleMs, 2),
    conv_gflops_per_step: round(convGflops, 3),
    retex_gflops_per_s: gflops(retexN),
    retex_gflops_per_s_1thread: gflops(retex1),
    torch_gflops_per_s: torchMs == null ? null : gflops(torchMs),
    retex_loss: retexLoss,
    torch_loss: torch1?.loss ?? null,
    num_tensors_1thread: numTensors1,
    num_tensors_workers: numTensorsWorkers,
    worker_probe_ms: workerProbe,
    torch_version: torch1?.torch_version ?? null,
    torch_memory_format: torchN?.memory_format ?? null,
    torch_memory_format_1thread: torch1?.memory_format ?? null,
    torch_ms_by_memory_format: byFormat(torchN),
    torch_ms_by_memory_format_1thread: byFormat(torch1),
    torch_omp_wait_policy: threads > 1 ? (torchN?.omp_wait_policy ?? null) : null,
    torch_note: torchReason,
    ...(profile
      ? {
          profile: {
            ...profile,
            host_step_ms: hostStep,
            torch_stages_ms_1thread: torch1?.stages_ms ?? null,
            torch_stages_ms: torchN?.stages_ms ?? null,
          },
        }
      : {}),
  };
}
