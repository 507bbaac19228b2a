import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tf } from '../../../core/backend/tf';
import { BatchNorm } from '../../../core/nn/batch-norm';
import { Dense } from '../../../core/nn/dense';
import { VariableScope } from '../../../core/nn/variable-scope';
import { hashString, mulberry32 } from '../../../core/random';
import { runHostLoop, type HostLoopRun } from '../../../core/train/host-loop';
import { LOG_FILE } from '../../../core/train/run-folder';

/** A dense layer + batch norm fitted to y = sum(x): the batches are functions of the step. */
function tinyProblem(seed = 1) {
  const scope = VariableScope.root('tiny', seed);
  const dense = new Dense(scope.child('dense'), 4, 1);
  const bn = new BatchNorm(scope.child('bn'), 1);
  const batch = (step: number) => {
    const r = mulberry32(hashString(`batch|${step}`));
    const x = Float32Array.from({ length: 32 }, () => r() * 2 - 1);
    const y = Float32Array.from({ length: 8 }, (_, i) => x[4 * i] + x[4 * i + 1] + x[4 * i + 2] + x[4 * i + 3]);
    return { x, y };
  };
  const loss = (step: number) => {
    const { x, y } = batch(step);
    const out = bn.apply(dense.apply(tf.tensor2d(x, [8, 4])).reshape([8, 1, 1, 1]) as tf.Tensor4D, true, false);
    return tf.mean(tf.square(tf.sub(out.reshape([8]), tf.tensor1d(y)))) as tf.Scalar;
  };
  const values = () => new Map(scope.all().map((v) => [v.path, Array.from(v.variable.dataSync())]));
  return { scope, loss, values };
}

describe('core/train host loop', () => {
  const dirs: string[] = [];
  const tmp = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'retex-host-loop-'));
    dirs.push(d);
    return d;
  };
  after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  const run = (out: string, p: ReturnType<typeof tinyProblem>, extra: Partial<HostLoopRun<number>> = {}) =>
    runHostLoop<number>({
      out,
      plan: { steps: 6, learningRate: 0.05, weightDecay: 1e-4 },
      resume: false,
      variables: p.scope.all(),
      loss: p.loss,
      evaluate: async () => 0,
      checkpointEvery: 2,
      ...extra,
    });

  it('lowers the loss, logs every step and leaks no tensors per step', async () => {
    const p = tinyProblem();
    const out = tmp();
    const before = tf.memory().numTensors;
    await run(out, p, { plan: { steps: 40, learningRate: 0.05, weightDecay: 0 } });
    expect(tf.memory().numTensors).to.equal(before);
    const log = fs.readFileSync(path.join(out, LOG_FILE), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(log.map((l) => l.step)).to.deep.equal(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(log[39].loss).to.be.below(log[0].loss * 0.5);
    p.scope.disposeAll();
  });

  it('a run interrupted after a checkpoint resumes to the same weights as an uninterrupted one', async () => {
    const whole = tinyProblem();
    await run(tmp(), whole);
    const out = tmp();
    const first = tinyProblem();
    const failing = (step: number) => {
      if (step === 3) throw new Error('interrupted');
      return first.loss(step);
    };
    const message = await run(out, first, { loss: failing }).then(() => '', (e: Error) => e.message);
    expect(message).to.equal('interrupted');
    first.scope.disposeAll();
    // A fresh process: new variables from the same seed, then the checkpoint of step 2.
    const resumed = tinyProblem();
    const notes: string[] = [];
    await run(out, resumed, { resume: true, onNote: (m) => notes.push(m) });
    expect(notes.join('\n')).to.match(/checkpoint at step 2 of 6/);
    const [a, b] = [whole.values(), resumed.values()];
    for (const [k, v] of a) expect(b.get(k), k).to.deep.equal(v);
    whole.scope.disposeAll();
    resumed.scope.disposeAll();
  });

  it('refuses a folder holding another run unless resumed with the same plan', async () => {
    const p = tinyProblem();
    const out = tmp();
    await run(out, p);
    expect(await run(out, p).then(() => '', (e: Error) => e.message)).to.match(/already holds a training run.*--resume/);
    const other = await run(out, p, { resume: true, plan: { steps: 7, learningRate: 0.05, weightDecay: 1e-4 } }).then(() => '', (e: Error) => e.message);
    expect(other).to.match(/steps differ/);
    p.scope.disposeAll();
  });
});
