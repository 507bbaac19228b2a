import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** Runs the real `retex` binary (bin/retex.js over dist/) and returns its exit code and output. */
export function runRetex(args: readonly string[], cwd?: string): { status: number | null; stdout: string; stderr: string } {
  const bin = path.join(__dirname, '..', '..', '..', 'bin', 'retex.js');
  const result = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Lines of a run's `train-log.jsonl` so far (0 before the first step). */
export function loggedSteps(out: string): number {
  const file = path.join(out, 'train-log.jsonl');
  if (!fs.existsSync(file)) return 0;
  return fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).length;
}

/** Starts `retex <args>` and kills it with SIGKILL once its run folder `out` has logged `killAt` steps. */
export async function killRetexAtStep(args: readonly string[], out: string, killAt: number): Promise<void> {
  const bin = path.join(__dirname, '..', '..', '..', 'bin', 'retex.js');
  const child = spawn(process.execPath, [bin, ...args], { stdio: 'ignore' });
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      if (loggedSteps(out) >= killAt) {
        clearInterval(timer);
        child.kill('SIGKILL');
        resolve();
      }
    }, 20);
    child.on('exit', () => {
      clearInterval(timer);
      resolve();
    });
  });
}
