import { expect } from 'chai';
import * as fs from 'fs';
import * as path from 'path';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { initBackend } from '../../../core/backend/backend';
import { tf } from '../../../core/backend/tf';
import { simdKernel, usesFusedKernel } from '../../../core/backend/wasm-training/simd-kernels';

const WasmApi = (globalThis as unknown as {
  WebAssembly: { Memory: new (d: { initial: number; maximum?: number; shared?: boolean }) => object };
}).WebAssembly;

/** A stand-in for the wasm backend, as far as `simdKernel` looks at it. */
function fakeBackend(memory?: object): BackendWasm {
  return { wasm: { asm: memory == null ? {} : { memory } } } as unknown as BackendWasm;
}

describe('core/backend/wasm-training/simd-kernels', () => {
  after(async () => {
    await initBackend('cpu');
  });

  it("binds the kernels to the wasm backend's own heap", async () => {
    await initBackend('wasm');
    const kernel = simdKernel<{ filter_grad: unknown }>(tf.backend() as BackendWasm, 'filter-grad');
    expect(kernel?.filter_grad).to.be.a('function');
    // One instance per heap: a second lookup returns the same exports.
    expect(simdKernel(tf.backend() as BackendWasm, 'filter-grad')).to.equal(kernel);
  });

  it('returns null (callers take the stock path) for a heap it cannot import or find', () => {
    const shared = new WasmApi.Memory({ initial: 1, maximum: 4, shared: true });
    expect(simdKernel(fakeBackend(shared), 'conv2d')).to.equal(null);
    expect(simdKernel(fakeBackend(), 'conv2d')).to.equal(null);
  });

  it('says how to fix a missing kernel file', () => {
    const memory = new WasmApi.Memory({ initial: 1 });
    expect(() => simdKernel(fakeBackend(memory), 'no-such-kernel')).to.throw(/is missing: run 'npm run build'/);
  });
});

describe('core/backend/wasm-training/simd-kernels: the fused (FMA) variants', () => {
  after(async () => {
    await initBackend('cpu');
  });

  it('runs the fused convolution on this runtime, with the plain kernel\'s results to rounding', async () => {
    await initBackend('wasm');
    const x = tf.randomNormal([2, 9, 7, 12], 0, 1, 'float32', 3) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 12, 16], 0, 0.3, 'float32', 4) as tf.Tensor4D;
    const fused = tf.conv2d(x, w, [2, 1], 'same');
    expect(usesFusedKernel('conv2d'), 'the fused conv2d.fma.wasm is in use').to.equal(true);
    // The plain kernel, by hand: the same module unfused, on its own heap.
    const plain = plainConv((await x.data()) as Float32Array, (await w.data()) as Float32Array, x.shape, w.shape, fused.shape);
    const got = await fused.data();
    let worst = 0;
    let scale = 0;
    for (let i = 0; i < got.length; i++) {
      worst = Math.max(worst, Math.abs(got[i] - plain[i]));
      scale = Math.max(scale, Math.abs(plain[i]));
    }
    expect(worst / scale, 'largest difference relative to the largest output').to.be.below(1e-5);
    expect(worst, 'FMA rounds once: some outputs differ in the last bits').to.be.above(0);
    tf.dispose([x, w, fused]);
  });
});

/** `simd/conv2d.wasm` (unfused) run directly, 'same' padding, strides [2, 1]. */
function plainConv(x: Float32Array, w: Float32Array, xs: number[], ws: number[], ys: number[]): Float32Array {
  const file = path.join(path.dirname(require.resolve('../../../core/backend/wasm-training/simd-kernels')), 'simd', 'conv2d.wasm');
  const api = (globalThis as unknown as { WebAssembly: { Module: new (b: Uint8Array) => object; Instance: new (m: object, i: object) => { exports: PlainExports }; Memory: new (d: { initial: number }) => { buffer: ArrayBuffer } } }).WebAssembly;
  const memory = new api.Memory({ initial: 4 });
  const k = new api.Instance(new api.Module(fs.readFileSync(file)), { env: { memory } }).exports;
  const heap = new Float32Array(memory.buffer);
  const [zero, xp] = [0, 64];
  const wp = xp + x.length;
  const packed = wp + w.length;
  const yp = packed + w.length;
  heap.set(x, xp);
  heap.set(w, wp);
  k.pack_filter(4 * wp, 4 * packed, ws[0] * ws[1] * ws[2], ws[3]);
  const padTop = Math.floor(Math.max((ys[1] - 1) * 2 + ws[0] - xs[1], 0) / 2);
  const padLeft = Math.floor(Math.max((ys[2] - 1) * 1 + ws[1] - xs[2], 0) / 2);
  k.conv_forward(4 * xp, 4 * packed, 4 * yp, zero, xs[0], xs[1], xs[2], xs[3], ys[1], ys[2], ys[3], ws[0], ws[1], 2, 1, 1, 1, padTop, padLeft, 64);
  return heap.slice(yp, yp + ys[0] * ys[1] * ys[2] * ys[3]);
}

interface PlainExports {
  pack_filter(w: number, packed: number, rows: number, co: number): void;
  conv_forward(...args: number[]): void;
}
