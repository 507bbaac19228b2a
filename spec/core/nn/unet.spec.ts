import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initBackend } from '../../../core/backend/backend';
import { tf } from '../../../core/backend/tf';
import { UNet } from '../../../core/nn/unet';
import { loadNamedWeights } from '../../../core/nn/weights-io';
import { assertClose, expectNoTensorLeak, randomArray } from '../../helpers/tensors';

/** A tiny U-Net (4-8-16-32-32 channels) on 32x16 images, so the specs stay fast. */
const TINY = { width: 1 / 16, inputSize: [32, 16] as [number, number], textureSize: [16, 16] as [number, number] };

describe('core/nn/unet', () => {
  let images: tf.Tensor4D;

  before(async () => {
    await initBackend('wasm');
    images = tf.tensor4d(randomArray(2 * 32 * 16 * 3, 21), [2, 32, 16, 3]);
  });

  after(async () => {
    images.dispose();
    await initBackend('cpu');
  });

  it('has the paper\'s channel counts times the width and names its variables by layer', () => {
    const net = new UNet({ width: 0.25 });
    try {
      expect(net.channels).to.deep.equal([16, 32, 64, 128, 128]);
      const byPath = new Map(net.namedVariables().map((v) => [v.path, v]));
      expect(byPath.get('unet/down1/conv1/kernel')!.variable.shape).to.deep.equal([3, 3, 3, 16]);
      expect(byPath.get('unet/down5/conv2/kernel')!.variable.shape).to.deep.equal([3, 3, 128, 128]);
      // up1 sees the upsampled bottleneck (128) concatenated with the down4 skip (128).
      expect(byPath.get('unet/up1/conv1/kernel')!.variable.shape).to.deep.equal([3, 3, 256, 64]);
      expect(byPath.get('unet/up4/conv1/kernel')!.variable.shape).to.deep.equal([3, 3, 32, 16]);
      expect(byPath.get('unet/out/kernel')!.variable.shape).to.deep.equal([1, 1, 16, 3]);
      expect(byPath.get('unet/down1/bn1/moving_mean')!.trainable).to.equal(false);
      // 18 convs + 18 batch norms (gamma, beta, 2 statistics) + the 1x1 head with bias.
      expect(net.namedVariables().length).to.equal(18 + 18 * 4 + 2);
      // Same count as the PyTorch peer's U-Net at width 0.25 (bench/torch/train_step.py).
      const params = net.trainableVariables().reduce((n, v) => n + v.size, 0);
      expect(params).to.equal(unetParamCount([16, 32, 64, 128, 128]));
    } finally {
      net.dispose();
    }
  });

  it('maps [B,H,W,3] images to [B,Th,Tw,3] textures in [-1,1] without leaking tensors', async () => {
    const net = new UNet(TINY);
    try {
      for (const training of [true, false]) {
        await expectNoTensorLeak(() => {
          const t = net.generate(images, training);
          expect(t.shape).to.deep.equal([2, 16, 16, 3]);
          const v = t.dataSync();
          expect(v.every((x) => x >= -1 && x <= 1)).to.equal(true);
          t.dispose();
        }, `generate(training=${training})`);
      }
    } finally {
      net.dispose();
    }
  });

  it('rejects images of the wrong size and configs it cannot build, saying what is expected', () => {
    const net = new UNet(TINY);
    try {
      expect(() => net.generate(tf.zeros([1, 16, 16, 3]) as tf.Tensor4D, false)).to.throw(/expected images \[B,32,16,3\]/);
    } finally {
      net.dispose();
    }
    expect(() => new UNet({ inputSize: [100, 64] })).to.throw(/multiples of 16/);
    expect(() => new UNet({ width: 0 })).to.throw(/width must be a positive number/);
  });

  it('two live networks with the same names do not collide (replica next to reference)', () => {
    const a = new UNet(TINY);
    const b = new UNet(TINY);
    try {
      expect(a.namedVariables()[0].path).to.equal(b.namedVariables()[0].path);
      expect(a.namedVariables()[0].variable.name).to.not.equal(b.namedVariables()[0].variable.name);
      // Same seed, same initial weights.
      assertClose(a.namedVariables()[0].variable, b.namedVariables()[0].variable, { atol: 0, rtol: 0 });
    } finally {
      a.dispose();
      b.dispose();
    }
  });

  it("'projection' input: reads textures, starts as the identity, learns a correction, reloads as one", async () => {
    expect(() => new UNet({ ...TINY, input: 'projection' })).to.throw(/inputSize must equal textureSize \[16,16\]/);
    expect(() => new UNet({ ...TINY, input: 'pixels' as 'photo' })).to.throw(/input must be one of photo, projection/);
    const net = new UNet({ ...TINY, inputSize: [16, 16], input: 'projection' });
    const projected = tf.tensor4d(randomArray(2 * 16 * 16 * 3, 5).map((v) => 0.9 * v), [2, 16, 16, 3]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retex-unet-'));
    try {
      const untrained = net.generate(projected, false);
      assertClose(untrained, projected.dataSync() as Float32Array, { atol: 1e-5, what: 'an untrained projection U-Net returns its input' });
      // The correction's layer gets a gradient (it starts at zero, so it can move).
      const vars = net.trainableVariables();
      const { grads } = tf.variableGrads(() => tf.sum(tf.mul(net.generate(projected, true), projected)) as tf.Scalar, vars);
      const outKernel = net.namedVariables().find((v) => v.path === 'unet/out/kernel')!.variable;
      const g = grads[outKernel.name];
      expect(tf.tidy(() => g.abs().max().dataSync()[0])).to.be.greaterThan(0);
      tf.dispose(Object.values(grads));
      await net.save(dir);
      const loaded = await UNet.load(dir);
      expect(loaded.input).to.equal('projection');
      loaded.dispose();
      untrained.dispose();
    } finally {
      projected.dispose();
      net.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('saves atomically to a directory and loads back the same network', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retex-unet-'));
    const net = new UNet({ ...TINY, seed: 7 });
    try {
      // Move the statistics away from their initial values so that saving them is tested too.
      tf.dispose(net.generate(images, true));
      await net.save(dir);
      const files = fs.readdirSync(dir).sort();
      expect(files).to.have.length(2);
      expect(files[0]).to.match(/^weights-[0-9a-f]{16}\.bin$/);
      expect(files[1]).to.equal('weights.json');
      const before = tf.memory().numTensors;
      const loaded = await UNet.load(dir);
      // The loaded network holds its variables and nothing else (the file's tensors are let go).
      expect(tf.memory().numTensors - before).to.equal(loaded.namedVariables().length);
      try {
        expect(loaded.config).to.deep.equal(net.config);
        const a = net.generate(images, false);
        const b = loaded.generate(images, false);
        assertClose(b, a, { atol: 0, rtol: 0, what: 'texture after reload' });
        tf.dispose([a, b]);
      } finally {
        loaded.dispose();
      }
      // A second save replaces the manifest and removes the old .bin.
      tf.dispose(net.generate(images, true));
      await net.save(dir);
      expect(fs.readdirSync(dir).filter((f) => f.endsWith('.bin'))).to.have.length(1);
    } finally {
      net.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses weights of another shape, naming the variable', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retex-unet-'));
    const net = new UNet(TINY);
    try {
      await net.save(dir);
      const manifestPath = path.join(dir, 'weights.json');
      const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
      const bigger = new UNet({ ...TINY, width: 1 / 8 });
      try {
        const { weights } = await loadNamedWeights(dir);
        expect(() => bigger.setWeights(weights)).to.throw(/weight 'unet\/down1\/conv1\/kernel' has shape \[3,3,3,4\], expected \[3,3,3,8\]/);
        tf.dispose([...weights.values()]);
      } finally {
        bigger.dispose();
      }
      expect(manifest.format).to.equal('retex-weights');
      await expectRejects(UNet.load(path.join(dir, 'missing')), /weights manifest .*missing.weights.json does not exist/);
    } finally {
      net.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

async function expectRejects(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await p;
  } catch (err) {
    expect((err as Error).message).to.match(pattern);
    return;
  }
  expect.fail('expected a rejection');
}

/** Parameters of the U-Net from its layer shapes, counted independently of the implementation. */
function unetParamCount(ch: number[]): number {
  const dc = (i: number, o: number): number => 9 * i * o + 2 * o + 9 * o * o + 2 * o;
  let n = dc(3, ch[0]);
  for (let i = 1; i < 5; i++) n += dc(ch[i - 1], ch[i]);
  const upOut = [ch[2], ch[1], ch[0], ch[0]];
  let carried = ch[4];
  for (let i = 0; i < 4; i++) {
    n += dc(carried + ch[3 - i], upOut[i]);
    carried = upOut[i];
  }
  return n + carried * 3 + 3;
}
