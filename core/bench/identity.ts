/**
 * `retex bench identity`: the re-ID loss's work on a frozen identity network, in retex and in PyTorch.
 *
 * One step = forward pass + gradient with respect to the input images, for a batch of images
 * [B,128,64,3] in [-1,1] (resized inside `ReidNetwork.features` to the network input). The network is
 * frozen: batch norm runs in inference mode and no weight gradient is taken. The loss is the method's
 * re-ID loss: each of the 4 stage outputs flattened per sample, L2-normalised, mean squared error (mean
 * over batch x D) against fixed target features (the normalised features of a second random batch,
 * computed once and not timed), summed over the stages. bench/torch/identity_forward.py computes the
 * same loss on the same torchvision-shaped network.
 *
 * Weights are random (seeded) in both frameworks: the time of a dense forward/backward pass does not
 * depend on the weights' values.
 *
 * Micro-batches: a ResNet-50 PCB gradient at 16 x 384x128 does not fit the wasm backend's 4 GB heap in
 * one `tf.valueAndGrad` call, so each process computes its images in micro-batches. That is exact: the
 * network is frozen (inference-mode batch norm: no statistic couples the samples) and the loss is a sum
 * over samples, so each sample's input gradient depends only on that sample; each micro-batch's loss is
 * its samples' share of the whole batch's loss (divided by the whole batch size), so the micro-batch
 * gradients are exactly the rows of the whole batch's gradient. The whole batch is timed.
 *
 * Cores: the wasm backend runs one thread per process, so the all-cores figure uses worker threads
 * (like `DataParallelTrainer` in `retex bench train-step`), each with its own replica of the network
 * (the same seeded weights) and a consecutive share of the batch; the step time is the wall time until
 * every worker has its share's gradient. The 1-thread figure is one process doing the whole batch.
 */
import * as os from 'os';
import { performance } from 'perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'worker_threads';
import { describeBackend, initBackend, type BackendRequest } from '../backend/backend';
import { tf } from '../backend/tf';
import { RESNET_DEPTHS } from '../nn/resnet-backbone';
import type { ConvLayerShape } from './train-step-flops';
import { ReidNetwork, validateReidConfig, type ReidNetworkConfig } from '../nn/reid-network';
import { scaledChannels } from '../nn/width';
import { runTorchIdentityBest, torchIdentityUnavailableReason, type TorchIdentityResult } from './identity-torch';
import type { OmpWaitPolicy } from './train-step-torch';
import { convolutionLabel, kernelShares, round, type KernelShare } from './kernel-profile';
import { timeSteps, warmupOption, warmupSecondsOption } from './step-timing';
import { positiveInt } from './train-step';

/** A network to measure: a name for the row and a `ReidNetwork` config. */
export interface IdentityBenchNetwork {
  readonly name: string;
  readonly description?: string;
  readonly config: Partial<ReidNetworkConfig>;
}

/** The method's full-size PCB: ResNet-50, last stride 1, input 384x128 (`new ReidNetwork({})`). */
export const FULL_PCB_NETWORK: IdentityBenchNetwork = {
  name: 'full',
  description: "the method's PCB: ResNet-50 trunk, width 1, last stride 1, input 384x128",
  config: {},
};

/** Options of {@link runBenchIdentity}. */
export interface BenchIdentityOptions {
  /** The networks, one row each (the CLI passes the shipped people PCB and {@link FULL_PCB_NETWORK}). */
  readonly networks: readonly IdentityBenchNetwork[];
  /** Default `auto`. */
  readonly backend?: BackendRequest;
  /** Default 16 (the method's). */
  readonly batch?: number;
  /** Images [H, W] given to the loss; default [128, 64] (the method's). */
  readonly imageSize?: readonly [number, number];
  /** Timed steps per configuration (the median is reported); default 5. */
  readonly steps?: number;
  /** Untimed steps before timing; default 2. */
  readonly warmup?: number;
  /** Least warm-up time of retex's runs (with warmup > 0), seconds; default 5 (see `DEFAULT_WARMUP_SECONDS`). */
  readonly warmupSeconds?: number;
  /** Worker threads of the all-cores run; default `os.availableParallelism()`. */
  readonly threads?: number;
  /** Images per gradient call; default: what fits (see {@link defaultMicroBatch}). */
  readonly microBatch?: number;
  /** Also list the kernels of one single-process step by time; default false. */
  readonly profile?: boolean;
  /** Skip the PyTorch peer; default false. */
  readonly skipTorch?: boolean;
  /** Interpreter of the PyTorch peer; default Debian's /usr/bin/python3. */
  readonly torchPython?: string;
  readonly onNote?: (message: string) => void;
}


/** One network's figures (snake_case: this is the --json output). */
export interface BenchIdentityRow {
  readonly network: string;
  readonly description: string;
  /** retex, all cores (worker threads). */
  readonly retex_ms: number;
  readonly torch_ms: number | null;
  /** retex / torch at `threads` threads. */
  readonly ratio: number | null;
  readonly ratio_1thread: number | null;
  readonly retex_ms_1thread: number;
  readonly torch_ms_1thread: number | null;
  readonly batch: number;
  /** Images given to the loss, [H, W]. */
  readonly image_size: readonly [number, number];
  /** Network input, [H, W]. */
  readonly input_size: readonly [number, number];
  readonly depth: number;
  readonly width: number;
  readonly last_stride: number;
  /** Trunk parameters (conv kernels, batch-norm scales and shifts), the same count as torch's. */
  readonly params: number;
  /** Images per retex gradient call (torch takes the whole batch at once). */
  readonly micro_batch: number;
  readonly threads: number;
  readonly steps: number;
  readonly warmup: number;
  /** Least warm-up time of retex's runs, seconds (the peer warms up `warmup` steps: it has no JIT). */
  readonly warmup_seconds: number;
  readonly backend: string;
  readonly weights: string;
  /** Convolution FLOPs of one step (forward + input gradient of every conv), in GFLOP. */
  readonly conv_gflops_per_step: number;
  readonly retex_gflops_per_s: number;
  readonly retex_gflops_per_s_1thread: number;
  readonly torch_gflops_per_s: number | null;
  /** |1 - sum|grad| of the workers / sum|grad| of the single process|: the sharded gradient is the same. */
  readonly retex_workers_grad_rel_diff: number;
  readonly torch_version: string | null;
  /** Memory format of the counted torch runs (the faster of NCHW and channels_last). */
  readonly torch_memory_format: string | null;
  readonly torch_memory_format_1thread: string | null;
  /** OpenMP wait policy of the counted multi-threaded torch run (the faster of ACTIVE and PASSIVE). */
  readonly torch_omp_wait_policy: OmpWaitPolicy | null;
  /** Why the torch figures are null, with the install command. */
  readonly torch_note: string | null;
  /** Present with `profile`: kernels of one single-process step, most expensive first. */
  readonly top_kernels?: readonly KernelShare[];
  /** Present with `profile`: wall time of the profiled step (profiling adds a little). */
  readonly profile_wall_ms?: number;
  /** Present with `profile`: summed kernel time of that step; the rest is JavaScript (tape, dispatch). */
  readonly profile_kernel_ms?: number;
}

/** The benchmark's figures: one row per network. */
export interface BenchIdentityResult {
  readonly backend: string;
  readonly threads: number;
  readonly rows: readonly BenchIdentityRow[];
}

const WEIGHTS_NOTE = 'random (seeded); the timing of a dense forward/backward pass does not depend on the weights';

/** One convolution of the trunk, for FLOP counts (every input of a frozen trunk's conv needs a gradient). */
export type TrunkConvLayer = Omit<ConvLayerShape, 'inputNeedsGradient'>;

/** Every convolution of a `ReidNetwork` trunk with its output size (torchvision's symmetric padding). */
export function trunkConvLayers(partial: Partial<ReidNetworkConfig>): TrunkConvLayer[] {
  const c = validateReidConfig(partial);
  const spec = RESNET_DEPTHS[c.depth];
  const out = (n: number, k: number, s: number): number => Math.floor((n + 2 * Math.floor(k / 2) - k) / s) + 1;
  const layers: TrunkConvLayer[] = [];
  let [h, w] = c.inputSize;
  let ch = scaledChannels(64, c.width);
  const conv = (name: string, k: number, s: number, ci: number, co: number, ih: number, iw: number): [number, number] => {
    const oh = out(ih, k, s);
    const ow = out(iw, k, s);
    layers.push({ name, kernel: k, inChannels: ci, outChannels: co, outHeight: oh, outWidth: ow });
    return [oh, ow];
  };
  [h, w] = conv('conv1', 7, 2, 3, ch, h, w);
  [h, w] = [out(h, 3, 2), out(w, 3, 2)]; // max-pool 3x3/2, pad 1
  for (let s = 0; s < 4; s++) {
    const planes = scaledChannels(64 * 2 ** s, c.width);
    const stageStride = s === 0 ? 1 : s === 3 ? c.lastStride : 2;
    for (let b = 0; b < spec.blocks[s]; b++) {
      const stride = b === 0 ? stageStride : 1;
      const p = `layer${s + 1}/${b}`;
      const expansion = spec.block === 'basic' ? 1 : 4;
      const co = planes * expansion;
      let oh: number;
      let ow: number;
      if (spec.block === 'basic') {
        [oh, ow] = conv(`${p}/conv1`, 3, stride, ch, planes, h, w);
        conv(`${p}/conv2`, 3, 1, planes, planes, oh, ow);
      } else {
        conv(`${p}/conv1`, 1, 1, ch, planes, h, w);
        [oh, ow] = conv(`${p}/conv2`, 3, stride, planes, planes, h, w);
        conv(`${p}/conv3`, 1, 1, planes, co, oh, ow);
      }
      if (stride !== 1 || ch !== co) conv(`${p}/downsample/conv`, 1, stride, ch, co, h, w);
      [h, w, ch] = [oh, ow, co];
    }
  }
  return layers;
}

/** FLOPs of one step: forward + input gradient of every convolution (the first one's too: x needs it). */
export function identityStepConvFlops(layers: readonly TrunkConvLayer[], batch: number): number {
  const forward = layers.reduce((a, l) => a + 2 * l.kernel * l.kernel * l.inChannels * l.outChannels * l.outHeight * l.outWidth, 0);
  return 2 * forward * batch;
}

/** Bytes of live activations a gradient call is allowed per process: far below the 4 GB heap. */
const MICRO_BATCH_BUDGET_BYTES = 1.6e9;
/**
 * Tensors of one conv's output size alive at the peak of a gradient call (the conv output, the batch-norm
 * affine and ReLU outputs the tape keeps, the gradients of the same size, allocator slack): an estimate,
 * checked on the ResNet-50 PCB (4 images at 384x128 fit, 16 do not).
 */
const LIVE_TENSORS_PER_CONV_OUTPUT = 8;

/**
 * Images per gradient call: as many as fit {@link MICRO_BATCH_BUDGET_BYTES} by the activation estimate,
 * at most `batch`. 4 for the ResNet-50 PCB at 384x128; the whole batch of 16 for the shipped people PCB.
 */
export function defaultMicroBatch(partial: Partial<ReidNetworkConfig>, batch: number): number {
  const perImage = trunkConvLayers(partial).reduce((a, l) => a + l.outHeight * l.outWidth * l.outChannels, 0) * 4 * LIVE_TENSORS_PER_CONV_OUTPUT;
  return Math.max(1, Math.min(batch, Math.floor(MICRO_BATCH_BUDGET_BYTES / perImage)));
}

/** Random images [n,h,w,3] uniform in [-1,1) from a seeded LCG (the same in every process). */
export function randomImages(n: number, h: number, w: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n * h * w * 3);
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 4294967296) * 2 - 1;
  }
  return out;
}

/** Each row of [B,D] divided by its L2 norm (at least 1e-12, as torch.nn.functional.normalize). */
function l2Normalize(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.div(x, tf.maximum(tf.sqrt(tf.sum(tf.square(x), 1, true)), 1e-12)));
}

function flatten(t: tf.Tensor): tf.Tensor2D {
  return tf.reshape(t, [t.shape[0], -1]);
}

/** Trunk parameters the way PyTorch counts them (conv kernels, BN weights and biases; not statistics). */
function trunkParams(net: ReidNetwork): number {
  const prefix = `${net.config.name}/`;
  return net
    .namedVariables()
    .filter((v) => v.trainable && /^(conv1|bn1|layer[1-4])\//.test(v.path.slice(prefix.length)))
    .reduce((n, v) => n + v.variable.size, 0);
}

/**
 * The loss's work in one process: the images of its share of the batch, their fixed targets, and one
 * `step()` = every micro-batch's forward + input gradient.
 */
class IdentityGradient {
  private readonly chunks: { x: tf.Tensor4D; targets: tf.Tensor2D[] }[] = [];
  private readonly gradFn: (x: tf.Tensor4D, targets: tf.Tensor2D[]) => { value: tf.Scalar; grad: tf.Tensor };

  /**
   * @param images float32 [n,h,w,3] in [-1,1] (this process's share).
   * @param others images of the same shape whose features are the targets.
   * @param totalBatch size of the whole batch: each sample's loss is divided by it.
   */
  constructor(
    readonly net: ReidNetwork,
    images: Float32Array,
    others: Float32Array,
    shape: readonly [number, number, number, number],
    microBatch: number,
    totalBatch: number,
  ) {
    const [n, h, w] = shape;
    const per = h * w * 3;
    try {
      for (let start = 0; start < n; start += microBatch) {
        const m = Math.min(microBatch, n - start);
        const x = tf.tensor4d(images.subarray(start * per, (start + m) * per), [m, h, w, 3]);
        const targets = tf.tidy(() => {
          const o = tf.tensor4d(others.subarray(start * per, (start + m) * per), [m, h, w, 3]);
          return net.features(o).map((f) => l2Normalize(flatten(f)));
        });
        this.chunks.push({ x, targets });
      }
    } catch (err) {
      this.dispose();
      throw err;
    }
    this.gradFn = (x, targets) =>
      tf.valueAndGrad((input: tf.Tensor) => {
        const feats = net.features(input as tf.Tensor4D);
        const terms = feats.map((f, i) => {
          const d = tf.sub(l2Normalize(flatten(f)), targets[i]);
          return tf.div(tf.sum(tf.square(d)), totalBatch * d.shape[1]!);
        });
        return tf.addN(terms) as tf.Scalar;
      })(x);
  }

  /** One step over every micro-batch. @returns the loss and sum |d loss / d images| of this share. */
  step(): { loss: number; gradAbsSum: number } {
    let loss = 0;
    let gradAbsSum = 0;
    for (const { x, targets } of this.chunks) {
      const { value, grad } = this.gradFn(x, targets);
      try {
        loss += value.dataSync()[0];
        gradAbsSum += tf.tidy(() => tf.sum(tf.abs(grad))).dataSync()[0];
      } finally {
        tf.dispose([value, grad]);
      }
    }
    return { loss, gradAbsSum };
  }

  dispose(): void {
    for (const c of this.chunks) tf.dispose([c.x, ...c.targets]);
    this.chunks.length = 0;
  }
}

// ---------------------------------------------------------------------------------------------------
// Worker threads (this file is also the worker script, so the benchmark stays self-contained).

const WORKER_KIND = 'retex-bench-identity-worker';

interface IdentityWorkerInit {
  readonly kind: typeof WORKER_KIND;
  readonly backend: BackendRequest;
  readonly config: Partial<ReidNetworkConfig>;
  readonly images: Float32Array;
  readonly others: Float32Array;
  readonly shape: readonly [number, number, number, number];
  readonly microBatch: number;
  readonly totalBatch: number;
}

type IdentityWorkerHello = { type: 'ready'; backend: string } | { type: 'fatal'; error: string };
type IdentityWorkerReply =
  | { id: number; ok: true; ms: number; loss: number; gradAbsSum: number }
  | { id: number; ok: false; error: string };

function workerMain(init: IdentityWorkerInit): void {
  const port = parentPort!;
  void (async () => {
    let runner: IdentityGradient;
    let backend: string;
    try {
      backend = (await initBackend(init.backend)).name;
      const net = new ReidNetwork(init.config);
      runner = new IdentityGradient(net, init.images, init.others, init.shape, init.microBatch, init.totalBatch);
    } catch (err) {
      port.postMessage({ type: 'fatal', error: (err as Error).stack ?? String(err) } satisfies IdentityWorkerHello);
      return;
    }
    port.on('message', (req: { id: number; op: 'step' }) => {
      let reply: IdentityWorkerReply;
      try {
        const t0 = performance.now();
        const { loss, gradAbsSum } = runner.step();
        reply = { id: req.id, ok: true, ms: performance.now() - t0, loss, gradAbsSum };
      } catch (err) {
        reply = { id: req.id, ok: false, error: (err as Error).stack ?? String(err) };
      }
      port.postMessage(reply);
    });
    port.postMessage({ type: 'ready', backend } satisfies IdentityWorkerHello);
  })();
}

if (!isMainThread && (workerData as { kind?: string } | null)?.kind === WORKER_KIND) {
  workerMain(workerData as IdentityWorkerInit);
}

/** Worker threads, each holding a replica and a consecutive share of the batch. */
class IdentityWorkers {
  private nextId = 1;

  private constructor(private readonly workers: Worker[]) {}

  static async start(
    count: number,
    backend: BackendRequest,
    config: Partial<ReidNetworkConfig>,
    images: Float32Array,
    others: Float32Array,
    shape: readonly [number, number, number, number],
    microBatch: number,
  ): Promise<IdentityWorkers> {
    if (!__filename.endsWith('.js')) {
      throw new Error(`the identity benchmark's workers run compiled JavaScript: build first and run from dist/ (not ${__filename})`);
    }
    const [n, h, w] = shape;
    if (n < count) throw new Error(`a batch of ${n} images cannot be split over ${count} workers: use fewer --threads`);
    const per = h * w * 3;
    const workers: Worker[] = [];
    try {
      let start = 0;
      await Promise.all(
        Array.from({ length: count }, (_, i) => {
          const size = Math.floor(n / count) + (i < n % count ? 1 : 0);
          const init: IdentityWorkerInit = {
            kind: WORKER_KIND,
            backend,
            config,
            images: images.slice(start * per, (start + size) * per),
            others: others.slice(start * per, (start + size) * per),
            shape: [size, h, w, 3],
            microBatch,
            totalBatch: n,
          };
          start += size;
          const worker = new Worker(__filename, { workerData: init });
          workers.push(worker);
          return new Promise<void>((resolve, reject) => {
            const onExit = (code: number): void => reject(new Error(`identity worker ${i} exited during start (code ${code})`));
            worker.once('message', (hello: IdentityWorkerHello) => {
              worker.off('error', reject);
              worker.off('exit', onExit);
              if (hello.type === 'fatal') reject(new Error(`identity worker ${i} could not start: ${hello.error}`));
              else resolve();
            });
            worker.once('error', reject);
            worker.once('exit', onExit);
          });
        }),
      );
      return new IdentityWorkers(workers);
    } catch (err) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw err;
    }
  }

  /** One step in every worker; resolves when all are done. */
  async step(): Promise<{ loss: number; gradAbsSum: number }> {
    const id = this.nextId++;
    const replies = await Promise.all(
      this.workers.map(
        (w, i) =>
          new Promise<{ loss: number; gradAbsSum: number }>((resolve, reject) => {
            const onMessage = (r: IdentityWorkerReply): void => {
              if (r.id !== id) return;
              cleanup();
              if (r.ok) resolve({ loss: r.loss, gradAbsSum: r.gradAbsSum });
              else reject(new Error(`identity worker ${i} failed: ${r.error}`));
            };
            const onError = (err: Error): void => {
              cleanup();
              reject(new Error(`identity worker ${i} crashed: ${err.stack ?? err}`));
            };
            const onExit = (code: number): void => {
              cleanup();
              reject(new Error(`identity worker ${i} exited (code ${code})`));
            };
            const cleanup = (): void => {
              w.off('message', onMessage);
              w.off('error', onError);
              w.off('exit', onExit);
            };
            w.on('message', onMessage);
            w.once('error', onError);
            w.once('exit', onExit);
            w.postMessage({ id, op: 'step' });
          }),
      ),
    );
    return replies.reduce((a, r) => ({ loss: a.loss + r.loss, gradAbsSum: a.gradAbsSum + r.gradAbsSum }), { loss: 0, gradAbsSum: 0 });
  }

  async dispose(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

// ---------------------------------------------------------------------------------------------------

function topKernels(profile: Awaited<ReturnType<typeof tf.profile>>, limit = 20): { kernels: KernelShare[]; totalMs: number } {
  return kernelShares(profile, limit, (k) => (k.name.endsWith('__op') ? null : convolutionLabel(k)));
}

/** A wasm abort here is almost always the 4 GB heap running out. */
function explainAbort(err: unknown, what: string): Error {
  const msg = (err as Error)?.message ?? String(err);
  if (!/abort|out of memory/i.test(msg)) return err as Error;
  return new Error(
    `the wasm backend aborted during the identity gradient (${what}): most likely its 4 GB heap is too small; ` +
      `use a smaller --micro-batch. (${msg.split('\n')[0]})`,
  );
}

/**
 * Times forward + input gradient of each network on one thread and on all cores (worker threads), and
 * the PyTorch peer (bench/torch/identity_forward.py) with the same thread counts.
 */
export async function runBenchIdentity(options: BenchIdentityOptions): Promise<BenchIdentityResult> {
  const note = options.onNote ?? (() => undefined);
  if (options.networks.length === 0) throw new Error('no network to measure');
  const batch = positiveInt('--batch', options.batch ?? 16);
  const steps = positiveInt('--steps', options.steps ?? 5);
  const warmup = warmupOption(options.warmup);
  const warmupSeconds = warmupSecondsOption(options.warmupSeconds);
  const threads = positiveInt('--threads', options.threads ?? os.availableParallelism());
  if (threads > batch) throw new Error(`--threads ${threads} is more than the batch of ${batch}`);
  if (options.microBatch != null) positiveInt('--micro-batch', options.microBatch);
  const [ih, iw] = options.imageSize ?? [128, 64];
  const backendRequest = options.backend ?? 'auto';

  const info = await initBackend(backendRequest);
  note(describeBackend(info));
  const images = randomImages(batch, ih, iw, 1);
  const others = randomImages(batch, ih, iw, 2);
  const shape = [batch, ih, iw, 3] as const;
  const torchReason = options.skipTorch ? 'skipped (--no-torch)' : await torchIdentityUnavailableReason(options.torchPython);
  if (torchReason != null) note(`PyTorch peer unavailable: ${torchReason}`);

  const rows: BenchIdentityRow[] = [];
  for (const spec of options.networks) {
    const config = validateReidConfig(spec.config);
    const label = `${spec.name} (ResNet-${config.depth}, width ${config.width}, ${config.inputSize.join('x')})`;
    const microBatch = options.microBatch ?? defaultMicroBatch(config, batch);
    const layers = trunkConvLayers(config);
    const gflops = identityStepConvFlops(layers, batch) / 1e9;

    // retex, one thread: the whole batch in this process, in micro-batches.
    note(`${label}, retex 1 thread: ${warmup} warm-up steps (at least ${warmupSeconds} s) + ${steps} timed steps, ${microBatch} images per gradient call`);
    let retex1: number;
    let grad1: number;
    let params: number;
    let kernels: KernelShare[] | undefined;
    let profileTimes: { wall: number; kernels: number } | undefined;
    {
      const net = new ReidNetwork(config);
      let runner: IdentityGradient | null = null;
      try {
        params = trunkParams(net);
        try {
          runner = new IdentityGradient(net, images, others, shape, microBatch, batch);
          const r = await timeSteps(() => runner!.step(), warmup, steps, warmupSeconds);
          retex1 = r.ms;
          grad1 = r.last.gradAbsSum;
        } catch (err) {
          throw explainAbort(err, `${label}, ${microBatch} images per call`);
        }
        if (options.profile) {
          note(`${label}: profiling one single-process step`);
          const t0 = performance.now();
          const p = await tf.profile(() => void runner!.step());
          const wallMs = performance.now() - t0;
          const top = topKernels(p);
          kernels = top.kernels;
          profileTimes = { wall: round(wallMs, 1), kernels: round(top.totalMs, 1) };
        }
      } finally {
        try {
          runner?.dispose();
          net.dispose();
        } catch {
          // After a wasm abort nothing can be freed any more; the step's own error is the one to report.
        }
      }
    }
    note(`${label}, retex 1 thread: ${retex1.toFixed(0)} ms/step`);

    // retex, all cores: one worker per thread.
    let retexN = retex1;
    let gradN = grad1;
    if (threads > 1) {
      note(`${label}, retex ${threads} workers: starting`);
      const workers = await IdentityWorkers.start(threads, backendRequest, spec.config, images, others, shape, microBatch);
      try {
        const r = await timeSteps(() => workers.step(), warmup, steps, warmupSeconds);
        retexN = r.ms;
        gradN = r.last.gradAbsSum;
      } catch (err) {
        throw explainAbort(err, `${label}, ${Math.ceil(batch / threads)} images per worker, ${microBatch} per call`);
      } finally {
        await workers.dispose();
      }
      note(`${label}, retex ${threads} workers: ${retexN.toFixed(0)} ms/step`);
    }

    // torch after both retex runs (as in bench train-step: a large process's freed memory slows the next one's start).
    const peer = async (n: number): Promise<(TorchIdentityResult & { omp_wait_policy: OmpWaitPolicy | null }) | null> => {
      if (torchReason != null) return null;
      note(`${label}, torch ${n} thread(s)${n > 1 ? ' (OpenMP waits ACTIVE, then PASSIVE; the faster counts)' : ''}`);
      const r = await runTorchIdentityBest({
        depth: config.depth,
        width: config.width,
        lastStride: config.lastStride,
        inputSize: config.inputSize,
        imageSize: [ih, iw],
        batch,
        steps,
        warmup,
        threads: n,
        python: options.torchPython,
      });
      if (r.params !== params) {
        throw new Error(`the PyTorch peer built a different network: ${r.params} parameters against retex's ${params}`);
      }
      note(`${label}, torch ${n} thread(s): ${r.ms_median.toFixed(0)} ms/step (${r.memory_format})`);
      return r;
    };
    const torch1 = await peer(1);
    const torchN = threads > 1 ? await peer(threads) : torch1;
    const torchMs = torchN?.ms_median ?? null;
    const torchMs1 = torch1?.ms_median ?? null;
    rows.push({
      network: spec.name,
      description: spec.description ?? label,
      retex_ms: round(retexN, 1),
      torch_ms: torchMs == null ? null : round(torchMs, 1),
      ratio: torchMs == null ? null : round(retexN / torchMs, 2),
      ratio_1thread: torchMs1 == null ? null : round(retex1 / torchMs1, 2),
      retex_ms_1thread: round(retex1, 1),
      torch_ms_1thread: torchMs1 == null ? null : round(torchMs1, 1),
      batch,
      image_size: [ih, iw],
      input_size: config.inputSize,
      depth: config.depth,
      width: config.width,
      last_stride: config.lastStride,
      params,
      micro_batch: microBatch,
      threads,
      steps,
      warmup,
      warmup_seconds: warmupSeconds,
      backend: info.name,
      weights: WEIGHTS_NOTE,
      conv_gflops_per_step: round(gflops, 3),
      retex_gflops_per_s: round(gflops / (retexN / 1000), 2),
      retex_gflops_per_s_1thread: round(gflops / (retex1 / 1000), 2),
      torch_gflops_per_s: torchMs == null ? null : round(gflops / (torchMs / 1000), 2),
      retex_workers_grad_rel_diff: grad1 === 0 ? Math.abs(gradN) : Math.abs(1 - gradN / grad1),
      torch_version: torch1?.torch_version ?? null,
      torch_memory_format: torchN?.memory_format ?? null,
      torch_memory_format_1thread: torch1?.memory_format ?? null,
      torch_omp_wait_policy: threads > 1 ? (torchN?.omp_wait_policy ?? null) : null,
      torch_note: torchReason,
      ...(kernels ? { top_kernels: kernels } : {}),
      ...(profileTimes ? { profile_wall_ms: profileTimes.wall, profile_kernel_ms: profileTimes.kernels } : {}),
    });
  }
  return { backend: info.name, threads, rows };
}
