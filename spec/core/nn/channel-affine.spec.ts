import { initBackend } from '../../../core/backend/backend';
import { tf } from '../../../core/backend/tf';
import { channelAffine } from '../../../core/nn/channel-affine';
import { channelSum } from '../../../core/nn/channel-sum';
import { assertClose, expectNoTensorLeak, randomArray } from '../../helpers/tensors';

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`core/nn/channel-affine and channel-sum (${backend})`, () => {
    before(async () => {
      await initBackend(backend);
    });

    after(async () => {
      await initBackend('cpu');
    });

    it('scales and shifts each channel, with and without ReLU, for rank 4 and rank 2', async () => {
      const x = tf.tensor4d(randomArray(2 * 3 * 5 * 4, 31), [2, 3, 5, 4]);
      const scale = tf.tensor1d([2, -1, 0.5, 0]);
      const shift = tf.tensor1d([0.1, 0.2, -0.3, 0.4]);
      const expected = tf.add(tf.mul(x, scale), shift);
      await expectNoTensorLeak(() => {
        const y = channelAffine(x, scale, shift);
        assertClose(y, expected, { atol: 1e-6, what: 'affine' });
        const r = channelAffine(x, scale, shift, true);
        const rRef = tf.relu(expected);
        assertClose(r, rRef, { atol: 1e-6, what: 'affine + relu' });
        const x2 = tf.reshape(x, [30, 4]);
        const y2 = channelAffine(x2, scale, shift);
        assertClose(y2, expected, { atol: 1e-6, what: 'rank 2' });
        tf.dispose([y, r, rRef, x2, y2]);
      });
      tf.dispose([x, scale, shift, expected]);
    });

    it('sums every axis but the last', () => {
      const x = tf.tensor4d(randomArray(2 * 3 * 5 * 4, 32), [2, 3, 5, 4]);
      const s = channelSum(x);
      const ref = tf.sum(x, [0, 1, 2]);
      assertClose(s, ref, { atol: 1e-5, what: 'channel sums' });
      tf.dispose([x, s, ref]);
    });
  });
}
