import { expect } from 'chai';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { initBackend } from '../../../core/backend/backend';
import { tf } from '../../../core/backend/tf';
import {
  WINOGRAD_ENV,
  winogradConv2d,
  winogradEligible,
  winogradFilterGradEligible,
  winogradFilterGradient,
} from '../../../core/backend/wasm-training/conv2d-winograd';
import { heapF32 } from '../../../core/backend/wasm-training/wasm-kernel-utils';
import { assertClose, randomArray } from '../../helpers/tensors';

type Shape4 = [number, number, number, number];
type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

interface Case {
  x: Shape4;
  co: number;
  pad: Pad;
  bias?: boolean;
  activation?: 'linear' | 'relu' | 'relu6';
}

/** Odd and even output sizes (partial tiles), several images per chunk, padded output blocks, explicit pads. */
const CASES: Case[] = [
  { x: [2, 8, 8, 4], co: 8, pad: 'same' },
  { x: [3, 7, 5, 8], co: 12, pad: 'same' },
  { x: [1, 9, 6, 16], co: 16, pad: 'valid' },
  { x: [2, 5, 9, 12], co: 24, pad: [[0, 0], [2, 0], [0, 1], [0, 0]] },
  { x: [5, 3, 3, 4], co: 8, pad: 'same', bias: true, activation: 'relu6' },
  { x: [2, 6, 7, 8], co: 20, pad: 'same', bias: true, activation: 'relu' },
  { x: [1, 1, 1, 4], co: 8, pad: 'same', bias: true },
];

const ACTIVATION_CODES = { linear: 0, relu: 1, relu6: 2 } as const;

/** y = conv(x, w) (+ bias, activation) on the cpu backend: the reference. */
async function reference(c: Case, x: Float32Array, w: Float32Array, b: Float32Array): Promise<Float32Array> {
  await initBackend('cpu');
  return tf.tidy(() =>
    tf.fused
      .conv2d({
        x: tf.tensor4d(x, c.x),
        filter: tf.tensor4d(w, [3, 3, c.x[3], c.co]),
        strides: 1,
        pad: c.pad,
        bias: c.bias ? tf.tensor1d(b) : undefined,
        activation: c.activation ?? 'linear',
      })
      .dataSync() as Float32Array,
  );
}

describe('core/backend/wasm-training/conv2d-winograd', () => {
  after(async () => {
    await initBackend('cpu');
  });

  for (const c of CASES) {
    it(`F(2x2,3x3) matches the direct convolution: x [${c.x}] -> ${c.co} channels, ${JSON.stringify(c.pad)}${c.bias ? `, bias + ${c.activation ?? 'linear'}` : ''}`, async () => {
      const x = randomArray(c.x.reduce((a, b) => a * b), 31).map((v) => 3 * v);
      const w = randomArray(9 * c.x[3] * c.co, 32);
      const b = randomArray(c.co, 33);
      const expected = await reference(c, x, w, b);
      await initBackend('wasm');
      const backend = tf.backend() as BackendWasm;
      const xt = tf.tensor4d(x, c.x);
      const wt = tf.tensor4d(w, [3, 3, c.x[3], c.co]);
      const bt = tf.tensor1d(b);
      const info = tf.backend_util.computeConv2DInfo(c.x, wt.shape, 1, 1, c.pad);
      expect(winogradEligible(info)).to.equal(true);
      const buffers = backend.numDataIds();
      const out = winogradConv2d(backend, xt, wt, info, c.bias ? bt : null, ACTIVATION_CODES[c.activation ?? 'linear']);
      if (out == null) throw new Error('the Winograd kernel did not bind to the wasm heap');
      expect(out.shape).to.deep.equal([info.batchSize, info.outHeight, info.outWidth, c.co]);
      assertClose(heapF32(backend, out).slice(), expected, { atol: 2e-5, rtol: 2e-5, what: 'winograd conv' });
      backend.disposeData(out.dataId);
      expect(backend.numDataIds(), 'scratch buffers freed').to.equal(buffers);
      // Through tf.conv2d too: the Conv2D kernel takes the Winograd path for these shapes.
      if (!c.bias) assertClose(tf.conv2d(xt, wt, 1, c.pad).dataSync(), expected, { atol: 2e-5, rtol: 2e-5, what: 'tf.conv2d' });
      tf.dispose([xt, wt, bt]);
    });
  }

  for (const c of CASES.filter((k) => k.co % 8 === 0)) {
    it(`F(3x3,2x2) filter gradient matches cpu's: x [${c.x}] -> ${c.co} channels, ${JSON.stringify(c.pad)}`, async () => {
      const x = randomArray(c.x.reduce((a, b) => a * b), 41);
      const fShape: Shape4 = [3, 3, c.x[3], c.co];
      await initBackend('cpu');
      const [expected, dyShape, dyData] = tf.tidy(() => {
        const xt = tf.tensor4d(x, c.x);
        const probe = tf.conv2d(xt, tf.zeros(fShape) as tf.Tensor4D, 1, c.pad);
        const dy = tf.tensor(randomArray(probe.size, 42), probe.shape);
        const dw = tf.grad((w: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(xt, w as tf.Tensor4D, 1, c.pad), dy)))(tf.zeros(fShape));
        return [dw.dataSync() as Float32Array, probe.shape, dy.dataSync() as Float32Array] as const;
      });
      await initBackend('wasm');
      const backend = tf.backend() as BackendWasm;
      const xt = tf.tensor4d(x, c.x);
      const dy = tf.tensor(dyData, dyShape);
      const info = tf.backend_util.computeConv2DInfo(c.x, fShape, 1, 1, c.pad);
      expect(winogradFilterGradEligible(info)).to.equal(true);
      const buffers = backend.numDataIds();
      const out = winogradFilterGradient(backend, xt, dy, info);
      if (out == null) throw new Error('the Winograd kernel did not bind to the wasm heap');
      expect(out.shape).to.deep.equal(fShape);
      assertClose(heapF32(backend, out).slice(), expected, { atol: 5e-5, rtol: 2e-5, what: 'winograd filter gradient' });
      backend.disposeData(out.dataId);
      expect(backend.numDataIds(), 'scratch buffers freed').to.equal(buffers);
      tf.dispose([xt, dy]);
    });
  }

  it('takes 3x3 stride-1 undilated convolutions with channels in fours and at least 8 outputs, nothing else', () => {
    const info = (x: Shape4, f: Shape4, stride = 1, dilation = 1): ReturnType<typeof tf.backend_util.computeConv2DInfo> =>
      tf.backend_util.computeConv2DInfo(x, f, stride, dilation, 'same');
    expect(winogradEligible(info([1, 8, 8, 16], [3, 3, 16, 32]))).to.equal(true);
    expect(winogradEligible(info([1, 8, 8, 3], [3, 3, 3, 16])), 'RGB input').to.equal(false);
    expect(winogradEligible(info([1, 8, 8, 16], [3, 3, 16, 4])), '4 outputs').to.equal(false);
    expect(winogradEligible(info([1, 8, 8, 16], [3, 3, 16, 10])), '10 outputs').to.equal(false);
    expect(winogradEligible(info([1, 8, 8, 16], [3, 3, 16, 16], 2)), 'stride 2').to.equal(false);
    expect(winogradEligible(info([1, 8, 8, 16], [3, 3, 16, 16], 1, 2)), 'dilation 2').to.equal(false);
    expect(winogradEligible(info([1, 8, 8, 16], [5, 5, 16, 16])), '5x5').to.equal(false);
    expect(winogradFilterGradEligible(info([1, 8, 8, 16], [3, 3, 16, 12])), 'filter gradient, 12 outputs').to.equal(false);
    expect(winogradFilterGradEligible(info([1, 8, 8, 16], [3, 3, 16, 24]))).to.equal(true);
    process.env[WINOGRAD_ENV] = '0';
    try {
      expect(winogradEligible(info([1, 8, 8, 16], [3, 3, 16, 32])), `${WINOGRAD_ENV}=0`).to.equal(false);
    } finally {
      delete process.env[WINOGRAD_ENV];
    }
  });
});
