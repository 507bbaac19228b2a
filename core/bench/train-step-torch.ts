import * as fs from 'fs';
import { bestOfWaitPolicies, findTorchBenchScript, runPeerProcess, runTorchPeerJson, type OmpWaitPolicy } from './torch-peer-process';

export type { OmpWaitPolicy } from './torch-peer-process';

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

/** The peer's best time at `o.threads` (see `bestOfWaitPolicies`). */
export async function runTorchPeerBest(o: TorchPeerOptions): Promise<TorchPeerResult & { omp_wait_policy: OmpWaitPolicy | null }> {
  return bestOfWaitPolicies(o.threads, (policy) => runTorchPeer(o, policy));
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
  return runTorchPeerJson<TorchPeerResult>({ what: 'peer', python: TORCH_PYTHON, args, timeoutMs: 30 * 60_000, ompWaitPolicy });
}
