import * as fs from 'fs';
import { bestOfWaitPolicies, findTorchBenchScript, runPeerProcess, runTorchPeerJson } from './torch-peer-process';
import { TORCH_INSTALL_HINT, TORCH_PYTHON, type OmpWaitPolicy } from './train-step-torch';

/** What bench/torch/identity_forward.py prints. */
export interface TorchIdentityResult {
  readonly torch_version: string;
  readonly torchvision_version: string;
  readonly threads: number;
  readonly batch: number;
  readonly steps: number;
  /** The faster of the memory formats tried (`contiguous` = NCHW, or `channels_last`). */
  readonly memory_format: 'contiguous' | 'channels_last';
  readonly ms_median_by_format: Readonly<Record<string, number>>;
  readonly ms_per_step: number;
  readonly ms_min: number;
  readonly ms_median: number;
  /** Parameters of the trunk (conv kernels, batch-norm weights and biases). */
  readonly params: number;
  readonly loss: number;
  readonly grad_abs_sum: number;
}

/** Settings passed to the peer script; they must describe the same network and batch as retex's run. */
export interface TorchIdentityOptions {
  readonly depth: number;
  readonly width: number;
  readonly lastStride: number;
  /** Network input [H, W] (the images are resized to it inside the loss). */
  readonly inputSize: readonly [number, number];
  /** Images [H, W] as the loss receives them. */
  readonly imageSize: readonly [number, number];
  readonly batch: number;
  readonly steps: number;
  readonly warmup: number;
  readonly threads: number;
  /** Interpreter; default {@link TORCH_PYTHON} (Debian's, which has python3-torch). */
  readonly python?: string;
}

const IMPORTS = 'import torch, torchvision';


/** Finds bench/torch/identity_forward.py above this file (works from core/bench and dist/core/bench). */
export function findTorchIdentityScript(): string {
  return findTorchBenchScript('identity_forward.py');
}

/** Null when torch and torchvision import; otherwise why not, with the install command. */
export async function torchIdentityUnavailableReason(python: string = TORCH_PYTHON): Promise<string | null> {
  if (!fs.existsSync(python)) return `${python} not found; install the peer with: ${TORCH_INSTALL_HINT}`;
  try {
    await runPeerProcess(python, ['-c', IMPORTS], 120_000);
    return null;
  } catch (err) {
    const msg = String((err as { stderr?: string }).stderr ?? (err as Error).message).trim().split('\n').pop();
    return `${python} cannot '${IMPORTS}' (${msg}); install them with: ${TORCH_INSTALL_HINT}`;
  }
}

/**
 * The peer's best time at `o.threads`: with more than one thread it runs once with OpenMP's spinning
 * waits (ACTIVE) and once with PASSIVE waits and keeps the faster median, as `retex bench train-step`
 * does (spinning threads slow torch down when anything else uses the cores, which would flatter retex).
 */
export async function runTorchIdentityBest(o: TorchIdentityOptions): Promise<TorchIdentityResult & { omp_wait_policy: OmpWaitPolicy | null }> {
  return bestOfWaitPolicies(o.threads, (policy) => runTorchIdentity(o, policy));
}

/** Runs the peer script once and parses its JSON line. */
export async function runTorchIdentity(o: TorchIdentityOptions, ompWaitPolicy?: OmpWaitPolicy): Promise<TorchIdentityResult> {
  const args = [
    findTorchIdentityScript(),
    '--depth', String(o.depth),
    '--width', String(o.width),
    '--last-stride', String(o.lastStride),
    '--input-size', String(o.inputSize[0]), String(o.inputSize[1]),
    '--image-size', String(o.imageSize[0]), String(o.imageSize[1]),
    '--batch', String(o.batch),
    '--steps', String(o.steps),
    '--warmup', String(o.warmup),
    '--threads', String(o.threads),
  ];
  return runTorchPeerJson<TorchIdentityResult>({ what: 'identity peer', python: o.python ?? TORCH_PYTHON, args, timeoutMs: 60 * 60_000, threads: o.threads, ompWaitPolicy });
}
