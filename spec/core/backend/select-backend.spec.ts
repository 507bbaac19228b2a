import { expect } from 'chai';
import { initBackend, missingNativeLibrary } from '../../../core/backend/backend';
import type { BackendRequest } from '../../../core/backend/backend';
import { tf } from '../../../core/backend/tf';

/** A native package that can load: installed with its TensorFlow library. */
function installed(pkg: string): boolean {
  return missingNativeLibrary(pkg) == null;
}

describe('core/backend/backend (selection)', () => {
  after(async () => {
    await initBackend('cpu');
  });

  it('selects cpu and wasm on request', async () => {
    expect((await initBackend('cpu')).name).to.equal('cpu');
    expect(tf.getBackend()).to.equal('cpu');
    const wasm = await initBackend('wasm');
    expect(wasm.name).to.equal('wasm');
    expect(tf.getBackend()).to.equal('wasm');
  });

  it('auto picks native TensorFlow when it loads, else wasm', async () => {
    const info = await initBackend('auto');
    const native = installed('@tensorflow/tfjs-node-gpu') || installed('@tensorflow/tfjs-node');
    expect(info.name).to.equal(native ? 'tensorflow' : 'wasm');
  });

  it('explains how to get tensorflow when it is not installed', async function () {
    if (installed('@tensorflow/tfjs-node') || installed('@tensorflow/tfjs-node-gpu')) this.skip();
    let message = '';
    await initBackend('tensorflow').catch((e: Error) => (message = e.message));
    expect(message).to.match(/backend 'tensorflow' is not available .*use --backend wasm/);
  });

  it('rejects an unknown backend name', async () => {
    let message = '';
    await initBackend('gpu' as BackendRequest).catch((e: Error) => (message = e.message));
    expect(message).to.equal("unknown backend 'gpu': use one of auto, tensorflow, wasm, cpu");
  });
});
