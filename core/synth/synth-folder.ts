import * as fs from 'fs';
import * as path from 'path';
import { writeFileAtomic } from '../io/atomic-write';
import { makeFoldersSync } from '../io/file-guard';
import type { InputFingerprints } from './synth-inputs';

/** Name of the file holding the options a synthetic folder was planned with. */
export const SYNTH_PLAN_FILE = 'synth-plan.json';
/** Name of the summary written last, once every file of the plan exists. */
export const SYNTH_MANIFEST_FILE = 'synth-manifest.json';

/** Temp files of `SynthFolder.write` (`.<name>.<pid>.<serial>.tmp`) that a killed run left behind. */
const STRAY_TEMP = /^\..+\.\d+\.\d+\.tmp$/;

function removeStrayTemps(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) removeStrayTemps(p);
    else if (STRAY_TEMP.test(entry.name)) fs.rmSync(p, { force: true });
  }
}

/** One output file of an item: a path relative to the folder and a producer of its bytes. */
export interface SynthOutput {
  readonly file: string;
  readonly data: string | Uint8Array;
}

/**
 * A synthetic data set folder that can be completed by a rerun. The plan (every option that decides
 * the content) is recorded first; a rerun with other options is refused rather than mixing two data
 * sets. An item counts as done when all its files exist; its image is written last and atomically
 * (temp file + rename), so an interrupted run never leaves a done-looking item with a cut-short file.
 */
export class SynthFolder {
  private readonly dirs = new Set<string>();
  private serial = 0;

  private constructor(readonly root: string) {}

  /**
   * Creates `root` (or reopens a partial run of the same plan).
   * @throws when `root` holds a run planned with different options
   */
  static async open(root: string, plan: Readonly<Record<string, unknown>>, inputs?: InputFingerprints): Promise<SynthFolder> {
    const planFile = path.join(root, SYNTH_PLAN_FILE);
    // Inputs by content (sha256 per file), not only by name (SynthContext.inputs).
    const recorded = inputs && Object.keys(inputs).length > 0 ? { ...plan, input_contents: inputs } : plan;
    const text = `${JSON.stringify(recorded, null, 2)}\n`;
    if (fs.existsSync(planFile)) {
      const old = fs.readFileSync(planFile, 'utf8');
      if (old !== text) {
        const contentOnly = old.replace(/,\n  "input_contents": [\s\S]*\n}\n$/, '\n}\n') === `${JSON.stringify(plan, null, 2)}\n`;
        throw new Error(
          contentOnly
            ? `${root} was made from input files (--backgrounds/--textures) whose content has changed since (see ${planFile}): ` +
                'restore them, or choose a new --out folder for the new inputs'
            : `${root} already holds a synthetic data set made with other options (see ${planFile}): ` +
                'rerun with the same options to complete it, or choose a new --out folder',
        );
      }
      removeStrayTemps(root);
    } else {
      if (fs.existsSync(root) && fs.readdirSync(root).length > 0) {
        throw new Error(`${root} is not empty and is not a retex synth folder (no ${SYNTH_PLAN_FILE}): choose an empty or new --out folder`);
      }
      await writeFileAtomic(planFile, text);
    }
    return new SynthFolder(root);
  }

  /** Absolute path of a file of the folder. */
  resolve(file: string): string {
    return path.join(this.root, file);
  }

  /**
   * True when every file exists and is not empty (a finished item of an earlier run; an empty file is
   * what a power cut can leave of an unsynced write, so it counts as missing).
   */
  has(files: readonly string[]): boolean {
    return files.every((f) => {
      try {
        return fs.statSync(this.resolve(f)).size > 0;
      } catch {
        return false;
      }
    });
  }

  /**
   * Writes one item's outputs in order; returns the bytes written. The last output (the item's image)
   * goes to a temp file in the same folder renamed over the target, so it appears whole or not at all;
   * the ones before it are written in place: until the last exists the item is not done, and a rerun
   * rewrites them all, so a file cut short by a killed run is never kept. Unlike the plan and manifest,
   * item files are not fsynced: per-file fsyncs made the run disk-bound, and an item that a power cut
   * truncates is redone by the next run (`has` treats an empty file as missing).
   */
  async write(outputs: readonly SynthOutput[]): Promise<number> {
    let bytes = 0;
    for (let i = 0; i < outputs.length; i++) {
      const o = outputs[i];
      const target = this.resolve(o.file);
      const dir = path.dirname(target);
      if (!this.dirs.has(dir)) {
        makeFoldersSync(dir);
        this.dirs.add(dir);
      }
      const last = i === outputs.length - 1;
      const tmp = last ? path.join(dir, `.${path.basename(target)}.${process.pid}.${this.serial++}.tmp`) : target;
      // Synchronous calls: small files, and a threadpool round trip per call cost more than the call.
      try {
        fs.writeFileSync(tmp, o.data);
        if (last) fs.renameSync(tmp, target);
      } catch (err) {
        if (last) fs.rmSync(tmp, { force: true });
        throw new Error(`cannot write ${target}: ${(err as Error).message}`, { cause: err });
      }
      bytes += typeof o.data === 'string' ? Buffer.byteLength(o.data) : o.data.byteLength;
    }
    return bytes;
  }

  /** Writes a file that records the run's state (plan, manifest, annotation tables): atomically and synced. */
  async writeSynced(file: string, data: string | Uint8Array): Promise<void> {
    await writeFileAtomic(this.resolve(file), data);
  }

  /** Size in bytes of a file of the folder. */
  size(file: string): number {
    return fs.statSync(this.resolve(file)).size;
  }
}

/**
 * Bounds the asynchronous tail of each item (encoding on libuv's threads, atomic writes) so that the
 * synchronous part of the next items (rendering) overlaps it, with at most `window` tails in flight.
 * The first failure is rethrown by the next `add` or by `drain`.
 */
export class WriteQueue {
  private readonly running = new Set<Promise<void>>();
  private failure: { error: unknown } | undefined;

  constructor(private readonly window = 4) {}

  /** Starts tracking `task`; waits while the window is full. */
  async add(task: Promise<void>): Promise<void> {
    this.check();
    const p: Promise<void> = task.then(
      () => {
        this.running.delete(p);
      },
      (error) => {
        this.running.delete(p);
        this.failure ??= { error };
      },
    );
    this.running.add(p);
    while (this.running.size >= this.window) await Promise.race(this.running);
    this.check();
  }

  /** Waits for every task; rethrows the first failure. */
  async drain(): Promise<void> {
    await Promise.all(this.running);
    this.check();
  }

  private check(): void {
    if (this.failure) throw this.failure.error;
  }
}
