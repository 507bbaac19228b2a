import { expect } from 'chai';
import { initBackend } from '../../../core/backend/backend';
import { tf } from '../../../core/backend/tf';
import { DataParallelTrainer } from '../../../core/train/data-parallel';
import { disposeBatch, hostBatchToTensors } from '../../../core/train/host-tensors';
import { TextureClassifierTask, textureClassifierTaskSpec } from '../../../core/train/texture-classifier-task';
import { DEFAULT_LEARNING_RATE, TrainStep } from '../../../core/train/train-step';
import { assertClose } from '../../helpers/tensors';
import { TINY_TASK, tinyBatch } from './tiny-task';

describe('core/train/data-parallel', () => {
  let dp: DataParallelTrainer;

  before(async () => {
    await initBackend('wasm');
    dp = await DataParallelTrainer.start({ task: textureClassifierTaskSpec(TINY_TASK), workers: 2, backend: 'wasm' });
  });

  after(async () => {
    await dp?.dispose();
    await initBackend('cpu');
  });

  it('starts one replica per worker on the requested backend with the task\'s variables', () => {
    expect(dp.workerCount).to.equal(2);
    expect(dp.backend).to.equal('wasm');
    expect(dp.layout[0].path).to.equal('unet/down1/conv1/kernel');
  });

  it('gives the single-process gradients of the whole batch (batch norm in inference mode)', async () => {
    const batch = tinyBatch(5); // uneven shards (3 + 2): the average must weight them by size
    const parallel = await dp.computeGradients(batch, false);
    const task = new TextureClassifierTask(TINY_TASK);
    const trainer = new TrainStep(task);
    const tensors = hostBatchToTensors(batch);
    const single = trainer.computeGradients(tensors, false);
    try {
      expect(parallel.loss).to.be.closeTo(single.loss.dataSync()[0], 1e-5);
      const named = task.namedVariables().filter((v) => v.trainable);
      expect([...parallel.grads.keys()]).to.deep.equal(named.map((v) => v.path));
      for (const v of named) {
        const ref = single.grads[v.variable.name].dataSync() as Float32Array;
        const scale = ref.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
        assertClose(parallel.grads.get(v.path)!, ref, { atol: 1e-4 * scale + 1e-7, rtol: 1e-3, what: v.path });
      }
    } finally {
      single.dispose();
      disposeBatch(tensors);
      trainer.dispose();
      task.dispose();
    }
  });

  it('keeps replica weights equal to a single-process Adam step on the same gradients', async () => {
    const batch = tinyBatch(4, 32, 16, 17);
    const task = new TextureClassifierTask(TINY_TASK);
    const trainer = new TrainStep(task);
    try {
      // Start the reference from the replicas' current weights (earlier tests may have trained them).
      const start = await dp.readWeights();
      const initial = new Map([...start].map(([k, v]) => [k, tf.tensor(v, findShape(task, k))]));
      task.setWeights(initial);
      tf.dispose([...initial.values()]);
      const parallelLoss = await dp.step(batch, false);
      const tensors = hostBatchToTensors(batch);
      const g = trainer.computeGradients(tensors, false);
      const gradients = new Map(Object.entries(g.grads).map(([name, t]) => [name, t.dataSync() as Float32Array]));
      trainer.applyGradients(g.grads);
      expect(parallelLoss).to.be.closeTo(g.loss.dataSync()[0], 1e-5);
      g.dispose();
      disposeBatch(tensors);
      const after = await dp.readWeights();
      // Adam's first step moves every weight by about lr * g / |g|: where a gradient is rounding noise (the two
      // shards' sums round differently from the whole batch's), its sign is too, so those weights may differ by
      // up to 2 lr; every other weight must match.
      const lr = DEFAULT_LEARNING_RATE;
      for (const v of task.namedVariables()) {
        const got = after.get(v.path)!;
        const want = v.variable.dataSync();
        const grad = gradients.get(v.variable.name);
        const scale = grad ? grad.reduce((a, x) => Math.max(a, Math.abs(x)), 0) : 0;
        const clear = (i: number): boolean => grad == null || Math.abs(grad[i]) >= 1e-3 * scale;
        const idx = [...want.keys()];
        assertClose(idx.filter(clear).map((i) => got[i]), idx.filter(clear).map((i) => want[i]), { atol: 1e-6, rtol: 1e-4, what: v.path });
        assertClose(got, want, { atol: 2 * lr + 1e-6, rtol: 0, what: `${v.path} (near-zero gradients)` });
      }
      const moved = task.namedVariables().some((v) => v.variable.dataSync().some((x, i) => x !== start.get(v.path)![i]));
      expect(moved).to.equal(true);
    } finally {
      trainer.dispose();
      task.dispose();
    }
  });

  it('trains in batch-norm training mode (ghost batch norm), reports a finite loss and leaks no tensor in the workers', async () => {
    const loss = await dp.step(tinyBatch(4, 32, 16, 5));
    expect(Number.isFinite(loss)).to.equal(true);
    const before = dp.lastStepTimings!.numTensors;
    await dp.step(tinyBatch(4, 32, 16, 6));
    await dp.step(tinyBatch(4, 32, 16, 7));
    expect(dp.lastStepTimings!.numTensors).to.deep.equal(before);
    expect(dp.lastStepTimings!.gradientMs).to.have.length(2);
  });

  it('rejects a task module that does not exist, naming it', async () => {
    let error: Error | null = null;
    try {
      await DataParallelTrainer.start({ task: { module: '/nonexistent/task.js', exportName: 'x', options: {} }, workers: 1, backend: 'wasm' });
    } catch (err) {
      error = err as Error;
    }
    expect(error?.message).to.match(/could not start: .*\/nonexistent\/task\.js/s);
  });
});

function findShape(task: TextureClassifierTask, path: string): number[] {
  return task.namedVariables().find((v) => v.path === path)!.variable.shape;
}
