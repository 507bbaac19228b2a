/**
 * Entry point of a data-parallel training worker (run by `DataParallelTrainer` from dist/). It builds
 * its own replica of the task, computes gradients on the shards it is sent, then averages every
 * worker's gradients from shared memory and applies them with its own Adam. All replicas compute the
 * same average in the same order, so they take the same update and stay identical.
 */
import { performance } from 'perf_hooks';
import { parentPort, workerData } from 'worker_threads';
import { tf } from '../backend/tf';
import { initBackend } from '../backend/backend';
import { applyAdam } from './host-adam';
import { disposeBatch, hostBatchToTensors } from './host-tensors';
import { TrainStep } from './train-step';
import type { TrainTask } from './train-task';
import { layoutOffsets, type LayoutEntry, type WorkerInit, type WorkerReply, type WorkerRequest } from './worker-protocol';

interface Buffers {
  weights: Float32Array;
  /** Every worker's gradients; `own` is this worker's. */
  all: Float32Array[];
  own: Float32Array;
  /** Adam's moments of the shared weights. */
  m: Float32Array;
  v: Float32Array;
}

async function main(): Promise<void> {
  const port = parentPort;
  if (port == null) throw new Error('core/train/worker.js must run as a worker thread');
  const init = workerData as WorkerInit;
  let task: TrainTask;
  let trainer: TrainStep;
  let backendName: string;
  try {
    backendName = (await initBackend(init.backend)).name;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(init.task.module) as Record<string, unknown>;
    const factory = mod[init.task.exportName];
    if (typeof factory !== 'function') {
      throw new Error(`${init.task.module} exports no function '${init.task.exportName}'`);
    }
    // A factory may be async (a task that loads weights or builds a plugin's roles).
    task = (await factory(init.task.options)) as TrainTask;
    trainer = new TrainStep(task, { learningRate: init.learningRate });
  } catch (err) {
    port.postMessage({ type: 'fatal', error: (err as Error).stack ?? String(err) });
    return;
  }
  const named = task.namedVariables();
  const layout: LayoutEntry[] = named.map((v) => ({
    path: v.path,
    shape: v.variable.shape,
    size: v.variable.size,
    trainable: v.trainable,
  }));
  const { offsets } = layoutOffsets(layout);
  let buffers: Buffers | null = null;
  const need = (): Buffers => {
    if (buffers == null) throw new Error('worker used before its shared buffers were attached');
    return buffers;
  };

  const handlers: Record<WorkerRequest['op'], (req: WorkerRequest) => number | void> = {
    attach: (req) => {
      const r = req as Extract<WorkerRequest, { op: 'attach' }>;
      const all = r.grads.map((b) => new Float32Array(b));
      buffers = { weights: new Float32Array(r.weights), all, own: all[r.index], m: new Float32Array(r.moments[0]), v: new Float32Array(r.moments[1]) };
    },
    'write-weights': () => {
      const { weights } = need();
      named.forEach((v, i) => weights.set(v.variable.dataSync() as Float32Array, offsets[i]));
    },
    adam: (req) => {
      const r = req as Extract<WorkerRequest, { op: 'adam' }>;
      const { weights, all, m, v } = need();
      if (r.shardWeights.length !== all.length) throw new Error(`adam: ${r.shardWeights.length} shard weights for ${all.length} workers`);
      named.forEach((nv, i) => {
        if (!nv.trainable) {
          if (r.writeStatistics) weights.set(nv.variable.dataSync() as Float32Array, offsets[i]);
          return;
        }
        const start = Math.max(r.start, offsets[i]);
        const end = Math.min(r.end, offsets[i] + layout[i].size);
        if (start < end) applyAdam(weights, m, v, all, r.shardWeights, start, end, r.coefficients);
      });
    },
    'read-weights': () => {
      const { weights } = need();
      named.forEach((v, i) => {
        const t = tf.tensor(weights.subarray(offsets[i], offsets[i] + layout[i].size), v.variable.shape);
        v.variable.assign(t);
        t.dispose();
      });
    },
    gradients: (req) => {
      const r = req as Extract<WorkerRequest, { op: 'gradients' }>;
      const grads = need().own;
      const batch = hostBatchToTensors(r.shard);
      const g = trainer.computeGradients(batch, r.training);
      try {
        named.forEach((v, i) => {
          if (!v.trainable) return;
          const t = g.grads[v.variable.name];
          if (t == null) grads.fill(0, offsets[i], offsets[i] + layout[i].size);
          else grads.set(t.dataSync() as Float32Array, offsets[i]);
        });
        return g.loss.dataSync()[0];
      } finally {
        g.dispose();
        disposeBatch(batch);
      }
    },
    apply: (req) => {
      const { shardWeights } = req as Extract<WorkerRequest, { op: 'apply' }>;
      const { all } = need();
      if (shardWeights.length !== all.length) {
        throw new Error(`apply: ${shardWeights.length} shard weights for ${all.length} workers`);
      }
      const map: tf.NamedTensorMap = {};
      named.forEach((v, i) => {
        if (!v.trainable) return;
        const start = offsets[i];
        const end = start + layout[i].size;
        // Same ops in the same worker order in every replica, so every replica gets identical values.
        map[v.variable.name] = tf.tidy(() =>
          all
            .map((g, w) => tf.mul(tf.tensor(g.subarray(start, end), v.variable.shape), shardWeights[w]))
            .reduce((acc, t) => tf.add(acc, t)),
        );
      });
      try {
        trainer.applyGradients(map);
      } finally {
        tf.dispose(Object.values(map));
      }
    },
  };

  port.on('message', (req: WorkerRequest) => {
    let reply: WorkerReply;
    try {
      const t0 = performance.now();
      const loss = handlers[req.op](req);
      const ms = performance.now() - t0;
      const numTensors = tf.memory().numTensors;
      const terms = req.op === 'gradients' ? task.lossTerms?.() : undefined;
      reply = typeof loss === 'number' ? { id: req.id, ok: true, loss, terms, ms, numTensors } : { id: req.id, ok: true, ms, numTensors };
    } catch (err) {
      reply = { id: req.id, ok: false, error: (err as Error).stack ?? String(err) };
    }
    port.postMessage(reply);
  });
  port.postMessage({ type: 'ready', layout, backend: backendName });
}

void main();
