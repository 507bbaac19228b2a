import { kernelShares, round, type KernelShare } from './kernel-profile';

export { round, type KernelShare } from './kernel-profile';
import * as os from 'os';
import { describeBackend, initBackend, type BackendRequest } from '../backend/backend';
import { tf } from '../backend/tf';
import { DataParallelTrainer } from '../train/data-parallel';
import { disposeBatch, hostBatchToTensors } from '../train/host-tensors';
import { TextureClassifierTask, textureClassifierTaskSpec, type TextureClassifierTaskOptions } from '../train/texture-classifier-task';
import { TrainStep } from '../train/train-step';
import type { HostBatch } from '../train/train-task';
import { classifierConvLayers, trainStepConvFlops, unetConvLayers } from './train-step-flops';
import { measureMatMulPeakGflops } from './train-step-matmul-peak';
import { runTorchPeerBest, torchUnavailableReason, type OmpWaitPolicy, type TorchPeerResult } from './train-step-torch';
import { timeSteps, warmupOption, warmupSecondsOption } from './step-timing';

/** Options of {@link runBenchTrainStep}. */
export interface BenchTrainStepOptions {
  /** Default `auto`. */
  readonly backend?: BackendRequest;
  /** Width multiplier of both networks; default 0.25. */
  readonly width?: number;
  /** Default 16 (the method's). */
  readonly batch?: number;
  /** Timed steps per configuration (the median is reported); default 5. */
  readonly steps?: number;
  /** Untimed steps before timing; default 2. */
  readonly warmup?: number;
  /** Least warm-up time of retex's runs (with warmup > 0), seconds; default 5 (see `DEFAULT_WARMUP_SECONDS`). */
  readonly warmupSeconds?: number;
  /** Threads for the "all cores" runs; default `os.availableParallelism()`. */
  readonly threads?: number;
  /** Also profile one single-process step by kernel; default false. */
  readonly profile?: boolean;
  /** Skip the PyTorch peer; default false. */
  readonly skipTorch?: boolean;
  readonly onNote?: (message: string) => void;
}


/** The figures every train-step comparison with PyTorch reports (snake_case: the --json keys). */
export interface StepComparison {
  readonly backend: string;
  /** retex, all cores (data-parallel workers). */
  readonly retex_ms_per_step: number;
  readonly torch_ms_per_step: number | null;
  /** retex / torch at `threads` threads. */
  readonly ratio: number | null;
  readonly ratio_1thread: number | null;
  readonly retex_ms_per_step_1thread: number;
  readonly torch_ms_per_step_1thread: number | null;
  /** Width multiplier of the networks (the pipeline: the U-Net's). */
  readonly width: number;
  readonly batch: number;
  readonly threads: number;
  readonly steps: number;
  readonly warmup: number;
  /** Least warm-up time of retex's runs, seconds (the peers warm up `warmup` steps: they have no JIT). */
  readonly warmup_seconds: number;
}

/** The benchmark's figures (snake_case: this is the --json output). */
export interface BenchTrainStepResult extends StepComparison {
  /** Convolution FLOPs of one step (forward + filter and input gradients), in GFLOP. */
  readonly conv_gflops_per_step: number;
  /** Convolution GFLOP/s reached by retex on all cores and on one thread. */
  readonly retex_gflops_per_s: number;
  readonly retex_gflops_per_s_1thread: number;
  readonly torch_gflops_per_s: number | null;
  /** Best GFLOP/s of a 1024^3 matMul on the active backend, one thread. */
  readonly wasm_matmul_peak_gflops: number;
  readonly torch_version: string | null;
  /** OpenMP wait policy of the counted multi-threaded torch run (the faster of ACTIVE and PASSIVE). */
  readonly torch_omp_wait_policy: OmpWaitPolicy | null;
  /** Why the torch figures are null, with the install command. */
  readonly torch_note: string | null;
  readonly params: number;
  /** Present with `profile`: kernels of one single-process step, most expensive first. */
  readonly top_kernels?: readonly KernelShare[];
}

/** The benchmark task at a width: the method's 128x64 input, 64x64 texture, 751 classes. */
export function benchTaskOptions(width: number): TextureClassifierTaskOptions {
  return {
    unet: { width, inputSize: [128, 64], textureSize: [64, 64] },
    classifier: { width, numClasses: 751, inputSize: [64, 64], blocksPerStage: 1 },
  };
}

/** A random batch: images uniform in [-1,1), labels in [0, classes). */
export function randomHostBatch(batch: number, h: number, w: number, classes: number, seed = 1): HostBatch {
  let s = seed >>> 0;
  const next = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const images = new Float32Array(batch * h * w * 3);
  for (let i = 0; i < images.length; i++) images[i] = next() * 2 - 1;
  const labels = Int32Array.from({ length: batch }, () => Math.floor(next() * classes));
  return {
    images: { values: images, shape: [batch, h, w, 3], dtype: 'float32' },
    labels: { values: labels, shape: [batch], dtype: 'int32' },
  };
}

/** `v` when it is a positive integer; otherwise throws naming the option. */
export function positiveInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer, got ${v}`);
  return v;
}

function topKernels(profile: Awaited<ReturnType<typeof tf.profile>>, limit = 15): KernelShare[] {
  return kernelShares(profile, limit, (k) => k.name).kernels;
}

/**
 * A wasm abort here is almost always the 32-bit heap (4 GB at most) running out: the paper-width U-Net
 * needs about 2.4 GB for 8 samples, so 16 do not fit in one process.
 */
export function explainAbort(err: unknown, what: string): Error {
  const msg = (err as Error)?.message ?? String(err);
  if (!/abort/i.test(msg)) return err as Error;
  return new Error(
    `the wasm backend aborted during a training step (${what}): most likely its 4 GB heap is too small ` +
      `for this size; use a smaller --batch or --width, or more --threads (each worker holds a share of the batch)`,
  );
}


/**
 * Times retex's training step (U-Net + classifier, softmax cross-entropy, Adam) on one thread and on
 * all cores (data-parallel workers), and the PyTorch peer with the same thread counts.
 */
export async function runBenchTrainStep(options: BenchTrainStepOptions = {}): Promise<BenchTrainStepResult> {
  const note = options.onNote ?? (() => undefined);
  const width = options.width ?? 0.25;
  if (!(width > 0 && Number.isFinite(width))) throw new Error(`--width must be a positive number, got ${width}`);
  const batch = positiveInt('--batch', options.batch ?? 16);
  const steps = positiveInt('--steps', options.steps ?? 5);
  const warmup = warmupOption(options.warmup);
  const warmupSeconds = warmupSecondsOption(options.warmupSeconds);
  const threads = positiveInt('--threads', options.threads ?? os.availableParallelism());
  const backendRequest = options.backend ?? 'auto';

  const info = await initBackend(backendRequest);
  note(describeBackend(info));
  if (info.name === 'cpu') {
    // tfjs 4.22's cpu ResizeBilinearGrad swaps height and width, so the 128x64 U-Net cannot train there.
    throw new Error("the cpu backend cannot train the 128x64 U-Net (its ResizeBilinear gradient fails on non-square images): use --backend wasm");
  }
  const taskOptions = benchTaskOptions(width);
  const [h, w] = taskOptions.unet!.inputSize!;
  const classes = taskOptions.classifier!.numClasses!;
  const hostBatch = randomHostBatch(batch, h, w, classes);
  const layers = [...unetConvLayers(taskOptions.unet), ...classifierConvLayers(taskOptions.classifier)];
  const convGflops = trainStepConvFlops(layers, batch) / 1e9;

  note('measuring the matMul peak (1024x1024x1024)');
  const matmulPeak = measureMatMulPeakGflops();

  // retex, one thread: the whole batch in this process.
  note(`retex, 1 thread: ${warmup} warm-up steps (at least ${warmupSeconds} s) + ${steps} timed steps`);
  const task = new TextureClassifierTask(taskOptions);
  const trainer = new TrainStep(task);
  const tensors = hostBatchToTensors(hostBatch);
  let retex1: number;
  let params: number;
  let kernels: KernelShare[] | undefined;
  try {
    params = task.trainableVariables().reduce((n, v) => n + v.size, 0);
    try {
      retex1 = (await timeSteps(() => trainer.step(tensors), warmup, steps, warmupSeconds)).ms;
    } catch (err) {
      throw explainAbort(err, `width ${width}, batch ${batch}`);
    }
    if (options.profile) {
      note('profiling one step');
      kernels = topKernels(await tf.profile(() => void trainer.step(tensors)));
    }
  } finally {
    try {
      disposeBatch(tensors);
      trainer.dispose();
      task.dispose();
    } catch {
      // After a wasm abort nothing can be freed any more; the step's own error is the one to report.
    }
  }
  note(`retex, 1 thread: ${retex1.toFixed(0)} ms/step`);

  // retex, all cores: one data-parallel worker per thread.
  let retexN = retex1;
  if (threads > 1) {
    note(`retex, ${threads} workers: starting`);
    const dp = await DataParallelTrainer.start({ task: textureClassifierTaskSpec(taskOptions), workers: threads, backend: backendRequest });
    try {
      try {
        retexN = (await timeSteps(() => dp.step(hostBatch), warmup, steps, warmupSeconds)).ms;
      } catch (err) {
        throw explainAbort(err, `width ${width}, ${Math.ceil(batch / threads)} samples per worker`);
      }
    } finally {
      await dp.dispose();
    }
    note(`retex, ${threads} workers: ${retexN.toFixed(0)} ms/step`);
  }
  // torch after both retex runs: on this VM, memory a large process just freed makes the next process's
  // first steps slow (page faults), so retex's workers must not start right after torch.
  const torchReason = options.skipTorch ? 'skipped (--no-torch)' : await torchUnavailableReason();
  if (torchReason != null) note(`PyTorch peer unavailable: ${torchReason}`);
  const peer = (n: number): Promise<(TorchPeerResult & { omp_wait_policy: OmpWaitPolicy | null }) | null> => {
    if (torchReason != null) return Promise.resolve(null);
    note(`torch, ${n} thread(s)${n > 1 ? ' (OpenMP waits ACTIVE, then PASSIVE; the faster counts)' : ''}`);
    return runTorchPeerBest({
      width,
      batch,
      steps,
      warmup,
      threads: n,
      inputSize: [h, w],
      textureSize: taskOptions.unet!.textureSize!,
      classifierWidth: width,
      numClasses: classes,
      classifierInput: taskOptions.classifier!.inputSize!,
      blocksPerStage: taskOptions.classifier!.blocksPerStage!,
    });
  };
  const torch1 = await peer(1);

  const torchN = threads > 1 ? await peer(threads) : torch1;

  const torchMs = torchN?.ms_median ?? null;
  const torchMs1 = torch1?.ms_median ?? null;
  return {
    backend: info.name,
    retex_ms_per_step: round(retexN, 1),
    torch_ms_per_step: torchMs == null ? null : round(torchMs, 1),
    ratio: torchMs == null ? null : round(retexN / torchMs, 2),
    ratio_1thread: torchMs1 == null ? null : round(retex1 / torchMs1, 2),
    retex_ms_per_step_1thread: round(retex1, 1),
    torch_ms_per_step_1thread: torchMs1 == null ? null : round(torchMs1, 1),
    width,
    batch,
    threads,
    steps,
    warmup,
    warmup_seconds: warmupSeconds,
    conv_gflops_per_step: round(convGflops, 3),
    retex_gflops_per_s: round(convGflops / (retexN / 1000), 2),
    retex_gflops_per_s_1thread: round(convGflops / (retex1 / 1000), 2),
    torch_gflops_per_s: torchMs == null ? null : round(convGflops / (torchMs / 1000), 2),
    wasm_matmul_peak_gflops: round(matmulPeak, 2),
    torch_version: torch1?.torch_version ?? null,
    torch_omp_wait_policy: threads > 1 ? (torchN?.omp_wait_policy ?? null) : null,
    torch_note: torchReason,
    params,
    ...(kernels ? { top_kernels: kernels } : {}),
  };
}
