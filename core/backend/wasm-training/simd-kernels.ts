/**
 * Hand-written WebAssembly SIMD kernels (`simd/*.wat`, assembled into `.wasm` next to the compiled
 * code by `npm run build`) that run directly on the wasm backend's heap: they import the backend's
 * own memory, so tensors are read and written in place, without copies.
 */
import * as fs from 'fs';
import * as path from 'path';
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
const instances = new WeakMap<object, Map<string, { exports: object } | null>>();

function compile(name: string): object {
  let module = compiled.get(name);
  if (module == null) {
    const file = path.join(__dirname, 'simd', `${name}.wasm`);
    if (!fs.existsSync(file)) {
      throw new Error(`wasm kernel file ${file} is missing: run 'npm run build' (it assembles core/**/*.wat)`);
    }
    module = new WebAssemblyApi.Module(fs.readFileSync(file));
    compiled.set(name, module);
  }
  return module;
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
