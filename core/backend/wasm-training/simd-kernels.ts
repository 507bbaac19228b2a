/**
 * Hand-written WebAssembly SIMD kernels (`simd/*.wat`, assembled into `.wasm` next to the compiled
 * code by `npm run build`) that run directly on the wasm backend's heap: they import the backend's
 * own memory, so tensors are read and written in place, without copies.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as v8 from 'v8';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { Conv2DInfo } from './wasm-kernel-utils';

/**
 * The convolution geometry every kernel here takes, in this order: batch, inHeight, inWidth,
 * inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth, strideHeight, strideWidth,
 * dilationHeight, dilationWidth, padTop, padLeft.
 */
export function convGeometry(info: Conv2DInfo): number[] {
  return [
    info.batchSize, info.inHeight, info.inWidth, info.inChannels,
    info.outHeight, info.outWidth, info.outChannels,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth,
    info.dilationHeight, info.dilationWidth, info.padInfo.top, info.padInfo.left,
  ];
}

/** The part of the global `WebAssembly` API used here (ES2022's lib does not declare it). */
interface WasmApi {
  Memory: new (descriptor: { initial: number }) => object;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
  LinkError: new () => Error;
  CompileError: new () => Error;
}
const WebAssemblyApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** The backend's Emscripten module, as far as these kernels need it. */
interface EmscriptenModule {
  asm?: { memory?: object };
}

const compiled = new Map<string, object>();
const fusedNames = new Set<string>();

/** Environment switch to the plain (unfused) kernels, e.g. to measure what the fused ones gain. */
export const NO_FMA_ENV = 'RETEX_WASM_FMA';

/**
 * The fused variant `NAME.fma.wasm` (multiply-adds as relaxed SIMD's `f32x4.relaxed_madd`, one FMA
 * instruction on CPUs that have it: 15-30% faster convolutions on this machine), or null where the
 * runtime refuses relaxed SIMD. Node 20 accepts it behind a V8 flag, set here (it only enables
 * decoding of those opcodes); later runtimes accept it as is. FMA rounds once where mul + add rounds
 * twice, so results differ from the plain kernels in the last bits, the same way on every run.
 */
function compileFused(name: string): object | null {
  const file = path.join(__dirname, 'simd', `${name}.fma.wasm`);
  if (process.env[NO_FMA_ENV] === '0' || !fs.existsSync(file)) return null;
  const bytes = fs.readFileSync(file);
  for (const attempt of [0, 1]) {
    try {
      return new WebAssemblyApi.Module(bytes);
    } catch (err) {
      if (!(err instanceof WebAssemblyApi.CompileError)) throw err;
      if (attempt === 0) v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
    }
  }
  return null;
}

const instances = new WeakMap<object, Map<string, { exports: object } | null>>();

function compile(name: string): object {
  let module = compiled.get(name);
  if (module == null) {
    module = compileFused(name) ?? undefined;
    if (module != null) fusedNames.add(name);
  }
  if (module == null) {
    const file = path.join(__dirname, 'simd', `${name}.wasm`);
    if (!fs.existsSync(file)) {
      throw new Error(`wasm kernel file ${file} is missing: run 'npm run build' (it assembles core/**/*.wat)`);
    }
    module = new WebAssemblyApi.Module(fs.readFileSync(file));
  }
  compiled.set(name, module);
  return module;
}

/** Whether kernel `name` runs its fused (FMA) variant here; false before its first use. */
export function usesFusedKernel(name: string): boolean {
  return fusedNames.has(name);
}

/**
 * The kernel module `name` bound to `backend`'s heap, or null when it cannot run there (a runtime
 * without WebAssembly SIMD, a threaded build's shared memory, a build that does not export its
 * memory): callers then take their stock path.
 * @throws when the assembled .wasm file is missing (the package was compiled without `npm run build`)
 */
export function simdKernel<T>(backend: BackendWasm, name: string): T | null {
  const memory = (backend.wasm as unknown as EmscriptenModule).asm?.memory;
  if (!(memory instanceof WebAssemblyApi.Memory)) return null;
  let perMemory = instances.get(memory);
  if (perMemory == null) {
    perMemory = new Map();
    instances.set(memory, perMemory);
  }
  if (!perMemory.has(name)) {
    let instance: { exports: object } | null = null;
    try {
      instance = new WebAssemblyApi.Instance(compile(name), { env: { memory } });
    } catch (err) {
      // No SIMD in this runtime (CompileError) or a heap the module cannot import (LinkError).
      if (!(err instanceof WebAssemblyApi.LinkError || err instanceof WebAssemblyApi.CompileError)) throw err;
    }
    perMemory.set(name, instance);
  }
  return (perMemory.get(name)?.exports ?? null) as T | null;
}
