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
