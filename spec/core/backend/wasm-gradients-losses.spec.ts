import { initBackend } from '../../../core/backend/backend';
import { tf } from '../../../core/backend/tf';
import { randomArray } from '../../helpers/tensors';
import { expectGradParity } from './wasm-gradient-parity';

/** Rows of `x` ([batch, ...]) flattened and scaled to unit L2 norm, as the re-ID loss does per stage. */
function l2NormalizeRows(x: tf.Tensor): tf.Tensor2D {
  const flat = tf.reshape(x, [x.shape[0], -1]) as tf.Tensor2D;
  return tf.div(flat, tf.sqrt(tf.add(tf.sum(tf.square(flat), 1, true), 1e-12)));
}

const FEATURES = [3, 4, 2, 5];

describe('core/backend/wasm-training: loss gradients match cpu', () => {
  after(async () => {
    await initBackend('cpu');
  });

  it('mean squared error', async () => {
    await expectGradParity((a, b) => tf.losses.meanSquaredError(a, b), [{ shape: FEATURES }, { shape: FEATURES }], {
      what: 'MSE',
    });
  });

  it('L1 (absolute difference, mean and masked by weights)', async () => {
    await expectGradParity((a, b) => tf.losses.absoluteDifference(a, b), [{ shape: FEATURES }, { shape: FEATURES }], {
      what: 'L1',
    });
    const mask = randomArray(3 * 4 * 2 * 5, 9).map((v) => (v > 0 ? 1 : 0));
    await expectGradParity(
      (a, b) => tf.losses.absoluteDifference(a, b, tf.tensor(mask, FEATURES)),
      [{ shape: FEATURES }, { shape: FEATURES }],
      { what: 'masked L1' },
    );
  });

  it('L2 normalisation of flattened features', async () => {
    await expectGradParity((x) => l2NormalizeRows(x), [{ shape: FEATURES }], { what: 'L2 normalise' });
  });

  it('cosine similarity (normalised dot product) and tf.losses.cosineDistance', async () => {
    await expectGradParity(
      (a, b) => tf.sum(tf.mul(l2NormalizeRows(a), l2NormalizeRows(b)), 1),
      [{ shape: FEATURES }, { shape: FEATURES }],
      { what: 'cosine similarity' },
    );
    await expectGradParity(
      (a, b) => tf.losses.cosineDistance(l2NormalizeRows(a), l2NormalizeRows(b), 1),
      [{ shape: FEATURES }, { shape: FEATURES }],
      { what: 'cosineDistance' },
    );
  });

  it('re-ID feature loss: per stage L2-normalised MSE, weighted sum', async () => {
    await expectGradParity(
      (a1, b1, a2, b2) =>
        tf.add(
          tf.losses.meanSquaredError(l2NormalizeRows(a1), l2NormalizeRows(b1)),
          tf.mul(0.5, tf.losses.meanSquaredError(l2NormalizeRows(a2), l2NormalizeRows(b2))),
        ),
      [{ shape: [2, 8, 4, 3] }, { shape: [2, 8, 4, 3] }, { shape: [2, 4, 2, 6] }, { shape: [2, 4, 2, 6] }],
      { what: 're-ID loss', atol: 1e-6, rtol: 1e-3 },
    );
  });
});
