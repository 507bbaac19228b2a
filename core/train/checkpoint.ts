import * as fs from 'fs';
import { tf } from '../backend/tf';
import { loadWeights, readWeightsManifest, saveWeights } from '../io/weights-file';
import type { HostAdamState } from './host-adam';

/** Stem of a training checkpoint's files: `checkpoint.json` + `checkpoint-<hash>.bin`. */
export const CHECKPOINT_STEM = 'checkpoint';

/** Everything a training run needs to continue exactly where it stopped. */
export interface TrainCheckpoint {
  /** Steps completed. */
  readonly step: number;
  /** Every network variable (weights and batch-norm statistics) by logical path. */
  readonly weights: ReadonlyMap<string, Float32Array>;
  readonly adam: HostAdamState;
  /** Run-specific data (the plan, the last figures). */
  readonly metadata: Record<string, unknown>;
}

/** Writes a checkpoint atomically (data file, then manifest: a crash leaves the previous one readable). */
export async function saveCheckpoint(dir: string, c: TrainCheckpoint): Promise<void> {
  await fs.promises.mkdir(dir, { recursive: true });
  const list: Array<{ name: string; tensor: tf.Tensor }> = [];
  const add = (prefix: string, map: ReadonlyMap<string, Float32Array>): void => {
    for (const [name, values] of map) list.push({ name: `${prefix}:${name}`, tensor: tf.tensor1d(values) });
  };
  add('w', c.weights);
  add('m', c.adam.m);
  add('v', c.adam.v);
  try {
    await saveWeights(dir, list, { stem: CHECKPOINT_STEM, metadata: { ...c.metadata, step: c.step, adamStep: c.adam.step } });
  } finally {
    tf.dispose(list.map((e) => e.tensor));
  }
}

/** True when `dir` holds a checkpoint manifest. */
export function hasCheckpoint(dir: string): boolean {
  return fs.existsSync(`${dir}/${CHECKPOINT_STEM}.json`);
}

/** Reads what `saveCheckpoint` wrote. @throws ModelFileError naming the file when it is damaged. */
export async function loadCheckpoint(dir: string): Promise<TrainCheckpoint> {
  const manifest = await readWeightsManifest(dir, CHECKPOINT_STEM);
  const tensors = await loadWeights(dir, undefined, { stem: CHECKPOINT_STEM });
  const maps = { w: new Map<string, Float32Array>(), m: new Map<string, Float32Array>(), v: new Map<string, Float32Array>() };
  try {
    for (const [key, t] of Object.entries(tensors)) {
      const i = key.indexOf(':');
      const kind = key.slice(0, i) as keyof typeof maps;
      if (!(kind in maps)) throw new Error(`checkpoint in ${dir} holds an unknown entry '${key}'`);
      maps[kind].set(key.slice(i + 1), Float32Array.from(t.dataSync() as Float32Array));
    }
  } finally {
    tf.dispose(Object.values(tensors));
  }
  const meta = manifest.metadata ?? {};
  return {
    step: Number(meta.step),
    weights: maps.w,
    adam: { step: Number(meta.adamStep), m: maps.m, v: maps.v },
    metadata: meta,
  };
}
