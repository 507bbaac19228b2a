import { expect } from 'chai';
import { initBackend } from '../../../core/backend/backend';
import { tf } from '../../../core/backend/tf';
import { disposeBatch, hostBatchToTensors } from '../../../core/train/host-tensors';
import { TextureClassifierTask } from '../../../core/train/texture-classifier-task';
import { TrainStep } from '../../../core/train/train-step';
import { splitHostBatch } from '../../../core/train/train-task';
import { assertClose } from '../../helpers/tensors';
import { TINY_SQUARE_TASK, TINY_TASK, tinyBatch } from './tiny-task';

describe('core/train/train-step', () => {
  before(async () => {
    await initBackend('wasm');
  });

  after(async () => {
    await initBackend('cpu');
  });

  it('trains both networks with Adam, lowers the loss on a fixed batch, and leaks no tensor per step', () => {
    const task = new TextureClassifierTask(TINY_TASK);
    const trainer = new TrainStep(task, { learningRate: 1e-3 });
    const batch = hostBatchToTensors(tinyBatch(4));
    try {
      const vars = task.trainableVariables();
      const initial = vars.map((v) => v.dataSync().slice());
      const stats = task.namedVariables().find((v) => v.path === 'unet/down1/bn1/moving_mean')!.variable;
      const losses = [trainer.step(batch)]; // the first step creates Adam's slot variables
      for (let i = 0; i < 4; i++) {
        const before = tf.memory().numTensors;
        losses.push(trainer.step(batch));
        expect(tf.memory().numTensors - before, `tensors leaked by step ${i + 2}`).to.equal(0);
      }
      expect(losses.every(Number.isFinite)).to.equal(true);
      expect(losses[4]).to.be.lessThan(losses[0]);
      // Every trainable variable of both networks moved; the batch-norm statistics were updated.
      vars.forEach((v, i) => {
        const now = v.dataSync();
        expect(now.some((x, j) => x !== initial[i][j]), `${v.name} unchanged`).to.equal(true);
      });
      expect(stats.dataSync().some((x) => x !== 0)).to.equal(true);
    } finally {
      disposeBatch(batch);
      trainer.dispose();
      task.dispose();
    }
  });

  it('computes the same gradients on wasm as on the reference cpu backend', async () => {
    const grads: Record<string, Float32Array[]> = {};
    for (const backend of ['cpu', 'wasm'] as const) {
      await initBackend(backend);
      const task = new TextureClassifierTask(TINY_SQUARE_TASK);
      const trainer = new TrainStep(task);
      const batch = hostBatchToTensors(tinyBatch(3, 16, 16, 9));
      const g = trainer.computeGradients(batch, true);
      grads[backend] = task.trainableVariables().map((v) => g.grads[v.name].dataSync() as Float32Array);
      g.dispose();
      disposeBatch(batch);
      trainer.dispose();
      task.dispose();
    }
    expect(grads.wasm.length).to.equal(grads.cpu.length);
    grads.cpu.forEach((ref, i) => {
      const scale = ref.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
      assertClose(grads.wasm[i], ref, { atol: 1e-3 * scale + 1e-6, rtol: 1e-2, what: `gradient ${i}` });
    });
  });

  it('splits a batch into shards of nearly equal size and refuses mismatched tensors', () => {
    const shards = splitHostBatch(tinyBatch(5), 2);
    expect(shards.map((s) => s.images.shape[0])).to.deep.equal([3, 2]);
    expect(Array.from(shards[1].labels.values)).to.deep.equal(Array.from(tinyBatch(5).labels.values.slice(3)));
    const bad = { ...tinyBatch(4), labels: { values: new Int32Array(3), shape: [3], dtype: 'int32' as const } };
    expect(() => splitHostBatch(bad, 2)).to.throw(/'labels' has 3 samples but 'images' has 4/);
    expect(() => splitHostBatch(tinyBatch(1), 2)).to.throw(/cannot be split over 2 workers/);
  });
});
