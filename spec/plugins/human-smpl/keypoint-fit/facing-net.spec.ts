import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initBackend } from '../../../../core/backend/backend';
import { tf } from '../../../../core/backend/tf';
import { SeededRandom } from '../../../../core/synth/random';
import { facingTarget } from '../../../../core/train/facing-target';
import { defaultFacingModel, FacingNet } from '../../../../plugins/human-smpl/keypoint-fit/facing-net';
import { augmentInto, evaluateFacingNet, readFacingSamples, trainFacingNet } from '../../../../plugins/human-smpl/keypoint-fit/facing-net-trainer';
import { HUMAN_SYNTH } from '../../../../plugins/human-smpl/synth/market-synth';
import { assertClose, expectNoTensorLeak, randomArray } from '../../../helpers/tensors';

describe('plugins/human-smpl person facing network', () => {
  let root: string;
  let set: string;

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'retex-facing-net-'));
    set = path.join(root, 'people');
    // Seed 123: people no shipped network was trained on (the shipped one learnt from seed 5).
    await HUMAN_SYNTH.run({ out: set, subjects: 16, imagesPerSubject: 5, size: [128, 64], seed: 123 });
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('maps a batch of crops to one logit each without leaking, and refuses other input sizes', async () => {
    const net = new FacingNet({ inputSize: [64, 32], width: 0.25 });
    try {
      const x = tf.tensor4d(randomArray(2 * 64 * 32 * 3), [2, 64, 32, 3]);
      const shape = await expectNoTensorLeak(() => {
        const out = net.apply(x, false);
        const s = out.shape;
        out.dispose();
        return s;
      });
      expect(shape).to.deep.equal([2]);
      expect(() => net.apply(tf.zeros([1, 32, 32, 3]) as tf.Tensor4D, false)).to.throw(/expected input \[B,64,32,3\]/);
      x.dispose();
    } finally {
      net.dispose();
    }
    expect(() => new FacingNet({ inputSize: [100, 64] })).to.throw(/multiples of 16/);
  });

  it('reads an image of any size and its mirror the same way (a mirror does not turn a person round)', async () => {
    const net = new FacingNet({ inputSize: [64, 32], width: 0.25, seed: 2 });
    const image = tf.tensor3d(randomArray(90 * 40 * 3, 4), [90, 40, 3]);
    const mirror = tf.reverse(image, 1);
    try {
      const [a, b] = await expectNoTensorLeak(async () => [await net.logit(image), await net.logit(mirror)]);
      expect(a).to.be.closeTo(b, 1e-5);
    } finally {
      tf.dispose([image, mirror]);
      net.dispose();
    }
  });

  it('saves and loads its weights and config; says which folder holds no network', async () => {
    const dir = path.join(root, 'saved');
    const net = new FacingNet({ inputSize: [64, 32], width: 0.25, seed: 3 });
    const x = tf.tensor4d(randomArray(64 * 32 * 3, 5), [1, 64, 32, 3]);
    try {
      await net.save(dir);
      const again = await FacingNet.load(dir);
      const [a, b] = [net.apply(x, false), again.apply(x, false)];
      assertClose(b, a, { what: 'logit' });
      expect(again.config).to.deep.equal(net.config);
      tf.dispose([a, b]);
      again.dispose();
      const message = await FacingNet.load(path.join(dir, 'nothing')).then(() => '', (e: Error) => e.message);
      expect(message).to.contain(path.join(dir, 'nothing'));
    } finally {
      x.dispose();
      net.dispose();
    }
  });

  it('labels synthetic people from their true pose and augments them deterministically, in range', async () => {
    const samples = await readFacingSamples([set], [128, 64]);
    expect(samples).to.have.length(80);
    expect(facingTarget(-1)).to.be.above(0.99);
    expect(facingTarget(1)).to.be.below(0.01);
    expect(facingTarget(0)).to.equal(0.5);
    const fronts = samples.filter((s) => s.forwardZ < -0.3).length;
    const backs = samples.filter((s) => s.forwardZ > 0.3).length;
    expect(fronts).to.be.above(10);
    expect(backs).to.be.above(10);
    const [a, b, c] = [0, 0, 1].map((k) => {
      const out = new Float32Array(128 * 64 * 3);
      augmentInto(out, 0, samples[0], 128, 64, SeededRandom.of(9, k));
      return out;
    });
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).to.equal(true);
    expect(Buffer.from(a.buffer).equals(Buffer.from(c.buffer))).to.equal(false);
    for (const v of c) expect(Math.abs(v)).to.be.at.most(1);
  });

  it('trains a few steps into a run folder whose model loads', async () => {
    const out = path.join(root, 'run');
    const plan = { network: { inputSize: [128, 64] as [number, number], width: 0.25, seed: 1 }, steps: 3, batch: 4, learningRate: 1e-3, weightDecay: 1e-4, validationShare: 0.25, seed: 0 };
    const result = await trainFacingNet({ data: [set], out, plan });
    expect(result.eval.count).to.be.above(0);
    const net = await FacingNet.load(result.modelDir);
    net.dispose();
    expect(JSON.parse(fs.readFileSync(path.join(out, 'eval.json'), 'utf8')).steps).to.equal(3);
  });

  it('the shipped network tells front from back on people it never saw (>= 85 %)', async () => {
    await initBackend('wasm');
    const net = await FacingNet.load(defaultFacingModel());
    try {
      const figures = await expectNoTensorLeak(async () => evaluateFacingNet(net, await readFacingSamples([set], net.config.inputSize)));
      expect(figures.accuracy).to.be.at.least(0.85);
    } finally {
      net.dispose();
      await initBackend('cpu');
    }
  });
});
