import Ajv from 'ajv';
import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initBackend } from '../../../core/backend/backend';
import { tf } from '../../../core/backend/tf';
import { ModelFileError } from '../../../core/io/model-file-error';
import { loadGraphModel } from '../../../core/io/model-loading';
import {
  GENERIC_FEATURES_CONFIG,
  GENERIC_FEATURES_TAPS,
  GraphFeatureNetwork,
  genericFeaturesConfig,
  genericFeaturesModelPath,
  resizeBilinearSeparable,
} from '../../../core/nn/graph-feature-network';
import { GENERIC_FEATURES_IMPLEMENTATION } from '../../../core/nn/graph-feature-network-implementation';
import type { ImplementationContext } from '../../../core/plugin/category-plugin';
import { assertClose, expectNoTensorLeak, randomArray } from '../../helpers/tensors';

const ALL_STAGES = GENERIC_FEATURES_TAPS.map((t) => t.name);

/** sum_s <dy_s, features_s>: a scalar whose input gradient weighs every stage. */
function weightedSum(net: GraphFeatureNetwork, images: tf.Tensor4D, dys: readonly tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => tf.addN(net.features(images).map((f, s) => tf.sum(tf.mul(f, dys[s])))) as tf.Scalar);
}

/** Random output gradients of the shapes of `net.features(images)`. */
function randomDys(net: GraphFeatureNetwork, images: tf.Tensor4D, seed: number): tf.Tensor[] {
  const features = net.features(images);
  const dys = features.map((f, s) => tf.tensor(randomArray(f.size, seed + s), f.shape));
  tf.dispose(features);
  return dys;
}

describe('core/nn/graph-feature-network (generic-features: CenterNet MobileNetV3-Large 0.75)', () => {
  // One load per input size; the graph (4 MB) loads in ~0.1 s.
  let people: GraphFeatureNetwork; // the default config: 256x128, four stages
  let small: GraphFeatureNetwork; // 32x16, all five taps: fast enough for cpu gradients

  before(async () => {
    people = await GraphFeatureNetwork.load(genericFeaturesConfig());
    small = await GraphFeatureNetwork.load(genericFeaturesConfig({ inputSize: [32, 16], stages: ALL_STAGES }));
  });

  after(async () => {
    people?.dispose();
    small?.dispose();
    await initBackend('cpu');
  });

  it('taps the four deepest MobileNetV3 stages at 256x128 by default (strides 4, 8, 16, 32)', async () => {
    expect(people.id).to.equal('generic-features');
    expect(people.inputSize).to.deep.equal([256, 128]);
    expect(people.stageNames).to.deep.equal(['expanded_conv_2', 'expanded_conv_5', 'expanded_conv_11', 'expanded_conv_14']);
    const images = tf.tensor4d(randomArray(2 * 128 * 64 * 3, 3), [2, 128, 64, 3]);
    const features = people.features(images);
    expect(features.map((f) => f.shape)).to.deep.equal([
      [2, 64, 32, 24],
      [2, 32, 16, 32],
      [2, 16, 8, 88],
      [2, 8, 4, 120],
    ]);
    expect(features.every((f) => f.dtype === 'float32')).to.equal(true);
    tf.dispose([images, ...features]);
  });

  it('offers the stride-2 tap by option, and runs any input size without resizing when it matches', async () => {
    const net = await GraphFeatureNetwork.load(genericFeaturesConfig({ inputSize: [128, 64], stages: ALL_STAGES }));
    try {
      const images = tf.tensor4d(randomArray(2 * 128 * 64 * 3, 4), [2, 128, 64, 3]);
      const features = net.features(images);
      expect(features.map((f) => f.shape)).to.deep.equal([
        [2, 64, 32, 16],
        [2, 32, 16, 24],
        [2, 16, 8, 32],
        [2, 8, 4, 88],
        [2, 4, 2, 120],
      ]);
      tf.dispose([images, ...features]);
    } finally {
      net.dispose();
    }
  });

  it('computes what the converted graph computes (after unfusing its bias-only convs)', async () => {
    // The untouched graph only takes [1,512,512,3], so compare at that size, on wasm for speed.
    const original = await loadGraphModel(genericFeaturesModelPath());
    const net = await GraphFeatureNetwork.load(genericFeaturesConfig({ inputSize: [512, 512], stages: ALL_STAGES }));
    try {
      await initBackend('wasm');
      const images = tf.tensor4d(randomArray(512 * 512 * 3, 12), [1, 512, 512, 3]);
      const raw = tf.mul(tf.add(images, 1), 127.5);
      const expected = original.execute(raw, GENERIC_FEATURES_TAPS.map((t) => t.node)) as tf.Tensor[];
      const actual = net.features(images);
      expected.forEach((e, s) => {
        const scale = tf.max(tf.abs(e)).dataSync()[0];
        assertClose(actual[s], e, { atol: 1e-5 * scale, rtol: 1e-4, what: ALL_STAGES[s] });
      });
      tf.dispose([images, raw, ...expected, ...actual]);
    } finally {
      original.dispose();
      net.dispose();
      await initBackend('cpu');
    }
  });

  it('computes no weight gradients when differentiating w.r.t. the image', async () => {
    const images = tf.tensor4d(randomArray(24 * 12 * 3, 13), [1, 24, 12, 3]);
    const profile = await tf.profile(() => {
      const grad = tf.grad((x) => tf.addN(small.features(x as tf.Tensor4D).map((f) => tf.sum(f))) as tf.Scalar)(images);
      grad.dispose();
    });
    const kernels = new Set(profile.kernels.map((k) => k.name));
    expect(kernels.has('Conv2DBackpropInput'), 'input gradient of the convs').to.equal(true);
    expect(kernels.has('Conv2DBackpropFilter')).to.equal(false);
    expect(kernels.has('DepthwiseConv2dNativeBackpropFilter')).to.equal(false);
    images.dispose();
  });

  it('resizes exactly like tf.image.resizeBilinear with half-pixel centres', () => {
    const x = tf.tensor4d(randomArray(2 * 7 * 5 * 3, 5), [2, 7, 5, 3]);
    for (const size of [[16, 8], [4, 3], [7, 9]] as [number, number][]) {
      const expected = tf.image.resizeBilinear(x, size, false, true);
      const actual = resizeBilinearSeparable(x, size);
      assertClose(actual, expected, { atol: 1e-6, what: `resize to ${size}` });
      tf.dispose([expected, actual]);
    }
    x.dispose();
  });

  it('gives each image of a batch the features it has alone', () => {
    const images = tf.tensor4d(randomArray(3 * 24 * 12 * 3, 6), [3, 24, 12, 3]);
    const batched = small.features(images);
    for (let b = 0; b < 3; b++) {
      const one = images.slice([b, 0, 0, 0], [1, -1, -1, -1]);
      const alone = small.features(one);
      alone.forEach((f, s) => {
        const row = batched[s].slice([b, 0, 0, 0], [1, -1, -1, -1]);
        assertClose(row, f, { atol: 1e-4, rtol: 1e-4, what: `image ${b} ${small.stageNames[s]}` });
        row.dispose();
      });
      tf.dispose([one, ...alone]);
    }
    tf.dispose([images, ...batched]);
  });

  it('has the input gradient of central finite differences (cpu, through the resize)', () => {
    // 24x12 -> 32x16 so the gradient also goes through the resize. The forward pass is float32 through
    // 15 blocks of hard-swish (piecewise, kinked) activations on a 0..255 scale, so finite differences
    // are good to ~1% of the largest gradient: a wrong scale (the 127.5 of the input mapping) or a wrong
    // resize adjoint is off by far more.
    const shape = [1, 24, 12, 3];
    const x0 = Float32Array.from(randomArray(24 * 12 * 3, 8), (v) => 0.9 * v);
    const images = tf.tensor4d(x0, shape as [number, number, number, number]);
    const dys = randomDys(small, images, 30);
    const dyData = dys.map((d) => d.dataSync());
    const grad = tf.grad((x) => weightedSum(small, x as tf.Tensor4D, dys))(images);
    const g = grad.dataSync();
    // The loss summed in float64 from the float32 features, to keep the reduction out of the noise.
    const loss = (data: Float32Array): number =>
      tf.tidy(() => {
        let total = 0;
        small.features(tf.tensor4d(data, shape as [number, number, number, number])).forEach((f, s) => {
          const v = f.dataSync();
          for (let i = 0; i < v.length; i++) total += v[i] * dyData[s][i];
        });
        return total;
      });
    const order = Array.from(g.keys()).sort((a, b) => Math.abs(g[b]) - Math.abs(g[a]));
    const elements = [...order.slice(0, 3), 0, 100, 431, g.length - 1];
    const maxGrad = Math.abs(g[order[0]]);
    const eps = 3e-3;
    const fd = elements.map((i) => {
      const plus = x0.slice();
      const minus = x0.slice();
      plus[i] += eps;
      minus[i] -= eps;
      return (loss(plus) - loss(minus)) / (2 * eps);
    });
    assertClose(
      elements.map((i) => g[i]),
      fd,
      { atol: 0.01 * maxGrad, rtol: 0.03, what: `d loss / d image at elements ${elements}` },
    );
    expect(maxGrad).to.be.greaterThan(1);
    tf.dispose([images, grad, ...dys]);
  });

  it('has the same features and input gradient on wasm as on cpu', async () => {
    const images = tf.tensor4d(randomArray(2 * 24 * 12 * 3, 9), [2, 24, 12, 3]);
    const dys = randomDys(small, images, 40);
    const run = async (backend: 'cpu' | 'wasm') => {
      await initBackend(backend);
      const features = small.features(images);
      const grad = tf.grad((x) => weightedSum(small, x as tf.Tensor4D, dys))(images);
      const result = { features: features.map((f) => f.dataSync().slice()), grad: grad.dataSync().slice() };
      tf.dispose([...features, grad]);
      return result;
    };
    try {
      const cpu = await run('cpu');
      const wasm = await run('wasm');
      cpu.features.forEach((f, s) => {
        const scale = Math.max(...f.map(Math.abs));
        assertClose(wasm.features[s], f, { atol: 1e-5 * scale, rtol: 1e-4, what: small.stageNames[s] });
      });
      const gScale = Math.max(...cpu.grad.map(Math.abs));
      // Measured: both agree to ~3e-6 of the largest value (float32 sums in another order).
      assertClose(wasm.grad, cpu.grad, { atol: 1e-4 * gScale, rtol: 1e-3, what: 'input gradient' });
    } finally {
      await initBackend('cpu');
      tf.dispose([images, ...dys]);
    }
  });

  it('leaves no tensors behind after features and after an input gradient', async () => {
    const images = tf.tensor4d(randomArray(2 * 24 * 12 * 3, 10), [2, 24, 12, 3]);
    await expectNoTensorLeak(() => tf.dispose(small.features(images)), 'features');
    await expectNoTensorLeak(() => {
      const grad = tf.grad((x) => tf.addN(small.features(x as tf.Tensor4D).map((f) => tf.mean(tf.square(f)))) as tf.Scalar)(images);
      grad.dispose();
    }, 'tf.grad through features');
    images.dispose();
  });

  it('says which file is missing, and which node a config names that the graph lacks', async () => {
    const missing = path.join(os.tmpdir(), 'retex-no-such-dir', 'centernet.json');
    let error: unknown;
    try {
      await GraphFeatureNetwork.load(genericFeaturesConfig({ model: missing }));
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(ModelFileError);
    expect((error as ModelFileError).kind).to.equal('not-found');
    expect((error as Error).message).to.contain(missing).and.to.contain('does not exist');

    const badTap = { ...genericFeaturesConfig(), taps: [{ name: 'deep', node: 'tower_0/MobilenetV3/expanded_conv_99/add' }], stages: ['deep'] };
    await expectRejection(GraphFeatureNetwork.load(badTap), /no node 'tower_0\/MobilenetV3\/expanded_conv_99\/add' \(tap deep\)/);
    await expectRejection(
      GraphFeatureNetwork.load({ ...genericFeaturesConfig(), inputNode: 'images' }),
      /no input placeholder 'images' \(its placeholders: tower_0\/images\)/,
    );
    await expectRejection(
      GraphFeatureNetwork.load(genericFeaturesConfig({ stages: ['expanded_conv_3'] })),
      /unknown stage\(s\) expanded_conv_3; the taps are expanded_conv, expanded_conv_2/,
    );
  });

  it('is the generic-features implementation, with an options schema ajv accepts', async () => {
    const schema = GENERIC_FEATURES_IMPLEMENTATION.optionsSchema!;
    const validate = new Ajv({ strict: false }).compile(schema);
    expect(validate({ model: 'm.json', inputSize: [128, 64], stages: ['expanded_conv', 'expanded_conv_14'] })).to.equal(true);
    expect(validate({ stages: ['expanded_conv_3'] })).to.equal(false);
    expect(validate({ inputSize: [128.5, 64] })).to.equal(false);
    expect(validate({ layers: 3 })).to.equal(false);
    expect(fs.existsSync(genericFeaturesModelPath())).to.equal(true);
    const context = { options: { inputSize: [64, 32], stages: ['expanded_conv_14'] } } as unknown as ImplementationContext;
    const net = await GENERIC_FEATURES_IMPLEMENTATION.create(context);
    try {
      expect(net.id).to.equal(GENERIC_FEATURES_CONFIG.id);
      expect(net.stageNames).to.deep.equal(['expanded_conv_14']);
      const images = tf.zeros([1, 64, 32, 3]) as tf.Tensor4D;
      const features = net.features(images);
      expect(features.map((f) => f.shape)).to.deep.equal([[1, 2, 1, 120]]);
      tf.dispose([images, ...features]);
    } finally {
      net.dispose();
    }
  });
});

async function expectRejection(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  let error: unknown;
  try {
    const value = await promise;
    (value as { dispose?: () => void }).dispose?.();
  } catch (err) {
    error = err;
  }
  expect(error, `expected a rejection matching ${pattern}`).to.be.instanceOf(Error);
  expect((error as Error).message).to.match(pattern);
}
