import { expect } from 'chai';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { initBackend } from '../../../core/backend/backend';
import { tf } from '../../../core/backend/tf';
import { simdKernel } from '../../../core/backend/wasm-training/simd-kernels';

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
