import { expect } from 'chai';
import { initBackend } from '../../../core/backend/backend';
import { tf } from '../../../core/backend/tf';
import { meanStageCosine, stageCosines } from '../../../core/metrics/cosine-similarity';
import { expectNoTensorLeak, randomArray } from '../../helpers/tensors';

describe('core/metrics/cosine-similarity', () => {
  before(async () => {
    await initBackend('cpu');
  });

  it('is 1 for identical features and 0 for orthogonal ones, per image and stage', () => {
    // Batch of 2, two stages of different shapes.
    const a = [
      tf.tensor4d([1, 0, 0, 0, /**/ 0, 2, 0, 0], [2, 1, 2, 2]),
      tf.tensor2d([3, 4, 0, /**/ 1, 1, 1], [2, 3]),
    ];
    const b = [
      tf.tensor4d([1, 0, 0, 0, /**/ 0, 0, 5, 0], [2, 1, 2, 2]), // image 0 identical, image 1 orthogonal
      tf.tensor2d([-4, 3, 0, /**/ 1, 1, 1], [2, 3]), // image 0 orthogonal, image 1 identical
    ];
    const cos = stageCosines(a, b);
    expect(cos).to.deep.equal([
      [1, 0],
      [0, 1],
    ]);
    expect(meanStageCosine(a, b)).to.deep.equal([0.5, 0.5]);
    tf.dispose([...a, ...b]);
  });

  it('is scale-invariant and changes sign with the features', () => {
    const x = tf.tensor2d(randomArray(2 * 50, 1), [2, 50]);
    const y = tf.tensor2d(randomArray(2 * 50, 2), [2, 50]);
    const scaled = tf.mul(y, tf.tensor2d([[7], [0.01]]));
    const negated = tf.neg(y);
    const base = stageCosines([x], [y]);
    stageCosines([x], [scaled]).forEach((row, i) => expect(row[0]).to.be.closeTo(base[i][0], 1e-6)); // float32 products
    stageCosines([x], [negated]).forEach((row, i) => expect(row[0]).to.be.closeTo(-base[i][0], 1e-12));
    // Against a direct computation.
    const xs = x.arraySync();
    const ys = y.arraySync();
    xs.forEach((xi, i) => {
      const dot = xi.reduce((s, v, k) => s + v * ys[i][k], 0);
      const norm = (v: number[]) => Math.sqrt(v.reduce((s, e) => s + e * e, 0));
      expect(base[i][0]).to.be.closeTo(dot / (norm(xi) * norm(ys[i])), 1e-12);
    });
    tf.dispose([x, y, scaled, negated]);
  });

  it('gives 0 when a feature vector is all zeros', () => {
    const z = tf.zeros([1, 4]);
    const o = tf.ones([1, 4]);
    expect(stageCosines([z], [o])).to.deep.equal([[0]]);
    expect(stageCosines([z], [z])).to.deep.equal([[0]]);
    tf.dispose([z, o]);
  });

  it('leaks no tensor', async () => {
    const a = [tf.tensor3d(randomArray(2 * 3 * 4, 3), [2, 3, 4]), tf.tensor2d(randomArray(10, 4), [2, 5])];
    const b = [tf.tensor3d(randomArray(2 * 3 * 4, 5), [2, 3, 4]), tf.tensor2d(randomArray(10, 6), [2, 5])];
    const result = await expectNoTensorLeak(() => meanStageCosine(a, b), 'meanStageCosine');
    expect(result).to.have.length(2);
    tf.dispose([...a, ...b]);
  });

  it('checks its inputs', () => {
    const a = tf.zeros([2, 3]);
    const b = tf.zeros([2, 4]);
    const c = tf.zeros([3, 3]);
    expect(() => stageCosines([a], [b])).to.throw(/one shape/);
    expect(() => stageCosines([a], [a, a])).to.throw(/number of stages/);
    expect(() => stageCosines([], [])).to.throw(/number of stages/);
    expect(() => stageCosines([a, c], [a, c])).to.throw(/batch 3/);
    tf.dispose([a, b, c]);
  });
});
