import * as fs from 'fs';
import * as path from 'path';
import { tf } from './tf';
import '@tensorflow/tfjs-backend-wasm';
import { installWasmTrainingKernels } from './wasm-training';

/** What a user may ask for: `auto` prefers native TensorFlow, then WebAssembly. */
export type BackendRequest = 'auto' | 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_REQUESTS: readonly BackendRequest[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

/** The backend a run actually uses, and why. */
export interface BackendInfo {
  /** Name of the active tfjs backend. */
  readonly name: 'tensorflow' | 'wasm' | 'cpu';
  /** Human-readable detail, e.g. which package provided native TensorFlow or whether SIMD is on. */
  readonly detail: string;
}

/** Native packages tried for `tensorflow`, in order: the GPU build first. */
const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

/** Why a native package cannot load (not installed, or its TensorFlow library missing), or null if it may. */
export function missingNativeLibrary(pkg: string): string | null {
  let dir: string;
  try {
    dir = path.dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    return 'not installed';
  }
  const lib = path.join(dir, 'lib');
  const found = fs.existsSync(lib) && fs.readdirSync(lib).some((d) => d.startsWith('napi-v') && fs.existsSync(path.join(lib, d, 'tfjs_binding.node')));
  return found ? null : 'installed without its native TensorFlow library (its install script did not run or failed)';
}

function tryLoadNative(): { pkg: string } | { error: string } {
  const errors: string[] = [];
  for (const pkg of NATIVE_PACKAGES) {
    try {
      // A package whose install script never ran (npm skips them unless approved) has no native library:
      // requiring it would register its kernels and then fail, and a second one would print a warning
      // per kernel. Look for the library first.
      const missing = missingNativeLibrary(pkg);
      if (missing != null) {
        errors.push(`${pkg}: ${missing}`);
        continue;
      }
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(pkg);
      if (tf.findBackend('tensorflow') != null) return { pkg };
      errors.push(`${pkg}: loaded but registered no 'tensorflow' backend`);
    } catch (err) {
      const msg = (err as Error).message.split('\n')[0];
      errors.push(`${pkg}: ${msg}`);
    }
  }
  return { error: errors.join('; ') };
}

async function activate(name: BackendInfo['name']): Promise<boolean> {
  try {
    return await tf.setBackend(name);
  } catch {
    return false;
  }
}

/**
 * Selects and initialises the compute backend.
 * @throws when `tensorflow` is requested but no native package loads, or the backend fails to start.
 */
export async function initBackend(request: BackendRequest = 'auto'): Promise<BackendInfo> {
  if (!BACKEND_REQUESTS.includes(request)) {
    throw new Error(`unknown backend '${request}': use one of ${BACKEND_REQUESTS.join(', ')}`);
  }
  if (request === 'tensorflow' || request === 'auto') {
    const native = tryLoadNative();
    if ('pkg' in native && (await activate('tensorflow'))) {
      return { name: 'tensorflow', detail: `native TensorFlow from ${native.pkg}` };
    }
    if (request === 'tensorflow') {
      const why = 'error' in native ? native.error : 'the tensorflow backend failed to initialise';
      throw new Error(
        `backend 'tensorflow' is not available (${why}). Install @tensorflow/tfjs-node ` +
          `(or -gpu) where its native library can be downloaded, or use --backend wasm.`,
      );
    }
  }
  if (request === 'cpu') {
    if (!(await activate('cpu'))) throw new Error("backend 'cpu' failed to initialise");
    // The cpu backend prints a banner on first use urging tfjs-node; retex reports its backend itself.
    (tf.backend() as { firstUse?: boolean }).firstUse = false;
    return { name: 'cpu', detail: 'pure JavaScript (slow; for reference and tests)' };
  }
  if (!(await activate('wasm'))) throw new Error("backend 'wasm' failed to initialise");
  // The stock wasm backend cannot train conv nets (missing or slow gradient kernels).
  installWasmTrainingKernels();
  const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
  return { name: 'wasm', detail: `WebAssembly${simd ? ' + SIMD' : ''}, 1 thread per process` };
}

/** One line for the user, e.g. "backend: wasm (WebAssembly + SIMD, 1 thread per process)". */
export function describeBackend(info: BackendInfo): string {
  return `backend: ${info.name} (${info.detail})`;
}
