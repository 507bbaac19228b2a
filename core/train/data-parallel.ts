import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { Worker } from 'worker_threads';
import type { BackendRequest } from '../backend/backend';
import type { HostAdam } from './host-adam';
import { DEFAULT_LEARNING_RATE } from './train-step';
import { hostBatchSize, splitHostBatch, type HostBatch, type TaskSpec } from './train-task';
import {
  layoutOffsets,
  type LayoutEntry,
  type WorkerHello,
  type WorkerInit,
  type WorkerReply,
  type WorkerRequest,
} from './worker-protocol';

/** Settings of a data-parallel trainer. */
export interface DataParallelOptions {
  /** How each worker builds its replica. */
  readonly task: TaskSpec;
  /** Number of worker threads; default: one per core (`os.availableParallelism()`). */
  readonly workers?: number;
  /** Backend each worker initialises; default `auto`. */
  readonly backend?: BackendRequest;
  /** Adam learning rate; default 1e-4. */
  readonly learningRate?: number;
}

/** Where the last step's time went, in milliseconds (for benchmarks). */
export interface StepTimings {
  /** Wall time of the whole step as seen by the main thread. */
  readonly totalMs: number;
  /** Per worker: time spent computing its shard's gradients (inside the worker). */
  readonly gradientMs: readonly number[];
  /** Per worker: time spent averaging all workers' gradients and applying Adam. */
  readonly applyMs: readonly number[];
  /** Per worker: live tensors after the step (constant from the second step on when nothing leaks). */
  readonly numTensors: readonly number[];
}

/** Averaged loss and gradients of one batch, as host memory keyed by logical variable path. */
export interface HostGradients {
  readonly loss: number;
  /** The task's loss terms averaged over the shards (empty when the task does not report them). */
  readonly terms: Readonly<Record<string, number>>;
  readonly grads: Map<string, Float32Array>;
}

interface Pending {
  resolve: (reply: WorkerReply & { ok: true }) => void;
  reject: (err: Error) => void;
}

class WorkerHandle {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private failure: Error | null = null;

  constructor(readonly worker: Worker, readonly index: number) {
    worker.on('message', (msg: WorkerReply) => {
      const p = this.pending.get(msg.id);
      if (p == null) return;
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg);
      else p.reject(new Error(`data-parallel worker ${index} failed: ${msg.error}`));
    });
    const fail = (err: Error): void => {
      this.failure = err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    worker.on('error', (err) => fail(new Error(`data-parallel worker ${index} crashed: ${err.stack ?? err}`)));
    worker.on('exit', (code) => fail(new Error(`data-parallel worker ${index} exited (code ${code})`)));
  }

  request(req: DistributiveOmit<WorkerRequest, 'id'>, transfer: ArrayBuffer[] = []): Promise<WorkerReply & { ok: true }> {
    if (this.failure != null) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...req, id }, transfer);
    });
  }
}

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

/**
 * Data-parallel training over worker threads (the wasm backend runs one thread per process, so this
 * is how a step uses several cores). Each worker holds a full replica of the task, computes the loss
 * gradients of its share of the batch and writes them into shared memory; then every worker averages
 * all workers' gradients (weighted by shard size, so the result is the gradient of the whole batch's
 * mean loss) and applies them with its own Adam. The replicas compute the same average in the same
 * order, so they stay identical without sending weights around. Replicas start from worker 0's weights.
 *
 * Batch norm is per worker ("ghost batch norm"): in training mode each replica normalises with its
 * own shard's statistics and keeps its own moving mean/variance, so results differ from one process
 * on the whole batch exactly as ghost batch norm differs from batch norm. Weights read back with
 * `readWeights()` come from worker 0, including its moving statistics. With batch norm in inference
 * mode (or a network without it) the gradients equal the single-process ones up to float rounding.
 *
 * Workers run compiled JavaScript (`worker.js` beside this file), so build with `npm run build` first.
 */
export class DataParallelTrainer {
  private timings: StepTimings | null = null;
  private gradientMs: number[] = [];
  private lastShardWeights: number[] = [];
  private lastTerms: Record<string, number> = {};
  private momentViews: { m: Map<string, Float32Array>; v: Map<string, Float32Array> } | null = null;
  /**
   * Where the last `optimizerStep` went, ms: the workers' gradients (with sending the shards), Adam in the
   * workers (with batch-norm statistics from worker 0), every replica loading the new weights.
   */
  optimizerTimings: { readonly gradients: number; readonly adam: number; readonly load: number } | null = null;

  private constructor(
    private readonly handles: WorkerHandle[],
    /** The variable layout shared by all replicas. */
    readonly layout: readonly LayoutEntry[],
    private readonly offsets: number[],
    private readonly weights: Float32Array,
    private readonly grads: Float32Array[],
    /** Adam's moments, laid out as `weights`: the workers update them in place. */
    private readonly moments: { readonly m: Float32Array; readonly v: Float32Array },
    /** Backend the workers run on. */
    readonly backend: string,
  ) {}

  /** Number of worker threads. */
  get workerCount(): number {
    return this.handles.length;
  }

  /** Starts the workers, waits until each has built its replica, and makes the replicas identical. */
  static async start(options: DataParallelOptions): Promise<DataParallelTrainer> {
    const count = options.workers ?? os.availableParallelism();
    if (!Number.isInteger(count) || count < 1) {
      throw new Error(`data-parallel workers must be a positive integer, got ${count}`);
    }
    const script = path.join(__dirname, 'worker.js');
    if (!fs.existsSync(script)) {
      throw new Error(`data-parallel worker script ${script} not found: build first (npm run build), and run from dist/`);
    }
    const init: WorkerInit = {
      backend: options.backend ?? 'auto',
      task: options.task,
      learningRate: options.learningRate ?? DEFAULT_LEARNING_RATE,
    };
    const workers: Worker[] = [];
    const handles: WorkerHandle[] = [];
    try {
      const hellos = await Promise.all(
        Array.from({ length: count }, (_, i) => {
          const worker = new Worker(script, { workerData: init });
          workers.push(worker);
          return new Promise<WorkerHello>((resolve, reject) => {
            const onExit = (code: number): void =>
              reject(new Error(`data-parallel worker ${i} exited during start (code ${code})`));
            worker.once('message', (hello: WorkerHello) => {
              // Only our listeners: Node's Worker keeps internal ones that removeAllListeners would break.
              worker.off('error', reject);
              worker.off('exit', onExit);
              resolve(hello);
            });
            worker.once('error', reject);
            worker.once('exit', onExit);
          }).then((hello) => {
            if (hello.type === 'fatal') throw new Error(`data-parallel worker ${i} could not start: ${hello.error}`);
            handles.push(new WorkerHandle(worker, i));
            return hello;
          });
        }),
      );
      handles.sort((a, b) => a.index - b.index);
      const layout = hellos[0].layout;
      for (const h of hellos) {
        if (JSON.stringify(h.layout) !== JSON.stringify(layout)) {
          throw new Error('data-parallel replicas disagree on their variables: the task factory must be deterministic');
        }
      }
      const { offsets, total } = layoutOffsets(layout);
      const shared = (): SharedArrayBuffer => new SharedArrayBuffer(Math.max(1, total) * 4);
      const weightsBuf = shared();
      const gradBufs = handles.map(() => shared());
      const moments: [SharedArrayBuffer, SharedArrayBuffer] = [shared(), shared()];
      await Promise.all(handles.map((h, index) => h.request({ op: 'attach', weights: weightsBuf, grads: gradBufs, index, moments })));
      await handles[0].request({ op: 'write-weights' });
      await Promise.all(handles.slice(1).map((h) => h.request({ op: 'read-weights' })));
      return new DataParallelTrainer(
        handles,
        layout,
        offsets,
        new Float32Array(weightsBuf),
        gradBufs.map((b) => new Float32Array(b)),
        { m: new Float32Array(moments[0]), v: new Float32Array(moments[1]) },
        hellos[0].type === 'ready' ? hellos[0].backend : 'unknown',
      );
    } catch (err) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw err;
    }
  }

  /**
   * Loss and gradients of the whole batch's mean loss, computed shard-wise by the workers and averaged
   * here (weighted by shard size). Changes nothing but (in training mode) the workers' batch-norm
   * statistics.
   */
  async computeGradients(batch: HostBatch, training = true): Promise<HostGradients> {
    const loss = await this.shardGradients(batch, training);
    const terms = this.lastTerms;
    const grads = new Map<string, Float32Array>();
    this.layout.forEach((e, i) => {
      if (!e.trainable) return;
      const avg = new Float32Array(e.size);
      this.grads.forEach((g, w) => {
        const k = this.lastShardWeights[w];
        for (let j = 0; j < avg.length; j++) avg[j] += k * g[this.offsets[i] + j];
      });
      grads.set(e.path, avg);
    });
    return { loss, terms, grads };
  }

  /**
   * One data-parallel training step: shard gradients, average, the same Adam update in every replica.
   * @param training batch-norm mode for the forward pass (default true: per-worker batch statistics).
   * @returns the batch's mean loss before the update.
   */
  async step(batch: HostBatch, training = true): Promise<number> {
    const t0 = performance.now();
    const loss = await this.shardGradients(batch, training);
    const shardWeights = this.lastShardWeights;
    const applied = await Promise.all(this.handles.map((h) => h.request({ op: 'apply', shardWeights })));
    this.timings = {
      totalMs: performance.now() - t0,
      gradientMs: this.gradientMs,
      applyMs: applied.map((r) => r.ms),
      numTensors: applied.map((r) => r.numTensors),
    };
    return loss;
  }

  /**
   * One training step with `adam` (its state then lives in memory shared with the workers): the workers'
   * gradients of `batch` (batch-norm statistics in training mode), then each worker applies Adam to its share
   * of the weights with the averaged gradients, worker 0's batch-norm statistics become every replica's, and
   * every replica loads the result; `weights` (by path) is set to it.
   * @throws when the loss is not finite, before any weight changes
   */
  async optimizerStep(
    batch: HostBatch,
    adam: HostAdam,
    weights: Map<string, Float32Array>,
    lr: number,
  ): Promise<{ loss: number; terms: Readonly<Record<string, number>> }> {
    const t0 = performance.now();
    const loss = await this.shardGradients(batch, true);
    if (!Number.isFinite(loss)) throw new NonFiniteLossError(loss);
    const t1 = performance.now();
    const views = (a: Float32Array): Map<string, Float32Array> =>
      new Map(this.layout.flatMap((e, i) => (e.trainable ? [[e.path, a.subarray(this.offsets[i], this.offsets[i] + e.size)]] : [])));
    this.momentViews ??= { m: views(this.moments.m), v: views(this.moments.v) };
    adam.adopt(this.momentViews.m, this.momentViews.v);
    const coefficients = adam.begin(lr);
    const shardWeights = this.lastShardWeights;
    const total = this.weights.length;
    const parts = this.handles.length;
    await Promise.all(
      this.handles.map((h, i) =>
        h.request({
          op: 'adam',
          shardWeights,
          coefficients,
          start: Math.floor((total * i) / parts),
          end: Math.floor((total * (i + 1)) / parts),
          writeStatistics: i === 0,
        }),
      ),
    );
    const t2 = performance.now();
    await Promise.all(this.handles.map((h) => h.request({ op: 'read-weights' })));
    this.optimizerTimings = { gradients: t1 - t0, adam: t2 - t1, load: performance.now() - t2 };
    this.layout.forEach((e, i) => {
      const w = weights.get(e.path);
      if (w == null || w.length !== e.size) throw new Error(`optimizerStep: '${e.path}' needs ${e.size} values in the weights given`);
      w.set(this.weights.subarray(this.offsets[i], this.offsets[i] + e.size));
    });
    return { loss, terms: this.lastTerms };
  }

  /** Timings of the last `step()`, or null before the first. */
  get lastStepTimings(): StepTimings | null {
    return this.timings;
  }

  /** Every variable of replica 0 by logical path (copies). */
  async readWeights(): Promise<Map<string, Float32Array>> {
    await this.handles[0].request({ op: 'write-weights' });
    const out = new Map<string, Float32Array>();
    this.layout.forEach((e, i) => out.set(e.path, this.weights.slice(this.offsets[i], this.offsets[i] + e.size)));
    return out;
  }

  /**
   * Makes every replica hold exactly these weights (by logical path; every variable of the layout must be
   * given). With this, an optimiser outside the workers (e.g. `HostAdam`) drives the replicas.
   */
  async writeWeights(weights: ReadonlyMap<string, Float32Array>): Promise<void> {
    this.layout.forEach((e, i) => {
      const w = weights.get(e.path);
      if (w == null || w.length !== e.size) {
        throw new Error(`writeWeights: '${e.path}' needs ${e.size} values, got ${w == null ? 'none' : w.length}`);
      }
      this.weights.set(w, this.offsets[i]);
    });
    await Promise.all(this.handles.map((h) => h.request({ op: 'read-weights' })));
  }

  /** Stops the workers. */
  async dispose(): Promise<void> {
    await Promise.all(this.handles.map((h) => h.worker.terminate()));
  }

  /** Each worker computes its shard's gradients into its shared buffer; returns the batch's mean loss. */
  private async shardGradients(batch: HostBatch, training: boolean): Promise<number> {
    const n = hostBatchSize(batch);
    const shards = splitHostBatch(batch, this.handles.length);
    const replies = await Promise.all(
      this.handles.map((h, i) => {
        const shard = shards[i];
        const transfer = Object.values(shard).map((t) => t.values.buffer as ArrayBuffer);
        return h.request({ op: 'gradients', shard, training }, transfer);
      }),
    );
    this.gradientMs = replies.map((r) => r.ms);
    this.lastShardWeights = shards.map((s) => hostBatchSize(s) / n);
    const terms: Record<string, number> = {};
    replies.forEach((r, i) => {
      for (const [k, v] of Object.entries(r.terms ?? {})) terms[k] = (terms[k] ?? 0) + this.lastShardWeights[i] * v;
    });
    this.lastTerms = terms;
    return replies.reduce((s, r, i) => s + this.lastShardWeights[i] * (r.loss ?? NaN), 0);
  }
}

/** A step whose loss is not finite (the weights are left as they were). */
export class NonFiniteLossError extends Error {
  constructor(readonly loss: number) {
    super(`the loss became ${loss}`);
  }
}
