import type { BackendRequest } from '../backend/backend';
import * as fs from 'fs';
import * as path from 'path';

/** The plan file of a training run folder. */
export const PLAN_FILE = 'train-plan.json';
/** The per-step log of a training run folder. */
export const LOG_FILE = 'train-log.jsonl';

/**
 * Refuses to mix runs: a folder holding a plan needs `resume`, and the plan must be the same.
 * @throws naming the settings that differ
 */
export function checkRunPlan(out: string, plan: object, resume: boolean): void {
  const file = path.join(out, PLAN_FILE);
  if (!fs.existsSync(file)) return;
  if (!resume) {
    throw new Error(`${out} already holds a training run (${PLAN_FILE}): pass --resume to continue it, or choose another --out`);
  }
  const old = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (JSON.stringify(old) !== JSON.stringify(plan)) {
    const now = plan as Record<string, unknown>;
    const changed = Object.keys({ ...old, ...now }).filter((k) => JSON.stringify(old[k]) !== JSON.stringify(now[k]));
    throw new Error(
      `${out} holds a run with other settings (${changed.join(', ')} differ): resume it with the same options, or choose another --out`,
    );
  }
}

/**
 * Keeps the log lines of steps up to `step` (a resumed run rewrites what came after its checkpoint); a
 * torn last line of a killed run is dropped like every line after the checkpoint.
 */
export function trimRunLog<T extends { step: number }>(file: string, step: number): T[] {
  if (!fs.existsSync(file)) return [];
  const kept = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as T];
      } catch {
        return [];
      }
    })
    .filter((e) => e.step <= step);
  fs.writeFileSync(file, kept.map((e) => JSON.stringify(e)).join('\n') + (kept.length ? '\n' : ''));
  return kept;
}

/** Refuses an output folder that overlaps an input folder. */
export function checkApart(out: string, input: string, flags: string): void {
  const a = path.resolve(out);
  const b = path.resolve(input);
  if (a === b || a.startsWith(b + path.sep) || b.startsWith(a + path.sep)) {
    throw new Error(`${flags}: ${a} and ${b} overlap: write the run outside the data folder`);
  }
}

/** Settings every training run folder shares (they do not change the run's result). */
export interface RunFolderOptions<Report> {
  /** Run folder: train-plan.json, checkpoint/, train-log.jsonl, loss-curve.png, model/. */
  readonly out: string;
  readonly resume: boolean;
  readonly workers: number;
  readonly backend: BackendRequest;
  readonly checkpointEvery: number;
  readonly onNote?: (message: string) => void;
  readonly onLoad?: (done: number, total: number) => void;
  readonly onStep?: (report: Report) => void;
  /** Checked after every step: when it returns true, the run checkpoints and stops. */
  readonly shouldStop?: () => boolean;
}

/** How a run ended. */
export interface RunResult {
  readonly completed: boolean;
  readonly step: number;
  readonly modelDir: string | null;
  readonly trainSeconds: number;
}
