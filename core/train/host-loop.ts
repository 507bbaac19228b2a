import * as fs from 'fs';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { tf } from '../backend/tf';
import { writeFileAtomicSync } from '../io/atomic-write';
import type { NamedVariable } from '../nn/variable-scope';
import { hasCheckpoint, loadCheckpoint, saveCheckpoint } from './checkpoint';
import { HostAdam } from './host-adam';
import { cosineLearningRate } from './lr-schedule';
import { checkRunPlan, LOG_FILE, PLAN_FILE, trimRunLog } from './run-folder';

/** What every small single-process run's plan holds (the rest of the plan is the caller's). */
export interface HostLoopPlan {
  readonly steps: number;
  /** Peak of the cosine schedule. */
  readonly learningRate: number;
  readonly weightDecay: number;
}

/** One log line of a {@link runHostLoop} run. */
export interface HostLoopStepReport<E> {
  readonly step: number;
  readonly steps: number;
  readonly loss: number;
  readonly lr: number;
  readonly ms: number;
  readonly eval?: E;
}

/** The settings of a run that its callers pass through (they do not change the result). */
export interface HostLoopSettings<E> {
  /** Run folder: train-plan.json, train-log.jsonl, checkpoint/ (and the caller's model/, eval.json). */
  readonly out: string;
  /** Continue the run in `out` from its last checkpoint. */
  readonly resume?: boolean;
  readonly checkpointEvery?: number;
  readonly evalEvery?: number;
  readonly onNote?: (message: string) => void;
  readonly onStep?: (report: HostLoopStepReport<E>) => void;
}

/** A small network's training run in one process. */
export interface HostLoopRun<E> extends HostLoopSettings<E> {
  readonly plan: HostLoopPlan;
  /** Every variable of the network (weights and batch-norm statistics). */
  readonly variables: readonly NamedVariable[];
  /**
   * The training loss of step `step` (0-based), built under a gradient tape. The batch must be a function
   * of the step alone, so that a resumed run sees the batches it would have seen.
   */
  readonly loss: (step: number) => tf.Scalar;
  /** Figures on held-out data (inference mode). */
  readonly evaluate: () => Promise<E>;
}

/**
 * Trains a small network in one process (wasm or cpu backend, whichever is active): Adam with weight decay
 * on host memory and a cosine schedule, a checkpoint every `checkpointEvery` steps (`resume` continues
 * from it), figures every `evalEvery` steps and at the end, a JSONL log. The network's variables hold the
 * trained weights when it returns.
 * @returns the last figures
 */
export async function runHostLoop<E>(run: HostLoopRun<E>): Promise<E> {
  const { out, plan, variables: vars } = run;
  const resume = run.resume ?? false;
  const note = run.onNote ?? (() => {});
  checkRunPlan(out, plan, resume);
  fs.mkdirSync(out, { recursive: true });
  writeFileAtomicSync(path.join(out, PLAN_FILE), `${JSON.stringify(plan, null, 2)}\n`);
  const checkpointDir = path.join(out, 'checkpoint');
  const adam = new HostAdam({ weightDecay: plan.weightDecay });
  const weights = new Map(vars.map((v) => [v.path, Float32Array.from(v.variable.dataSync() as Float32Array)]));
  let step = 0;
  if (resume && hasCheckpoint(checkpointDir)) {
    const c = await loadCheckpoint(checkpointDir);
    for (const [k, w] of c.weights) weights.set(k, Float32Array.from(w));
    adam.restore(c.adam);
    step = c.step;
    note(`resuming from the checkpoint at step ${step} of ${plan.steps}`);
  }
  // Batch-norm statistics live in the variables (the forward pass updates them); only the trainable
  // weights go from host to variables after each step.
  const writeWeights = (all = false) => {
    for (const v of vars) {
      if (!all && !v.trainable) continue;
      const t = tf.tensor(weights.get(v.path)!, v.variable.shape);
      v.variable.assign(t);
      t.dispose();
    }
  };
  const readStatistics = () => {
    for (const v of vars) if (!v.trainable) weights.set(v.path, Float32Array.from(v.variable.dataSync() as Float32Array));
  };
  writeWeights(true);
  const logFile = path.join(out, LOG_FILE);
  trimRunLog(logFile, step);
  const trainable = vars.filter((v) => v.trainable);
  const checkpointEvery = run.checkpointEvery ?? 250;
  const evalEvery = run.evalEvery ?? 1000;
  let lastEval: E | undefined;
  const checkpoint = async () => {
    readStatistics();
    await saveCheckpoint(checkpointDir, { step, weights, adam: adam.state(), metadata: { plan } });
  };
  while (step < plan.steps) {
    const started = performance.now();
    const lr = cosineLearningRate(plan.learningRate, step, plan.steps);
    const { value, grads } = tf.variableGrads(() => run.loss(step), trainable.map((v) => v.variable));
    const loss = (await value.data())[0];
    const host = new Map<string, Float32Array>();
    for (const v of trainable) host.set(v.path, Float32Array.from(grads[v.variable.name].dataSync() as Float32Array));
    tf.dispose([value, ...Object.values(grads)]);
    if (!Number.isFinite(loss)) throw new Error(`the loss became ${loss} at step ${step + 1}: lower the learning rate (the last checkpoint is kept)`);
    adam.update(weights, host, lr);
    writeWeights();
    step++;
    let evalReport: E | undefined;
    if (step % evalEvery === 0 || step === plan.steps) {
      evalReport = await run.evaluate();
      lastEval = evalReport;
    }
    const report: HostLoopStepReport<E> = { step, steps: plan.steps, loss, lr, ms: performance.now() - started, eval: evalReport };
    fs.appendFileSync(logFile, `${JSON.stringify(report)}\n`);
    run.onStep?.(report);
    if (step % checkpointEvery === 0) await checkpoint();
  }
  if (step % checkpointEvery !== 0) await checkpoint();
  return lastEval ?? (await run.evaluate());
}

/** Writes a trained network to `<out>/model` and its figures with `record` to `<out>/eval.json`; returns the model folder. */
export async function saveRunModel(out: string, save: (dir: string) => Promise<void>, record: object): Promise<string> {
  const modelDir = path.join(out, 'model');
  await save(modelDir);
  writeFileAtomicSync(path.join(out, 'eval.json'), `${JSON.stringify(record, null, 2)}\n`);
  return modelDir;
}
