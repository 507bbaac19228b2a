import * as fs from 'fs';
import { findTorchBenchScript, runPeerProcess } from './torch-peer-process';

/** The interpreter that has Debian's python3-torch (a venv's python may not). */
export const TORCH_PYTHON = '/usr/bin/python3';
/** What to run when the peer is missing. */
export const TORCH_INSTALL_HINT = 'bash scripts/install-torch-peer.sh (as root: apt-get installs python3-torch and libopenblas0-pthread)';

/** What bench/torch/train_step.py prints. */
export interface TorchPeerResult {
  readonly torch_version: string;
  readonly threads: number;
  readonly ms_per_step: number;
  readonly ms_min: number;
  readonly ms_median: number;
  readonly params: number;
  readonly loss: number;
}

/** Settings passed to the peer script; they must describe the same networks as retex's run. */
export interface TorchPeerOptions {
  readonly width: number;
  readonly batch: number;
  readonly steps: number;
  readonly warmup: number;
  readonly threads: number;
  readonly inputSize: readonly [number, number];
  readonly textureSize: readonly [number, number];
  readonly classifierWidth: number;
  readonly numClasses: number;
  readonly classifierInput: readonly [number, number];
  readonly blocksPerStage: number;
}


/** Finds bench/torch/train_step.py above this file (works from core/bench and dist/core/bench). */
export function findTorchPeerScript(): string {
  return findTorchBenchScript('train_step.py');
}

/** Null when torch imports; otherwise why not, with the install command. */
export async function torchUnavailableReason(): Promise<string | null> {
  if (!fs.existsSync(TORCH_PYTHON)) return `${TORCH_PYTHON} not found; install the peer with: ${TORCH_INSTALL_HINT}`;
  try {
    await runPeerProcess(TORCH_PYTHON, ['-c', 'import torch'], 120_000);
    return null;
  } catch (err) {
    const msg = String((err as { stderr?: string }).stderr ?? (err as Error).message).trim().split('\n').pop();
    return `${TORCH_PYTHON} cannot import torch (${msg}); install it with: ${TORCH_INSTALL_HINT}`;
  }
}

/** OpenMP waiting policies tried for multi-threaded peer runs. */
export type OmpWaitPolicy = 'ACTIVE' | 'PASSIVE';

/**
 * The peer's best time at `o.threads`: with more than one thread it runs once with OpenMP's spinning
 * waits (ACTIVE, the default) and once with PASSIVE waits and keeps the faster median. Why: when
 * anything else competes for the cores, spinning OpenMP threads slow torch down several-fold, which
 * would flatter retex; the benchmark compares against the peer's best.
 */
export async function runTorchPeerBest(o: TorchPeerOptions): Promise<TorchPeerResult & { omp_wait_policy: OmpWaitPolicy | null }> {
  if (o.threads <= 1) return { ...(await runTorchPeer(o)), omp_wait_policy: null };
  const active = await runTorchPeer(o, 'ACTIVE');
  const passive = await runTorchPeer(o, 'PASSIVE');
  return passive.ms_median < active.ms_median
    ? { ...passive, omp_wait_policy: 'PASSIVE' }
    : { ...active, omp_wait_policy: 'ACTIVE' };
}

/** Runs the peer script once and parses its JSON line. */
export async function runTorchPeer(o: TorchPeerOptions, ompWaitPolicy?: OmpWaitPolicy): Promise<TorchPeerResult> {
  const args = [
    findTorchPeerScript(),
    '--width', String(o.width),
    '--batch', String(o.batch),
    '--steps', String(o.steps),
    '--warmup', String(o.warmup),
    '--threads', String(o.threads),
    '--height', String(o.inputSize[0]),
    '--image-width', String(o.inputSize[1]),
    '--texture', String(o.textureSize[0]), String(o.textureSize[1]),
    '--classifier-width', String(o.classifierWidth),
    '--classes', String(o.numClasses),
    '--classifier-input', String(o.classifierInput[0]), String(o.classifierInput[1]),
    '--blocks-per-stage', String(o.blocksPerStage),
  ];
  let stdout: string;
  try {
    const env = ompWaitPolicy ? { ...process.env, OMP_WAIT_POLICY: ompWaitPolicy } : process.env;
    ({ stdout } = await runPeerProcess(TORCH_PYTHON, args, 30 * 60_000, env));
  } catch (err) {
    throw new Error(`the PyTorch peer failed: ${String((err as { stderr?: string }).stderr ?? (err as Error).message).trim()}`);
  }
  const line = stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as TorchPeerResult;
  } catch {
    throw new Error(`the PyTorch peer printed no JSON result: ${stdout.slice(0, 500)}`);
  }
}
