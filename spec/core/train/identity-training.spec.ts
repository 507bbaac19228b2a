import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initBackend } from '../../../core/backend/backend';
import { tf } from '../../../core/backend/tf';
import type { Dataset, Sample } from '../../../core/interfaces/dataset';
import { ReidNetwork } from '../../../core/nn/reid-network';
import { mulberry32 } from '../../../core/random';
import { HostAdam } from '../../../core/train/host-adam';
import { augmentImage } from '../../../core/train/identity/augment';
import { loadCheckpoint } from '../../../core/train/checkpoint';
import { evaluateIdentityNetwork } from '../../../core/train/identity/identity-eval';
import { batchHardTriplet, IdentityTask } from '../../../core/train/identity/identity-task';
import { trainIdentityNetwork, type IdentityTrainPlan } from '../../../core/train/identity/identity-trainer';
import { TrainStep } from '../../../core/train/train-step';
import { assertClose, expectNoTensorLeak, randomArray } from '../../helpers/tensors';

const H = 32;
const W = 32;

/** A data set in memory: identity i's images are noisy versions of one colour pattern. */
function tinyDataset(identities: number, perIdentity: number): Dataset {
  const make = (split: string, offset: number): Sample[] =>
    Array.from({ length: identities * perIdentity }, (_, k) => {
      const identity = Math.floor(k / perIdentity) + 1;
      return { id: `${split}-${k}`, identity, imagePath: `/memory/${split}/${k}.png`, annotations: { camera: 1 + ((k + offset) % 2) } };
    });
  const splits: Record<string, Sample[]> = { train: make('train', 0), query: make('query', 0), gallery: make('gallery', 1) };
  return {
    id: 'tiny',
    samples: (split) => {
      if (!splits[split]) throw new Error(`no split ${split}`);
      return splits[split];
    },
    loadImage: async (s) => {
      const random = mulberry32(s.identity * 1000 + Number(s.id.split('-')[1]));
      const colour = [((s.identity * 37) % 7) / 7, ((s.identity * 53) % 5) / 5, ((s.identity * 11) % 3) / 3];
      const v = Float32Array.from({ length: H * W * 3 }, (_, i) => {
        const row = Math.floor(i / (W * 3));
        const c = i % 3;
        return (row < H / 2 ? colour[c] : colour[(c + 1) % 3]) * 2 - 1 + (random() - 0.5) * 0.2;
      });
      return tf.tensor3d(v, [H, W, 3]);
    },
  };
}

const PLAN: IdentityTrainPlan = {
  network: { arch: 'pcb', depth: 18, width: 0.125, stripes: 2, localDim: 8, inputSize: [32, 32] },
  steps: 6,
  identitiesPerBatch: 3,
  imagesPerIdentity: 2,
  learningRate: 1e-3,
  weightDecay: 5e-4,
  tripletMargin: 0.3,
  seed: 4,
  augment: {},
  storeSize: [H, W],
};

describe('core/train/identity', () => {
  it('HostAdam makes the same updates as tfjs Adam (no weight decay) and adds L2 decay to the gradient', () => {
    const w0 = randomArray(10, 1);
    const grads = [randomArray(10, 2), randomArray(10, 3), randomArray(10, 4)];
    const variable = tf.variable(tf.tensor1d(w0));
    const opt = tf.train.adam(0.01, 0.9, 0.999, 1e-8);
    for (const g of grads) opt.applyGradients({ [variable.name]: tf.tensor1d(g) } as unknown as Parameters<typeof opt.applyGradients>[0]);
    const host = new HostAdam();
    const weights = new Map([['w', Float32Array.from(w0)]]);
    for (const g of grads) host.update(weights, new Map([['w', g]]), 0.01);
    assertClose(weights.get('w')!, variable, { atol: 1e-6, rtol: 1e-5 });
    const decayed = new HostAdam({ weightDecay: 0.5 });
    const dw = new Map([['w', Float32Array.from([2])]]);
    decayed.update(dw, new Map([['w', Float32Array.from([-1])]]), 0.1); // g + wd*w = 0: no step
    expect(dw.get('w')![0]).to.equal(2);
    opt.dispose();
    variable.dispose();
  });

  it('computes the batch-hard triplet loss as a brute-force loop does', () => {
    const e = tf.tensor2d(randomArray(6 * 4, 5), [6, 4]);
    const labels = tf.tensor1d([0, 0, 1, 1, 2, 2], 'int32');
    const got = batchHardTriplet(e, labels, 0.3).dataSync()[0];
    const v = e.arraySync().map((r) => {
      const n = Math.hypot(...r);
      return r.map((x) => x / n);
    });
    const dist = (a: number[], b: number[]): number => Math.hypot(...a.map((x, i) => x - b[i]));
    const lab = [0, 0, 1, 1, 2, 2];
    let sum = 0;
    for (let i = 0; i < 6; i++) {
      let pos = 0;
      let neg = Infinity;
      for (let j = 0; j < 6; j++) {
        if (lab[j] === lab[i]) pos = Math.max(pos, dist(v[i], v[j]));
        else neg = Math.min(neg, dist(v[i], v[j]));
      }
      sum += Math.max(0, pos - neg + 0.3);
    }
    expect(got).to.be.closeTo(sum / 6, 1e-4);
    tf.dispose([e, labels]);
  });

  it('augments deterministically for a seed, within [-1,1], and changes the image', () => {
    const src = Uint8Array.from({ length: H * W * 3 }, (_, i) => (i * 7) % 256);
    const a = new Float32Array(src.length);
    const b = new Float32Array(src.length);
    augmentImage(src, H, W, a, mulberry32(9));
    augmentImage(src, H, W, b, mulberry32(9));
    expect(Array.from(a)).to.deep.equal(Array.from(b));
    expect(Math.min(...a)).to.be.at.least(-1);
    expect(Math.max(...a)).to.be.at.most(1);
    const plain = Array.from(src, (x) => x / 127.5 - 1);
    expect(a.some((x, i) => Math.abs(x - plain[i]) > 0.05)).to.equal(true);
  });

  it('leaks no tensor in a training step of the identity task', async () => {
    const task = new IdentityTask({ network: { ...PLAN.network, numClasses: 3 }, tripletMargin: 0.3 });
    const step = new TrainStep(task, { learningRate: 1e-3 });
    const batch = { images: tf.tensor4d(randomArray(6 * H * W * 3), [6, H, W, 3]), labels: tf.tensor1d([0, 0, 1, 1, 2, 2], 'int32') };
    step.step(batch); // the optimiser's slots are created on the first step
    await expectNoTensorLeak(() => step.step(batch), 'identity training step');
    tf.dispose(Object.values(batch));
    step.dispose();
    task.dispose();
  });

  describe('a training run on wasm workers', () => {
    let root: string;
    before(async () => {
      await initBackend('wasm');
      root = fs.mkdtempSync(path.join(os.tmpdir(), 'retex-identity-'));
    });
    after(async () => {
      await initBackend('cpu');
    });

    it('resumed after a stop, ends with the same weights as an uninterrupted run', async () => {
      const dataset = tinyDataset(4, 4);
      const common = { dataset, plan: PLAN, workers: 2, backend: 'wasm' as const, checkpointEvery: 100, resume: false };
      const whole = await trainIdentityNetwork({ ...common, out: path.join(root, 'whole') });
      expect(whole.completed).to.equal(true);
      let steps = 0;
      const part = await trainIdentityNetwork({ ...common, out: path.join(root, 'split'), shouldStop: () => ++steps === 2 });
      expect(part).to.include({ completed: false, step: 2 });
      const rest = await trainIdentityNetwork({ ...common, out: path.join(root, 'split'), resume: true });
      expect(rest).to.include({ completed: true, step: 6 });
      const a = await loadCheckpoint(path.join(root, 'whole', 'checkpoint'));
      const b = await loadCheckpoint(path.join(root, 'split', 'checkpoint'));
      expect([...b.weights.keys()]).to.deep.equal([...a.weights.keys()]);
      for (const [k, v] of a.weights) expect(Array.from(b.weights.get(k)!), k).to.deep.equal(Array.from(v));
      const log = fs.readFileSync(path.join(root, 'split', 'train-log.jsonl'), 'utf8').trim().split('\n');
      expect(log.map((l) => JSON.parse(l).step)).to.deep.equal([1, 2, 3, 4, 5, 6]);
      expect(fs.existsSync(path.join(root, 'split', 'loss-curve.png'))).to.equal(true);
      const net = await ReidNetwork.load(path.join(root, 'split', 'model'));
      const evaluation = await evaluateIdentityNetwork(net, dataset);
      expect(evaluation.protocol).to.equal('market1501');
      expect(evaluation.queries).to.equal(16);
      net.dispose();
    });

    it('refuses a folder holding another run, other settings on resume, and a one-identity set', async () => {
      const dataset = tinyDataset(4, 4);
      const common = { dataset, plan: PLAN, workers: 1, backend: 'wasm' as const, checkpointEvery: 100 };
      let message = '';
      await trainIdentityNetwork({ ...common, out: path.join(root, 'whole'), resume: false }).catch((e: Error) => (message = e.message));
      expect(message).to.match(/already holds a training run.*--resume/);
      await trainIdentityNetwork({ ...common, plan: { ...PLAN, learningRate: 0.1 }, out: path.join(root, 'whole'), resume: true }).catch(
        (e: Error) => (message = e.message),
      );
      expect(message).to.match(/other settings \(learningRate differ/);
      await trainIdentityNetwork({ ...common, dataset: tinyDataset(1, 4), out: path.join(root, 'one'), resume: false }).catch(
        (e: Error) => (message = e.message),
      );
      expect(message).to.match(/holds 1 identity: a re-ID network needs at least 2/);
    });
  });
});
