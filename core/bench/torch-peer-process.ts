import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** Runs a peer process and collects its output; rejects (with `stderr` attached) on failure or time-out. */
export function runPeerProcess(
  file: string,
  args: string[],
  timeoutMs: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 16 << 20, env }, (err, stdout, stderr) => {
      if (err) reject(Object.assign(err, { stderr }));
      else resolve({ stdout, stderr });
    });
  });
}

/** Finds `bench/torch/<name>` above this file (works from core/bench and dist/core/bench). */
export function findTorchBenchScript(name: string): string {
  const relative = path.join('bench', 'torch', name);
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, relative);
    if (fs.existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error(`${relative} not found above ${__dirname}: run retex from its package checkout`);
}

/** OpenMP waiting policies tried for multi-threaded peer runs. */
export type OmpWaitPolicy = 'ACTIVE' | 'PASSIVE';

/** How {@link runTorchPeerJson} runs a peer script. */
export interface TorchPeerRun {
  /** What the peer is, for error messages ("the PyTorch <what> failed"). */
  readonly what: string;
  readonly python: string;
  readonly args: string[];
  readonly timeoutMs: number;
  /** When given, OpenBLAS's own pool is limited to it too (torch.set_num_threads sets only OpenMP's). */
  readonly threads?: number;
  readonly ompWaitPolicy?: OmpWaitPolicy;
}

/** Runs a peer script and parses the JSON object on its last line. @throws with the peer's stderr. */
export async function runTorchPeerJson<T>(run: TorchPeerRun): Promise<T> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (run.threads != null) env.OPENBLAS_NUM_THREADS = String(run.threads);
  if (run.ompWaitPolicy) env.OMP_WAIT_POLICY = run.ompWaitPolicy;
  let stdout: string;
  try {
    ({ stdout } = await runPeerProcess(run.python, run.args, run.timeoutMs, env));
  } catch (err) {
    throw new Error(`the PyTorch ${run.what} failed: ${String((err as { stderr?: string }).stderr ?? (err as Error).message).trim()}`);
  }
  const line = stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as T;
  } catch {
    throw new Error(`the PyTorch ${run.what} printed no JSON result: ${stdout.slice(0, 500)}`);
  }
}

/**
 * A peer's best time at `threads`: with more than one thread it runs once with OpenMP's spinning waits
 * (ACTIVE, the default) and once with PASSIVE waits and keeps the faster median. Why: when anything else
 * competes for the cores, spinning OpenMP threads slow torch down several-fold, which would flatter retex;
 * the benchmarks compare against the peer's best.
 */
export async function bestOfWaitPolicies<T extends { readonly ms_median: number }>(
  threads: number,
  run: (policy?: OmpWaitPolicy) => Promise<T>,
): Promise<T & { omp_wait_policy: OmpWaitPolicy | null }> {
  if (threads <= 1) return { ...(await run()), omp_wait_policy: null };
  const active = await run('ACTIVE');
  const passive = await run('PASSIVE');
  return passive.ms_median < active.ms_median ? { ...passive, omp_wait_policy: 'PASSIVE' } : { ...active, omp_wait_policy: 'ACTIVE' };
}
