import { expect } from 'chai';
import { initBackend } from '../../../core/backend/backend';
import { tf } from '../../../core/backend/tf';
import { installWasmTrainingKernels, WASM_TRAINING_KERNELS } from '../../../core/backend/wasm-training';
import { assertClose, randomArray } from '../../helpers/tensors';

/** Weight shapes of a U-Net-shaped net: 2 levels (4, 8 channels), bottleneck 8, 1x1 head to 3. */
const WEIGHTS: Record<string, number[]> = {
  e1a: [3, 3, 3, 4], e1b: [3, 3, 4, 4],
  e2a: [3, 3, 4, 8], e2b: [3, 3, 8, 8],
  d1a: [3, 3, 12, 4], d1b: [3, 3, 4, 4],
  head: [1, 1, 4, 3], headBias: [3],
  g1: [4], b1: [4], g2: [8], b2: [8], g3: [4], b3: [4],
};

type Params = Record<string, tf.Variable>;

function makeParams(): Params {
  const params: Params = {};
  Object.entries(WEIGHTS).forEach(([name, shape], i) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const scale = name.startsWith('g') ? 0 : 1 / Math.sqrt(shape.slice(0, -1).reduce((a, b) => a * b, 1));
    const values = Float32Array.from(randomArray(size, 300 + i), (v) => (name.startsWith('g') ? 1 + 0.1 * v : v * scale));
    params[name] = tf.variable(tf.tensor(values, shape), true, `unet_${name}_${Math.random()}`);
  });
  return params;
}

/** conv3x3 + batch norm (batch statistics) + relu, twice. */
function block(x: tf.Tensor4D, w1: tf.Tensor, w2: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor4D {
  let h = x;
  for (const w of [w1, w2]) {
    h = tf.conv2d(h, w as tf.Tensor4D, 1, 'same');
    const { mean, variance } = tf.moments(h, [0, 1, 2]);
    // A scale must be passed: tfjs' batchNorm gradient cannot save an absent scale.
    h = tf.relu(tf.batchNorm(h, mean, variance, b as tf.Tensor1D, g as tf.Tensor1D, 1e-3)) as tf.Tensor4D;
  }
  return h;
}

function unet(p: Params, x: tf.Tensor4D): tf.Tensor4D {
  const e1 = block(x, p.e1a, p.e1b, p.g1, p.b1);
  const e2 = block(tf.maxPool(e1, 2, 2, 'same'), p.e2a, p.e2b, p.g2, p.b2);
  const up = tf.image.resizeBilinear(e2, [x.shape[1], x.shape[2]]);
  const d1 = block(tf.concat([up, e1], 3), p.d1a, p.d1b, p.g3, p.b3);
  return tf.tanh(tf.add(tf.conv2d(d1, p.head as tf.Tensor4D, 1, 'same'), p.headBias)) as tf.Tensor4D;
}

/** The 2:1 image of the method; the cpu comparison uses a square one (cpu's ResizeBilinearGrad fails on 2:1). */
const INPUT = [2, 16, 8, 3];
const SQUARE_INPUT = [2, 8, 8, 3];

function loss(p: Params, input: tf.Tensor4D, target: tf.Tensor4D): tf.Scalar {
  return tf.losses.meanSquaredError(target, unet(p, input)) as tf.Scalar;
}

async function gradientsOn(backend: 'cpu' | 'wasm'): Promise<Record<string, Float32Array>> {
  await initBackend(backend);
  const p = makeParams();
  const shape = SQUARE_INPUT as [number, number, number, number];
  const size = shape.reduce((a, b) => a * b, 1);
  const input = tf.tensor4d(randomArray(size, 1), shape);
  const target = tf.tensor4d(randomArray(size, 2), shape);
  const { value, grads } = tf.variableGrads(() => loss(p, input, target));
  const out: Record<string, Float32Array> = {};
  for (const name of Object.keys(WEIGHTS)) out[name] = grads[p[name].name].dataSync() as Float32Array;
  tf.dispose([value, input, target, ...Object.values(grads), ...Object.values(p)]);
  return out;
}

describe('core/backend/wasm-training: a U-Net training step on wasm', () => {
  after(async () => {
    await initBackend('cpu');
  });

  it('gives the same weight gradients as cpu', async () => {
    const ref = await gradientsOn('cpu');
    const got = await gradientsOn('wasm');
    for (const name of Object.keys(WEIGHTS)) assertClose(got[name], ref[name], { atol: 1e-5, rtol: 1e-3, what: name });
  });

  it('forward, variableGrads and an Adam step leave the tensor count unchanged and lower the loss', async () => {
    await initBackend('wasm');
    const p = makeParams();
    const size = INPUT.reduce((a, b) => a * b, 1);
    const input = tf.tensor4d(randomArray(size, 1), INPUT as [number, number, number, number]);
    const target = tf.tensor4d(randomArray(size, 2), INPUT as [number, number, number, number]);
    const optimizer = tf.train.adam(1e-2);
    const step = (): number => {
      const { value, grads } = tf.variableGrads(() => loss(p, input, target));
      optimizer.applyGradients(grads as unknown as Record<string, tf.Variable>);
      const v = value.dataSync()[0];
      tf.dispose([value, ...Object.values(grads)]);
      return v;
    };
    const first = step(); // Adam creates its moment variables here
    const before = tf.memory().numTensors;
    // Kernels free their intermediates directly on the backend, so count the backend's buffers too.
    const buffersBefore = tf.backend().numDataIds();
    let last = first;
    for (let i = 0; i < 4; i++) last = step();
    expect(tf.memory().numTensors - before, 'tensors leaked by 4 training steps').to.equal(0);
    expect(tf.backend().numDataIds() - buffersBefore, 'wasm buffers leaked by 4 training steps').to.equal(0);
    expect(last).to.be.lessThan(first);
    optimizer.dispose();
    tf.dispose([input, target, ...Object.values(p)]);
  });

  it('every replaced or added kernel frees its intermediates on the backend', async () => {
    await initBackend('wasm');
    const x = tf.tensor4d(randomArray(2 * 9 * 8 * 3, 1), [2, 9, 8, 3]);
    const w = tf.tensor4d(randomArray(3 * 3 * 3 * 4, 2), [3, 3, 3, 4]);
    const dw = tf.tensor4d(randomArray(3 * 3 * 3 * 2, 3), [3, 3, 3, 2]);
    const m = tf.tensor2d(randomArray(5 * 7, 4), [5, 7]);
    const big = tf.tensor4d(randomArray(2 * 32 * 16 * 16, 5), [2, 32, 16, 16]); // takes the per-channel paths
    const vec = tf.tensor1d(randomArray(16, 6));
    const scale = tf.reshape(vec, [1, 1, 16, 1]);
    const run = (): void => {
      const grads = [
        ...tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same'))([x, w]),
        ...tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'))([x, dw]),
        ...tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.matMul(a, b, true, false))([m, m]),
        tf.grad((a: tf.Tensor) => tf.gather(a, tf.tensor1d([0, 2, 2], 'int32')))(m),
        tf.grad((a: tf.Tensor) => tf.image.resizeNearestNeighbor(a as tf.Tensor4D, [5, 3], false, true))(x),
        tf.grad((a: tf.Tensor) => tf.image.resizeBilinear(a as tf.Tensor4D, [18, 16]))(x),
        tf.grad((a: tf.Tensor) => tf.tile(a, [1, 2, 1, 3]))(x),
        tf.tidy(() =>
          tf.fused.conv2d({ x: big as tf.Tensor4D, filter: tf.ones([3, 3, 16, 12]), strides: 1, pad: 'same', bias: tf.ones([12]), activation: 'relu6' }),
        ),
        tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, 2, 2, 'same'))(x),
        tf.grad((a: tf.Tensor) => tf.concat([a, a], 3))(x),
        tf.grad((a: tf.Tensor) => tf.moments(a, [0, 1, 2]).variance)(x),
        ...tf.grads((a: tf.Tensor, v: tf.Tensor) => tf.sub(tf.add(tf.mul(a, v), v), v))([big, vec]),
        ...tf.grads((a: tf.Tensor, f: tf.Tensor) => tf.depthwiseConv2d(a as tf.Tensor4D, f as tf.Tensor4D, 1, 'valid'))([
          big,
          scale,
        ]),
      ];
      tf.dispose(grads);
    };
    run();
    const tensors = tf.memory().numTensors;
    const buffers = tf.backend().numDataIds();
    run();
    expect(tf.memory().numTensors - tensors, 'tensors leaked').to.equal(0);
    expect(tf.backend().numDataIds() - buffers, 'wasm buffers leaked').to.equal(0);
    tf.dispose([x, w, dw, m, big, vec, scale]);
  });

  it('installing twice changes nothing', async () => {
    await initBackend('wasm');
    installWasmTrainingKernels();
    const funcs = WASM_TRAINING_KERNELS.map((k) => tf.getKernel(k.kernelName, 'wasm').kernelFunc);
    installWasmTrainingKernels();
    WASM_TRAINING_KERNELS.forEach((k, i) => {
      expect(tf.getKernel(k.kernelName, 'wasm').kernelFunc, k.kernelName).to.equal(funcs[i]);
      expect(funcs[i], k.kernelName).to.equal(k.kernelFunc);
    });
  });
});
