import { expect } from 'chai';
import { tf } from '../../../core/backend/tf';
import type { IdentityNetwork } from '../../../core/interfaces/identity-network';
import { FeatureTerm } from '../../../core/losses/loss-terms';
import { WeightedLoss } from '../../../core/losses/weighted-loss';
import { UNet } from '../../../core/nn/unet';
import { uvSphereMesh } from '../../../core/renderer/primitives';
import { SparseRenderer } from '../../../core/renderer/sparse-renderer';
import { WeakPerspectiveCamera } from '../../../core/renderer/weak-perspective-camera';
import { generatorTexture, interpolationMatrix, optimizeTexture } from '../../../core/run/texture-methods';
import { assertClose, expectNoTensorLeak, randomArray } from '../../helpers/tensors';

/** A smooth stand-in identity network (tanh and pooled squares of the image). */
const smooth: IdentityNetwork = {
  id: 'smooth',
  inputSize: [16, 16],
  stageNames: ['a', 'b'],
  features: (im) => [tf.tanh(tf.mul(im, 2)), tf.avgPool(tf.square(im), 2, 2, 'valid')],
  dispose: () => undefined,
};

describe('core/run/texture-methods', () => {
  const renderer = new SparseRenderer();
  const op = renderer.operator(renderer.rasterize(uvSphereMesh(8, 16, 1), new WeakPerspectiveCamera({ scale: 0.8, translation: [0, 0] }), 16, 16), [8, 16], 'nearest');
  after(() => op.dispose());

  it('optimize lowers the feature loss from its start, stays in (-1,1) and leaks nothing', async () => {
    const loss = new WeightedLoss([{ term: new FeatureTerm('reid', smooth), weight: 100 }]);
    const photo = tf.tensor4d(randomArray(16 * 16 * 3, 3), [1, 16, 16, 3]);
    const start = tf.zeros([1, 8, 16, 3]) as tf.Tensor4D;
    // The operator builds its own index tensors on first use (freed with it): warm them up first.
    (await optimizeTexture(start, photo, op, loss, { steps: 1, learningRate: 0.05, anchor: 0 })).texture.dispose();
    const r = await expectNoTensorLeak(async () => {
      const out = await optimizeTexture(start, photo, op, loss, { steps: 20, learningRate: 0.05, anchor: 0 });
      const values = out.texture.dataSync();
      out.texture.dispose();
      return { ...out, values };
    }, 'optimizeTexture');
    expect(r.lossAfter).to.be.lessThan(0.7 * r.lossBefore);
    expect(Math.max(...Array.from(r.values).map(Math.abs))).to.be.lessThan(1);
    tf.dispose([photo, start]);
  });

  it('a stronger anchor keeps the texture nearer its start', async () => {
    const loss = new WeightedLoss([{ term: new FeatureTerm('reid', smooth), weight: 100 }]);
    const photo = tf.tensor4d(randomArray(16 * 16 * 3, 5), [1, 16, 16, 3]);
    const start = tf.zeros([1, 8, 16, 3]) as tf.Tensor4D;
    const change = async (anchor: number) => {
      const out = await optimizeTexture(start, photo, op, loss, { steps: 15, learningRate: 0.05, anchor });
      const mean = tf.tidy(() => tf.mean(tf.abs(out.texture)).dataSync()[0]);
      out.texture.dispose();
      return mean;
    };
    expect(await change(50)).to.be.lessThan(0.5 * (await change(0)));
    tf.dispose([photo, start]);
  });

  it('refuses settings and losses it cannot use', async () => {
    const photo = tf.zeros([1, 16, 16, 3]) as tf.Tensor4D;
    const start = tf.zeros([1, 8, 16, 3]) as tf.Tensor4D;
    const loss = new WeightedLoss([{ term: new FeatureTerm('reid', smooth), weight: 1 }]);
    const fail = (p: Promise<unknown>) => p.then(() => '', (e: Error) => e.message);
    expect(await fail(optimizeTexture(start, photo, op, loss, { steps: -1, learningRate: 0.1, anchor: 0 }))).to.match(/steps must be a whole number/);
    expect(await fail(optimizeTexture(start, photo, op, loss, { steps: 1, learningRate: 0, anchor: 0 }))).to.match(/learning rate must be positive/);
    tf.dispose([photo, start]);
  });

  it('the generator method checks the crop against the network input', () => {
    const unet = new UNet({ inputSize: [32, 16], textureSize: [8, 8], width: 0.125 });
    const wrong = tf.zeros([1, 16, 16, 3]) as tf.Tensor4D;
    expect(() => generatorTexture(unet, wrong)).to.throw(/the generator takes 32x16 images, the crop is 16x16/);
    const right = tf.zeros([1, 32, 16, 3]) as tf.Tensor4D;
    const t = generatorTexture(unet, right);
    expect(t.shape).to.deep.equal([1, 8, 8, 3]);
    tf.dispose([wrong, right, t]);
    unet.dispose();
  });
});

describe('core/run/texture-methods interpolationMatrix', () => {
  it('matches bilinear resizing with aligned corners', () => {
    const z = tf.tensor2d(randomArray(3 * 5, 9), [3, 5]);
    const expected = tf.image.resizeBilinear(z.reshape([1, 3, 5, 1]) as tf.Tensor4D, [7, 11], true);
    const uy = tf.tensor2d(interpolationMatrix(3, 7), [7, 3]);
    const ux = tf.tensor2d(interpolationMatrix(5, 11), [11, 5]);
    const got = tf.matMul(tf.matMul(uy, z), ux, false, true);
    assertClose(got, expected.dataSync(), { atol: 1e-5 });
    tf.dispose([z, expected, uy, ux, got]);
  });
});
