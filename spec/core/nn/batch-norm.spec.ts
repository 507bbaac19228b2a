import { expect } from 'chai';
import { initBackend } from '../../../core/backend/backend';
import { tf } from '../../../core/backend/tf';
import { BatchNorm } from '../../../core/nn/batch-norm';
import { VariableScope } from '../../../core/nn/variable-scope';
import { assertClose, expectNoTensorLeak, randomArray } from '../../helpers/tensors';

/** Batch norm written with plain ops, differentiated by tfjs autodiff: the reference. */
function referenceBatchNorm(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number): tf.Tensor4D {
  const mean = tf.mean(x, [0, 1, 2]);
  const variance = tf.mean(tf.square(tf.sub(x, mean)), [0, 1, 2]);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps))), gamma), beta) as tf.Tensor4D;
}

// 8 channels on wasm: the fused batch-norm kernels (channels in fours), over more rows than one 64-row block.
const CASES = [
  { backend: 'cpu', shape: [3, 4, 6, 5] },
  { backend: 'wasm', shape: [3, 4, 6, 5] },
  { backend: 'wasm', shape: [3, 9, 7, 8] },
] as const;

for (const { backend, shape } of CASES) {
  const C = shape[3];
  const size = shape.reduce((a, b) => a * b, 1);
  const channelValues = (values: number[]): tf.Tensor1D => tf.tensor1d(Array.from({ length: C }, (_, i) => values[i % values.length]));
  describe(`core/nn/batch-norm (${backend}, ${C} channels${C % 4 === 0 && backend === 'wasm' ? ': fused kernels' : ''})`, () => {
    let scope: VariableScope;
    let bn: BatchNorm;
    let x: tf.Tensor4D;
    let dyWeights: tf.Tensor4D;

    before(async () => {
      await initBackend(backend);
      scope = VariableScope.root('bn_spec');
      bn = new BatchNorm(scope, C);
      bn.gamma.assign(tf.tensor1d(randomArray(C, 11)).add(1.5) as tf.Tensor1D);
      bn.beta.assign(tf.tensor1d(randomArray(C, 12)));
      // Channel means far from zero and unequal scales, so centring and scaling both matter.
      x = tf.tensor4d(randomArray(size, 13), [...shape]).mul(channelValues([1, 2, 0.5, 3, 1, 0.7])).add(
        channelValues([0, 4, -2, 1, 10, -6, 3]),
      ) as tf.Tensor4D;
      dyWeights = tf.tensor4d(randomArray(size, 14), [...shape]);
    });

    after(async () => {
      tf.dispose([x, dyWeights]);
      scope.disposeAll();
      await initBackend('cpu');
    });

    it('normalises with batch statistics in training mode (forward matches plain ops)', () => {
      const y = bn.apply(x, true);
      const ref = referenceBatchNorm(x, bn.gamma, bn.beta, bn.epsilon);
      assertClose(y, ref, { atol: 1e-5, what: 'y' });
      tf.dispose([y, ref]);
    });

    it('has the analytic input gradient of batch norm', () => {
      const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(bn.apply(a as tf.Tensor4D, true), dyWeights)))(x);
      const ref = tf.grad((a: tf.Tensor) =>
        tf.sum(tf.mul(referenceBatchNorm(a as tf.Tensor4D, bn.gamma, bn.beta, bn.epsilon), dyWeights)),
      )(x);
      assertClose(dx, ref, { atol: 1e-4, rtol: 1e-3, what: 'dx' });
      tf.dispose([dx, ref]);
    });

    it('fuses the following ReLU: same values and gradients as relu(batchNorm(x))', () => {
      const f = (a: tf.Tensor) => tf.sum(tf.mul(bn.apply(a as tf.Tensor4D, true, true), dyWeights));
      const ref = (a: tf.Tensor) =>
        tf.sum(tf.mul(tf.relu(referenceBatchNorm(a as tf.Tensor4D, bn.gamma, bn.beta, bn.epsilon)), dyWeights));
      const y = bn.apply(x, true, true);
      const yRef = tf.relu(referenceBatchNorm(x, bn.gamma, bn.beta, bn.epsilon));
      assertClose(y, yRef, { atol: 1e-5, what: 'relu output' });
      const dx = tf.grad(f)(x);
      const dxRef = tf.grad(ref)(x);
      assertClose(dx, dxRef, { atol: 1e-4, rtol: 1e-3, what: 'dx through relu' });
      const { value, grads } = tf.variableGrads(() => f(x) as tf.Scalar, [bn.gamma, bn.beta]);
      const refGrads = tf.grads((g: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(tf.relu(referenceBatchNorm(x, g as tf.Tensor1D, b as tf.Tensor1D, bn.epsilon)), dyWeights)),
      )([bn.gamma, bn.beta]);
      assertClose(grads[bn.gamma.name], refGrads[0], { atol: 1e-4, rtol: 1e-3, what: 'dgamma through relu' });
      assertClose(grads[bn.beta.name], refGrads[1], { atol: 1e-4, rtol: 1e-3, what: 'dbeta through relu' });
      tf.dispose([y, yRef, dx, dxRef, value, ...Object.values(grads), ...refGrads]);
    });

    it('gives gradients to its gamma/beta variables through tf.variableGrads', () => {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(bn.apply(x, true), dyWeights)), [bn.gamma, bn.beta]);
      const ref = tf.grads((g: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(referenceBatchNorm(x, g as tf.Tensor1D, b as tf.Tensor1D, bn.epsilon), dyWeights)),
      )([bn.gamma, bn.beta]);
      assertClose(grads[bn.gamma.name], ref[0], { atol: 1e-4, rtol: 1e-3, what: 'dgamma' });
      assertClose(grads[bn.beta.name], ref[1], { atol: 1e-4, rtol: 1e-3, what: 'dbeta' });
      tf.dispose([value, ...Object.values(grads), ...ref]);
    });

    it('updates moving statistics PyTorch-style in training mode only', () => {
      const s = VariableScope.root('bn_spec_stats');
      const fresh = new BatchNorm(s, C, { momentum: 0.25 });
      tf.dispose(fresh.apply(x, true));
      const n = size / C;
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      assertClose(fresh.movingMean, mean.mul(0.25), { atol: 1e-5, what: 'moving mean' });
      const unbiased = variance.mul(n / (n - 1));
      assertClose(fresh.movingVariance, unbiased.mul(0.25).add(0.75), { atol: 1e-4, what: 'moving variance' });
      const before = fresh.movingMean.dataSync().slice();
      tf.dispose(fresh.apply(x, false));
      assertClose(fresh.movingMean, before, { atol: 0, rtol: 0, what: 'moving mean after inference' });
      tf.dispose([mean, variance, unbiased]);
      s.disposeAll();
    });

    it('uses the moving statistics in inference mode', () => {
      const s = VariableScope.root('bn_spec_infer');
      const layer = new BatchNorm(s, C);
      layer.movingMean.assign(channelValues([1, 2, 3, 4, 5]));
      layer.movingVariance.assign(channelValues([4, 4, 1, 9, 16, 2]));
      const y = layer.apply(x, false);
      const expected = x.sub(channelValues([1, 2, 3, 4, 5])).div(tf.sqrt(channelValues([4, 4, 1, 9, 16, 2]).add(layer.epsilon)));
      assertClose(y, expected, { atol: 1e-5, what: 'inference output' });
      tf.dispose([y, expected]);
      s.disposeAll();
    });

    it('leaks no tensor in either mode, with or without a gradient tape', async () => {
      await expectNoTensorLeak(() => tf.dispose(bn.apply(x, true)), 'training forward');
      await expectNoTensorLeak(() => tf.dispose(bn.apply(x, false)), 'inference forward');
      await expectNoTensorLeak(() => tf.dispose(bn.apply(x, true, true)), 'training forward with relu');
      await expectNoTensorLeak(() => {
        const { value, grads } = tf.variableGrads(() => tf.sum(bn.apply(x, true, true)), [bn.gamma, bn.beta]);
        tf.dispose([value, ...Object.values(grads)]);
      }, 'gradient');
    });

    it('rejects a wrong channel count with the shapes in the message', () => {
      expect(() => bn.apply(tf.zeros([1, 2, 2, 3]) as tf.Tensor4D, true)).to.throw(new RegExp(`expected ${C} channels, got shape \\[1,2,2,3\\]`));
    });
  });
}
