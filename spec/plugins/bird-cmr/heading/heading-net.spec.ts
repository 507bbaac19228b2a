import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initBackend } from '../../../../core/backend/backend';
import { tf } from '../../../../core/backend/tf';
import { SeededRandom } from '../../../../core/synth/random';
import { HeadingNet, validateHeadingNetConfig } from '../../../../plugins/bird-cmr/heading/heading-net';
import { headingModelKeypoints, renderHeadingSample } from '../../../../plugins/bird-cmr/heading/heading-samples';
import { evaluateHeadingNet } from '../../../../plugins/bird-cmr/heading/heading-trainer';
import { cropPixels, headingWindow } from '../../../../plugins/bird-cmr/heading/heading-window';
import { defaultHeadingModel } from '../../../../plugins/bird-cmr/predictors/photo';
import { buildBirdMeanShape } from '../../../../plugins/bird-cmr/shape/mean-shape';
import { assertClose, expectNoTensorLeak, randomArray } from '../../../helpers/tensors';

describe('plugins/bird-cmr heading network', () => {
  const shape = buildBirdMeanShape(3);
  const keypoints = headingModelKeypoints(shape);

  it('maps a crop to beak/tail heatmaps at a quarter of its size and two facing logits, without leaking', async () => {
    const net = new HeadingNet({ inputSize: 32, width: 0.25 });
    try {
      const x = tf.tensor4d(randomArray(2 * 32 * 32 * 3), [2, 32, 32, 3]);
      const out = await expectNoTensorLeak(() => {
        const o = net.apply(x, false);
        const shapes = [o.maps.shape, o.facing.shape];
        tf.dispose([o.maps, o.facing]);
        return shapes;
      });
      expect(out).to.deep.equal([[2, 8, 8, 2], [2, 2]]);
      expect(() => net.apply(tf.zeros([1, 16, 16, 3]) as tf.Tensor4D, false)).to.throw(/expected input \[B,32,32,3\]/);
      x.dispose();
    } finally {
      net.dispose();
    }
    expect(() => new HeadingNet({ inputSize: 30 })).to.throw(/multiple of 8/);
  });

  it('with bodyMask, also maps the crop to a body map at the heatmaps\' size; without it, has none', async () => {
    const x = tf.tensor4d(randomArray(2 * 32 * 32 * 3), [2, 32, 32, 3]);
    for (const bodyMask of [true, false]) {
      const net = new HeadingNet({ inputSize: 32, width: 0.25, bodyMask });
      try {
        const shapes = await expectNoTensorLeak(() => {
          const o = net.apply(x, false);
          const out = [o.maps.shape, o.facing.shape, o.body?.shape ?? null];
          tf.dispose([o.maps, o.facing, ...(o.body ? [o.body] : [])]);
          return out;
        });
        expect(shapes).to.deep.equal([[2, 8, 8, 2], [2, 2], bodyMask ? [2, 8, 8, 1] : null]);
      } finally {
        net.dispose();
      }
    }
    x.dispose();
    // Networks saved before the body map (no bodyMask in their config) load without one.
    expect(validateHeadingNetConfig({ inputSize: 32 }).bodyMask).to.equal(false);
    expect(() => new HeadingNet({ bodyMask: 'yes' as unknown as boolean })).to.throw(/bodyMask must be true or false/);
  });

  it('saves and loads its weights and config; says which folder holds no network', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retex-heading-'));
    const net = new HeadingNet({ inputSize: 32, width: 0.25, seed: 3 });
    const x = tf.tensor4d(randomArray(32 * 32 * 3, 5), [1, 32, 32, 3]);
    try {
      await net.save(dir);
      const again = await HeadingNet.load(dir);
      const [a, b] = [net.apply(x, false), again.apply(x, false)];
      assertClose(b.maps, a.maps, { what: 'maps' });
      assertClose(b.facing, a.facing, { what: 'facing' });
      expect(again.config).to.deep.equal(net.config);
      tf.dispose([a.maps, a.facing, b.maps, b.facing]);
      again.dispose();
      const message = await HeadingNet.load(path.join(dir, 'nothing')).then(() => '', (e: Error) => e.message);
      expect(message).to.contain(path.join(dir, 'nothing'));
    } finally {
      x.dispose();
      net.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('renders training crops deterministically, with labels in range', () => {
    const a = renderHeadingSample(shape, keypoints, SeededRandom.of(1, 'spec', 0));
    const b = renderHeadingSample(shape, keypoints, SeededRandom.of(1, 'spec', 0));
    const c = renderHeadingSample(shape, keypoints, SeededRandom.of(1, 'spec', 1));
    expect(a.pixels).to.have.length(64 * 64 * 3);
    expect(Buffer.from(a.pixels).equals(Buffer.from(b.pixels))).to.equal(true);
    expect(Buffer.from(a.pixels).equals(Buffer.from(c.pixels))).to.equal(false);
    expect(Buffer.from(a.body).equals(Buffer.from(b.body))).to.equal(true);
    for (const s of [a, c]) {
      // The body map: a 16 x 16 share per cell, some cells fully covered, some not at all.
      expect(s.body).to.have.length(16 * 16);
      expect(Math.max(...s.body)).to.equal(255);
      expect(Math.min(...s.body)).to.equal(0);
      for (const v of s.points) expect(Math.abs(v)).to.be.lessThan(1.5);
      expect(Math.abs(s.forwardZ)).to.be.at.most(1);
      expect(Math.abs(s.upZ)).to.be.at.most(1);
    }
  });

  it('crops on the host with clamped edges, as the training crops are', () => {
    const rgb = Float32Array.from({ length: 16 * 16 * 3 }, (_, i) => (i % 48) / 48);
    const same = cropPixels(rgb, 16, 16, { x: 0, y: 0, width: 16, height: 16 }, 16);
    // A horizontal ramp sampled at quarter-pixel offsets averages back to itself inside the image.
    for (let x = 1; x < 15; x++) expect(same[3 * (8 * 16 + x)]).to.be.closeTo(rgb[3 * (8 * 16 + x)], 1e-6);
    // Past the image the border pixel continues.
    const out = cropPixels(rgb, 16, 16, { x: -16, y: 0, width: 16, height: 16 }, 4);
    expect(out[0]).to.be.closeTo(rgb[0], 1e-6);
    const w = headingWindow([10, 20, 40, 20]);
    expect(w).to.deep.equal({ x: 6, y: 6, width: 48, height: 48 });
  });

  it('the shipped network finds which way held-out rendered birds point (>= 85 %)', async () => {
    await initBackend('wasm');
    const net = await HeadingNet.load(defaultHeadingModel());
    try {
      const samples = Array.from({ length: 40 }, (_, i) => renderHeadingSample(shape, keypoints, SeededRandom.of(0, 'spec-check', i)));
      const figures = await expectNoTensorLeak(() => evaluateHeadingNet(net, samples));
      expect(figures.direction_accuracy).to.be.at.least(0.85);
      // Where the body is, spread wings left out (1 for the map equal to the truth).
      expect(figures.body_iou).to.be.at.least(0.7);
    } finally {
      net.dispose();
      await initBackend('cpu');
    }
  });
});
