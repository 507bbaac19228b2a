import { spawnSync } from 'child_process';
import * as path from 'path';

/** Runs the real `retex` binary (bin/retex.js over dist/) and returns its exit code and output. */
export function runRetex(args: readonly string[], cwd?: string): { status: number | null; stdout: string; stderr: string } {
  const bin = path.join(__dirname, '..', '..', '..', 'bin', 'retex.js');
  const result = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
