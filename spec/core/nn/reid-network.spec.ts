import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initBackend } from '../../../core/backend/backend';
import { tf } from '../../../core/backend/tf';
import { adaptiveRowRanges, stripePool } from '../../../core/nn/reid-heads';
import { ReidNetwork, validateReidConfig } from '../../../core/nn/reid-network';
import { assertClose, expectNoTensorLeak, randomArray } from '../../helpers/tensors';

const TINY = { depth: 18 as const, width: 0.125, inputSize: [64, 32] as [number, number], stripes: 4, localDim: 8, numClasses: 5 };

describe('core/nn/reid-network', () => {
  it("pools stripes over PyTorch's adaptive row ranges (overlapping when P does not divide H)", () => {
    expect(adaptiveRowRanges(24, 6)).to.deep.equal([[0, 4], [4, 8], [8, 12], [12, 16], [16, 20], [20, 24]]);
    expect(adaptiveRowRanges(8, 6)).to.deep.equal([[0, 2], [1, 3], [2, 4], [4, 6], [5, 7], [6, 8]]);
    const x = tf.tensor4d(Array.from({ length: 8 * 2 }, (_, i) => Math.floor(i / 2)), [1, 8, 2, 1]); // row r holds r
    const pooled = stripePool(x, 6);
    assertClose(pooled, [0.5, 1.5, 2.5, 4.5, 5.5, 6.5]);
    tf.dispose([x, pooled]);
  });

  it('gives four stages of the documented shapes for pcb (last stride 1) and resnet (last stride 2)', async () => {
    for (const [arch, last] of [['pcb', 4], ['resnet', 2]] as const) {
      const net = new ReidNetwork({ ...TINY, arch });
      const x = tf.tensor4d(randomArray(2 * 64 * 32 * 3), [2, 64, 32, 3]);
      const stages = await expectNoTensorLeak(() => {
        const f = net.features(x);
        const shapes = f.map((t) => t.shape);
        tf.dispose(f);
        return shapes;
      }, 'features');
      expect(stages).to.deep.equal([[2, 16, 8, 8], [2, 8, 4, 16], [2, 4, 2, 32], [2, last, last / 2, 64]]);
      const out = net.forward(x, false);
      expect(out.logits).to.have.length(arch === 'pcb' ? 4 : 1);
      expect(out.logits[0].shape).to.deep.equal([2, 5]);
      expect(out.embedding.shape).to.deep.equal([2, arch === 'pcb' ? 32 : 64]);
      tf.dispose([x, ...out.stages, ...out.logits, out.embedding]);
      net.dispose();
    }
  });

  it('differentiates the features w.r.t. the input image as finite differences do', () => {
    const net = new ReidNetwork({ ...TINY, arch: 'pcb' });
    const x = tf.tensor4d(randomArray(64 * 32 * 3, 7), [1, 64, 32, 3]);
    const weight = net.features(x).map((t, i) => {
      const w = tf.tensor(randomArray(t.size, 20 + i), t.shape);
      t.dispose();
      return w;
    });
    const loss = (im: tf.Tensor4D): tf.Scalar =>
      tf.tidy(() => tf.addN(net.features(im).map((t, i) => tf.sum(tf.mul(t, weight[i])))) as tf.Scalar);
    const grad = tf.grad((im: tf.Tensor) => loss(im as tf.Tensor4D))(x);
    // Directional derivatives along random directions, with a step small enough (1e-4 per element) that
    // few ReLU or max-pool kinks are crossed; larger steps drift by several percent in the deep stages.
    const g = grad.dataSync() as Float32Array;
    const base = x.dataSync() as Float32Array;
    const eps = 1e-4;
    for (const seed of [11, 12, 13]) {
      const d = randomArray(base.length, seed);
      const at = (sign: number): number =>
        tf.tidy(() => loss(tf.tensor4d(base.map((v, i) => v + sign * eps * d[i]), x.shape as [number, number, number, number])).dataSync()[0]);
      const fd = (at(1) - at(-1)) / (2 * eps);
      let analytic = 0;
      for (let i = 0; i < g.length; i++) analytic += g[i] * d[i];
      expect(analytic, `direction ${seed}`).to.be.closeTo(fd, 2e-2 * Math.max(1, Math.abs(fd)));
    }
    tf.dispose([x, grad, ...weight]);
    net.dispose();
  });

  it('computes the same features and gradients on wasm as on cpu', async () => {
    const x = tf.tensor4d(randomArray(2 * 64 * 32 * 3, 3), [2, 64, 32, 3]);
    const run = (): { f: Float32Array[]; g: Float32Array } => {
      const net = new ReidNetwork({ ...TINY, arch: 'pcb' });
      const xi = tf.tensor4d(x.dataSync() as Float32Array, x.shape as [number, number, number, number]);
      const f = net.features(xi).map((t) => {
        const v = t.dataSync() as Float32Array;
        t.dispose();
        return v;
      });
      const g = tf.grad((im: tf.Tensor) => tf.addN(net.features(im as tf.Tensor4D).map((t) => tf.mean(tf.square(t)))))(xi);
      const gv = g.dataSync() as Float32Array;
      tf.dispose([g, xi]);
      net.dispose();
      return { f, g: gv };
    };
    const cpu = run();
    await initBackend('wasm');
    try {
      const wasm = await expectNoTensorLeak(run, 'wasm features + gradient');
      cpu.f.forEach((f, i) => assertClose(wasm.f[i], f, { atol: 1e-4, rtol: 1e-3, what: `stage ${i + 1}` }));
      assertClose(wasm.g, cpu.g, { atol: 1e-6, rtol: 1e-2, what: 'input gradient' });
    } finally {
      await initBackend('cpu');
      x.dispose();
    }
  });

  it('saves and loads to the same numbers, and names the bad weight of a wrong folder', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retex-reid-'));
    const net = new ReidNetwork({ ...TINY, arch: 'resnet', seed: 9 });
    await net.save(dir);
    const loaded = await ReidNetwork.load(dir);
    const x = tf.tensor4d(randomArray(64 * 32 * 3, 4), [1, 64, 32, 3]);
    const a = net.features(x);
    const b = loaded.features(x);
    a.forEach((t, i) => assertClose(b[i], t, { atol: 0, rtol: 0 }));
    tf.dispose([x, ...a, ...b]);
    loaded.dispose();
    // Same names, other shapes: a wider network's folder.
    const wide = new ReidNetwork({ ...TINY, arch: 'resnet', width: 0.25 });
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'retex-reid-'));
    await wide.save(other);
    wide.dispose();
    const manifest = JSON.parse(fs.readFileSync(path.join(other, 'weights.json'), 'utf8'));
    manifest.metadata.config.width = 0.125;
    fs.writeFileSync(path.join(other, 'weights.json'), JSON.stringify(manifest));
    let message = '';
    await ReidNetwork.load(other).catch((err: Error) => (message = err.message));
    expect(message).to.contain(other).and.to.match(/reid\/conv1\/kernel' has shape \[7,7,3,16\], expected \[7,7,3,8\]/);
    net.dispose();
  });

  it('rejects bad configs naming the field and what is allowed', () => {
    expect(() => validateReidConfig({ depth: 20 as never })).to.throw(/depth must be 18, 34, 50/);
    expect(() => validateReidConfig({ inputSize: [16, 8] })).to.throw(/inputSize must be two integers in 32..1024/);
    expect(() => validateReidConfig({ arch: 'vgg' as never })).to.throw(/arch must be 'pcb' or 'resnet'/);
    expect(validateReidConfig({ arch: 'resnet' }).lastStride).to.equal(2);
    expect(validateReidConfig({ arch: 'pcb' }).lastStride).to.equal(1);
  });
});
