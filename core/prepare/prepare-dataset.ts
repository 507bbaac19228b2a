import * as fs from 'fs';
import * as path from 'path';
import type { BackendRequest } from '../backend/backend';
import { writeFileAtomic } from '../io/atomic-write';
import { writePng } from '../io/image-io';
import { runWorkerPool, type PoolProcessorSpec } from '../parallel/worker-pool';
import type { PrepareOutcome, PrepareRequest } from './prepare-processor';
import {
  itemKey,
  OPERATORS_FOLDER,
  PREPARE_PLAN_FILE,
  PREPARE_RESULTS_FILE,
  PREPARE_SUMMARY_FILE,
  readPreparedItems,
  UV_CHARTS_FILE,
  type PreparedItem,
  type PreparePlan,
} from './prepared-set';

/** Settings of {@link prepareDataset}. */
export interface PrepareOptions {
  readonly plan: PreparePlan;
  /** The prepared folder. */
  readonly out: string;
  /** The sample ids of each split of `plan.splits`, in the data set's order. */
  readonly sampleIds: Readonly<Record<string, readonly string[]>>;
  /** Builds a `PrepareProcessor` in each worker. */
  readonly spec: PoolProcessorSpec;
  readonly workers: number;
  readonly backend: BackendRequest;
  readonly onProgress?: (done: number, total: number, failed: number) => void;
  readonly onNote?: (message: string) => void;
  readonly shouldStop?: () => boolean;
}

/** What a prepare run ended with (also written as `prepared.json`). */
export interface PrepareSummary {
  readonly out: string;
  readonly total: number;
  readonly prepared: number;
  readonly failed: number;
  /** Images done by this run (the rest were found from an earlier one). */
  readonly processed: number;
  readonly completed: boolean;
  /** Failure messages with how many images each (most frequent first). */
  readonly reasons: ReadonlyArray<{ readonly reason: string; readonly count: number; readonly example: string }>;
  readonly seconds: number;
}

function checkPlan(out: string, plan: PreparePlan): void {
  const file = path.join(out, PREPARE_PLAN_FILE);
  if (fs.existsSync(file)) {
    const old = fs.readFileSync(file, 'utf8');
    if (old !== `${JSON.stringify(plan, null, 1)}\n`) {
      throw new Error(`${out} holds images prepared with other settings (see ${file}): use the same options to complete it, or another --out`);
    }
  } else if (fs.existsSync(out) && fs.readdirSync(out).length > 0) {
    throw new Error(`${out} is not empty and holds no ${PREPARE_PLAN_FILE}: choose an empty or new folder`);
  }
}

/** Failure messages without the per-image parts (numbers, file names), to group them. */
function reasonOf(error: string): string {
  return error.replace(/\S*[\\/]\S*/g, '<file>').replace(/\d+(\.\d+)?/g, 'N');
}

/**
 * Runs the category's mesh predictor on every image of the data set's splits (on worker threads) and
 * stores each image's render operator, camera and ground-truth texture (synthetic sets). Resumable: a
 * rerun with the same plan skips the images already done (failed images included: they are reported, and
 * training skips them).
 */
export async function prepareDataset(options: PrepareOptions): Promise<PrepareSummary> {
  const { plan, out } = options;
  const t0 = Date.now();
  checkPlan(out, plan);
  fs.mkdirSync(path.join(out, OPERATORS_FOLDER), { recursive: true });
  await writeFileAtomic(path.join(out, PREPARE_PLAN_FILE), `${JSON.stringify(plan, null, 1)}\n`);
  // An image whose operator file has gone (deleted, a full disk) is prepared again.
  const finished = readPreparedItems(out).filter((i) => i.operator == null || fs.existsSync(path.join(out, i.operator)));
  const done = new Map(finished.map((i) => [itemKey(i), i]));
  const all: PrepareRequest[] = plan.splits.flatMap((split) =>
    (options.sampleIds[split] ?? []).map((_, index) => ({ split, index })),
  );
  const todo = all.filter((r) => !done.has(itemKey(r)));
  if (done.size > 0) options.onNote?.(`${done.size} of ${all.length} images were prepared by an earlier run; ${todo.length} to go`);
  let chartsWritten = fs.existsSync(path.join(out, UV_CHARTS_FILE));
  if (!chartsWritten && todo.length > 0) todo[0] = { ...todo[0], withCharts: true };
  // A torn last line of a killed run must not glue onto the next record.
  const resultsFile = path.join(out, PREPARE_RESULTS_FILE);
  if (fs.existsSync(resultsFile) && !fs.readFileSync(resultsFile, 'utf8').endsWith('\n') && fs.statSync(resultsFile).size > 0) {
    fs.appendFileSync(resultsFile, '\n');
  }
  const count = (): { ok: number; failed: number } => {
    let ok = 0;
    for (const i of done.values()) if (i.operator != null) ok++;
    return { ok, failed: done.size - ok };
  };
  options.onProgress?.(done.size, all.length, count().failed);
  let processed = 0;
  await runWorkerPool<PrepareRequest, PrepareOutcome>({
    spec: options.spec,
    items: todo,
    workers: options.workers,
    backend: options.backend,
    shouldStop: options.shouldStop,
    onResult: async (request, outcome) => {
      let item: PreparedItem;
      if (outcome.ok) {
        const v = outcome.value;
        const operator = path.join(OPERATORS_FOLDER, `${request.split}-${String(request.index).padStart(6, '0')}.rxop`);
        await writeFileAtomic(path.join(out, operator), v.operator);
        if (v.charts != null && !chartsWritten) {
          const [th, tw] = plan.texture;
          const rgb = new Uint8Array(th * tw * 3);
          v.charts.forEach((m, t) => rgb.fill(m > 0 ? 255 : 0, 3 * t, 3 * t + 3));
          await writePng(path.join(out, UV_CHARTS_FILE), rgb, th, tw, 3);
          chartsWritten = true;
        }
        item = {
          split: request.split,
          index: request.index,
          id: v.id,
          identity: v.identity,
          image: v.image,
          operator,
          camera: v.camera,
          coverage: v.coverage,
          ...(v.groundTruthTexture != null && { groundTruthTexture: v.groundTruthTexture }),
        };
      } else {
        const id = options.sampleIds[request.split][request.index];
        item = { split: request.split, index: request.index, id, identity: -1, image: '', error: outcome.error };
      }
      fs.appendFileSync(resultsFile, `${JSON.stringify(item)}\n`);
      done.set(itemKey(item), item);
      processed++;
      options.onProgress?.(done.size, all.length, count().failed);
    },
  });
  const groups = new Map<string, { count: number; example: string }>();
  for (const i of done.values()) {
    if (i.error == null) continue;
    const key = reasonOf(i.error);
    const g = groups.get(key) ?? { count: 0, example: `${i.id}: ${i.error}` };
    g.count++;
    groups.set(key, g);
  }
  const { ok, failed } = count();
  const summary: PrepareSummary = {
    out,
    total: all.length,
    prepared: ok,
    failed,
    processed,
    completed: done.size === all.length,
    reasons: [...groups.entries()].map(([reason, g]) => ({ reason, ...g })).sort((a, b) => b.count - a.count),
    seconds: Math.round((Date.now() - t0) / 100) / 10,
  };
  await writeFileAtomic(path.join(out, PREPARE_SUMMARY_FILE), `${JSON.stringify(summary, null, 1)}\n`);
  return summary;
}
