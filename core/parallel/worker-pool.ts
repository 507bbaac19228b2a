import * as fs from 'fs';
import * as path from 'path';
import { Worker } from 'worker_threads';
import type { BackendRequest } from '../backend/backend';

/**
 * How a pool worker builds its processor: `await require(module)[exportName](options)` must return a
 * {@link PoolProcessor}. `module` is an absolute path to compiled JavaScript; `options` plain data.
 */
export interface PoolProcessorSpec {
  readonly module: string;
  readonly exportName: string;
  readonly options: unknown;
}

/** What a pool worker's factory returns: processes one item at a time. */
export interface PoolProcessor<I, O> {
  process(item: I): Promise<O>;
  dispose(): void | Promise<void>;
}

/** Settings of {@link runWorkerPool}. */
export interface WorkerPoolOptions<I, O> {
  readonly spec: PoolProcessorSpec;
  readonly items: readonly I[];
  /** Worker threads (default 2, never more than the items). */
  readonly workers?: number;
  /** Backend each worker initialises (default `auto`). */
  readonly backend?: BackendRequest;
  /** Called in the main thread for each item, in completion order: a result, or the error message. */
  readonly onResult: (item: I, outcome: { ok: true; value: O } | { ok: false; error: string }) => void | Promise<void>;
  /** Checked before each item is handed out: true stops handing out more (running items finish). */
  readonly shouldStop?: () => boolean;
}

/** Init data of a pool worker thread. */
export interface PoolWorkerInit {
  readonly spec: PoolProcessorSpec;
  readonly backend: BackendRequest;
}

type FromWorker = { type: 'ready' } | { type: 'fatal'; error: string } | { type: 'done'; ok: true; value: unknown } | { type: 'done'; ok: false; error: string };

/**
 * Processes items on worker threads (the wasm backend is single-threaded, so this is how per-item work
 * such as mesh fitting uses every core). Each worker builds its own processor once; items go to
 * whichever worker is free. A processor that fails to start stops the pool with its error; an item
 * that fails is reported through `onResult` and the pool goes on.
 */
export async function runWorkerPool<I, O>(options: WorkerPoolOptions<I, O>): Promise<void> {
  const script = path.join(__dirname, 'pool-worker.js');
  if (!fs.existsSync(script)) throw new Error(`worker script ${script} not found: build first (npm run build), and run from dist/`);
  const count = Math.max(1, Math.min(options.workers ?? 2, options.items.length));
  if (options.items.length === 0) return;
  let next = 0;
  const init: PoolWorkerInit = { spec: options.spec, backend: options.backend ?? 'auto' };
  const runOne = (worker: Worker): Promise<void> =>
    new Promise((resolve, reject) => {
      let current: I | null = null;
      const handOut = (): void => {
        if (next >= options.items.length || (options.shouldStop?.() ?? false)) {
          current = null;
          resolve();
          return;
        }
        current = options.items[next++];
        worker.postMessage(current);
      };
      worker.on('message', (msg: FromWorker) => {
        if (msg.type === 'ready') return handOut();
        if (msg.type === 'fatal') return reject(new Error(msg.error));
        const item = current as I;
        Promise.resolve(options.onResult(item, msg.ok ? { ok: true, value: msg.value as O } : { ok: false, error: msg.error }))
          .then(handOut)
          .catch(reject);
      });
      worker.on('error', reject);
      worker.on('exit', (code) => {
        if (current != null) reject(new Error(`a worker exited (code ${code}) while processing an item`));
      });
    });
  const workers = Array.from({ length: count }, () => new Worker(script, { workerData: init }));
  try {
    await Promise.all(workers.map(runOne));
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
