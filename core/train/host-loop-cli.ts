import * as fs from 'fs';
import * as path from 'path';
import type { HostLoopSettings, HostLoopStepReport } from './host-loop';

/**
 * Progress lines of a `runHostLoop` run on stderr: every 50 steps and at each evaluation, with the time
 * left every 500 steps.
 */
export function hostLoopProgress<E>(note: (message: string) => void): (r: HostLoopStepReport<E>) => void {
  const started = Date.now();
  let first: number | null = null;
  return (r) => {
    first ??= r.step - 1;
    if (r.step % 50 !== 0 && !r.eval) return;
    note(`step ${r.step}/${r.steps} loss ${r.loss.toFixed(4)} lr ${r.lr.toExponential(2)} ${r.ms.toFixed(0)} ms/step${r.eval ? ` eval ${JSON.stringify(r.eval)}` : ''}`);
    if (r.step % 500 === 0) {
      const eta = ((Date.now() - started) / 1000 / Math.max(1, r.step - first)) * (r.steps - r.step);
      note(`  about ${(eta / 60).toFixed(1)} min left`);
    }
  };
}

/**
 * Ends a training tool: prints the model folder, its figures and the minutes taken as JSON on stdout, and
 * with `ship` installs the model as a plugin's shipped weights (see {@link shipModel}).
 */
export function finishHostRun(
  result: { modelDir: string; eval: object },
  startedMs: number,
  ship: { dest: string; record: object } | null,
  note: (message: string) => void,
): void {
  process.stdout.write(`${JSON.stringify({ model: result.modelDir, ...result.eval, minutes: (Date.now() - startedMs) / 60000 }, null, 2)}\n`);
  if (!ship) return;
  shipModel(result.modelDir, ship.dest, { ...result.eval, ...ship.record });
  note(`shipped to ${ship.dest}`);
}

/**
 * Installs a trained model folder's files as a plugin's shipped weights (old weight shards removed) with
 * an eval.json that records the figures and the command that reproduces them.
 */
export function shipModel(modelDir: string, dest: string, figures: object): void {
  fs.mkdirSync(dest, { recursive: true });
  for (const f of fs.readdirSync(dest)) if (/^weights/.test(f)) fs.rmSync(path.join(dest, f));
  for (const f of fs.readdirSync(modelDir)) fs.copyFileSync(path.join(modelDir, f), path.join(dest, f));
  fs.writeFileSync(path.join(dest, 'eval.json'), `${JSON.stringify(figures, null, 2)}\n`);
}

/** Progress on stderr. */
export const noteToStderr = (message: string): void => {
  process.stderr.write(`${message}\n`);
};

/** A training tool's run settings from its options (`--out`, `--resume`, `--checkpoint-every`), with progress on stderr. */
export function toolRunSettings<E>(o: { out: string; resume?: boolean; checkpointEvery?: number }): HostLoopSettings<E> {
  return { out: o.out, resume: o.resume ?? false, checkpointEvery: o.checkpointEvery, onNote: noteToStderr, onStep: hostLoopProgress(noteToStderr) };
}

/** Runs a tool's main(): an error is printed without a stack and sets the exit code. */
export function runTool(main: () => Promise<void>): void {
  main().catch((err) => {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exitCode = 1;
  });
}
