import { expect } from 'chai';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { initBackend } from '../../../core/backend/backend';
import { tf } from '../../../core/backend/tf';
import { conv2dFilterGradient, type FilterGradientPath } from '../../../core/backend/wasm-training/conv2d-backprop-filter';
import { conv2dInputGradient } from '../../../core/backend/wasm-training/conv2d-backprop-input';
import { assertClose, expectNoTensorLeak, randomArray } from '../../helpers/tensors';
import { expectGradParity, gradsOn } from './wasm-gradient-parity';

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

interface ConvCase {
  hw: [number, number];
  k: number;
  stride: number;
  pad: Pad;
  channels?: [number, number];
  batch?: number;
}

/** Odd and even, square and non-square images; every kernel size 1..7; strides 1-3; both paddings. */
const CONV_CASES: ConvCase[] = [
  { hw: [8, 8], k: 3, stride: 1, pad: 'same' },
  { hw: [9, 7], k: 3, stride: 1, pad: 'valid' },
  { hw: [8, 6], k: 3, stride: 2, pad: 'same' },
  { hw: [9, 11], k: 3, stride: 2, pad: 'valid' },
  { hw: [10, 7], k: 3, stride: 3, pad: 'same' },
  { hw: [11, 10], k: 3, stride: 3, pad: 'valid' },
  { hw: [7, 5], k: 1, stride: 1, pad: 'same' },
  { hw: [8, 6], k: 1, stride: 2, pad: 'valid' },
  { hw: [8, 9], k: 2, stride: 1, pad: 'same' },
  { hw: [9, 8], k: 2, stride: 2, pad: 'valid' },
  { hw: [9, 9], k: 4, stride: 2, pad: 'same' },
  { hw: [10, 6], k: 4, stride: 1, pad: 'valid' },
  { hw: [11, 9], k: 5, stride: 1, pad: 'same' },
  { hw: [12, 10], k: 5, stride: 3, pad: 'valid' },
  { hw: [8, 10], k: 6, stride: 2, pad: 'same' },
  { hw: [13, 9], k: 7, stride: 1, pad: 'same' },
  { hw: [14, 11], k: 7, stride: 3, pad: 'same' },
  { hw: [10, 10], k: 3, stride: 2, pad: [[0, 0], [2, 1], [0, 3], [0, 0]] },
  { hw: [16, 8], k: 3, stride: 1, pad: 'same', channels: [16, 24], batch: 3 },
  // Output channels not a multiple of 8 (forward: SIMD in zero-padded blocks of 8), and an input
  // gradient of 12 channels (its convolution has 12 outputs) at stride 2.
  { hw: [9, 7], k: 3, stride: 1, pad: 'same', channels: [16, 12] },
  { hw: [10, 8], k: 3, stride: 2, pad: 'same', channels: [12, 16] },
  // A ResNet stem (RGB, 7x7 stride 2, padding 3): its input gradient runs the narrow kernel, as do the
  // 3 -> 4 channel cases above.
  { hw: [20, 14], k: 7, stride: 2, pad: [[0, 0], [3, 3], [3, 3], [0, 0]], channels: [3, 16], batch: 3 },
];

function describeCase(c: ConvCase): string {
  const pad = typeof c.pad === 'string' ? c.pad : `explicit ${JSON.stringify(c.pad.slice(1, 3))}`;
  return `${c.hw[0]}x${c.hw[1]} k${c.k} stride ${c.stride} ${pad}`;
}

describe('core/backend/wasm-training: convolution gradients match cpu', () => {
  after(async () => {
    await initBackend('cpu');
  });

  for (const c of CONV_CASES) {
    it(`conv2d ${describeCase(c)}`, async () => {
      const [ci, co] = c.channels ?? [3, 4];
      const b = c.batch ?? 2;
      await expectGradParity(
        (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.stride, c.pad),
        [{ shape: [b, c.hw[0], c.hw[1], ci] }, { shape: [c.k, c.k, ci, co] }],
        { what: `conv2d ${describeCase(c)}` },
      );
    });
  }

  // With 8 -> 8 channels the forward conv, the input gradient (a conv of dy) and the filter gradient all
  // run retex's SIMD kernels (simd/*.wat); with 3 -> 4 above the forward conv runs XNNPACK (fewer than 8
  // outputs) and the input gradient the narrow kernel; the stem case runs the SIMD forward conv on 3 inputs.
  for (const c of CONV_CASES.filter((k) => k.channels == null)) {
    it(`conv2d on the SIMD kernels, 8 -> 8 channels: ${describeCase(c)}`, async () => {
      await expectGradParity(
        (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.stride, c.pad),
        [{ shape: [2, c.hw[0], c.hw[1], 8] }, { shape: [c.k, c.k, 8, 8] }],
        { what: `SIMD conv2d ${describeCase(c)}` },
      );
    });
  }

  it('SIMD forward conv: position count not a multiple of 4, several channel blocks, dilation, ceil rounding', async () => {
    type Shape4 = [number, number, number, number];
    const cases: { x: Shape4; w: Shape4; stride: number; pad: 'same' | 'valid' | number; dilation: number; rounding?: 'ceil' }[] = [
      { x: [1, 5, 3, 9], w: [3, 3, 9, 24], stride: 1, pad: 'same', dilation: 1 },
      { x: [3, 11, 10, 8], w: [3, 3, 8, 16], stride: 1, pad: 'same', dilation: 2 },
      { x: [2, 11, 9, 8], w: [3, 3, 8, 8], stride: 1, pad: 'valid', dilation: 3 },
      { x: [2, 8, 7, 8], w: [3, 3, 8, 8], stride: 2, pad: 1, dilation: 1, rounding: 'ceil' },
    ];
    for (const c of cases) {
      const run = async (backend: 'cpu' | 'wasm'): Promise<Float32Array> => {
        await initBackend(backend);
        return tf.tidy(() => {
          const x = tf.tensor(randomArray(c.x.reduce((a, b) => a * b), 21), c.x) as tf.Tensor4D;
          const w = tf.tensor(randomArray(c.w.reduce((a, b) => a * b), 22), c.w) as tf.Tensor4D;
          return tf.conv2d(x, w, c.stride, c.pad, 'NHWC', c.dilation, c.rounding).dataSync() as Float32Array;
        });
      };
      const ref = await run('cpu');
      assertClose(await run('wasm'), ref, { atol: 1e-4, what: `SIMD conv ${JSON.stringify(c)}` });
    }
  });

  it('conv2d with bias and relu (fused) on a U-Net-sized block', async () => {
    await expectGradParity(
      (x, w, bias) =>
        tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, strides: 1, pad: 'same', bias, activation: 'relu' }),
      [{ shape: [2, 16, 8, 8] }, { shape: [3, 3, 8, 16] }, { shape: [16] }],
      { what: 'fused conv2d' },
    );
  });

  it('FusedConv2D on the SIMD kernel: bias + linear, relu, relu6 (12 channels: padded bias); others by the stock kernel', async () => {
    const cases: { act: 'linear' | 'relu' | 'relu6' | 'leakyrelu'; co: number; k: number; stride: number; bias: boolean }[] = [
      { act: 'linear', co: 16, k: 1, stride: 1, bias: true },
      { act: 'relu', co: 12, k: 3, stride: 2, bias: true },
      { act: 'relu6', co: 8, k: 3, stride: 1, bias: true },
      { act: 'relu', co: 8, k: 3, stride: 1, bias: false },
      { act: 'leakyrelu', co: 8, k: 3, stride: 1, bias: true },
    ];
    for (const c of cases) {
      const x = randomArray(2 * 9 * 7 * 5, 11).map((v) => v * 4);
      const w = randomArray(c.k * c.k * 5 * c.co, 12);
      const b = randomArray(c.co, 13);
      const run = async (backend: 'cpu' | 'wasm'): Promise<Float32Array> => {
        await initBackend(backend);
        return tf.tidy(() =>
          tf.fused
            .conv2d({
              x: tf.tensor4d(x, [2, 9, 7, 5]),
              filter: tf.tensor4d(w, [c.k, c.k, 5, c.co]),
              strides: c.stride,
              pad: 'same',
              bias: c.bias ? tf.tensor1d(b) : undefined,
              activation: c.act,
              leakyreluAlpha: 0.2,
            })
            .dataSync() as Float32Array,
        );
      };
      const ref = await run('cpu');
      if (c.act === 'relu6') expect(ref.some((v) => v === 6), 'relu6 clips some outputs').to.equal(true);
      assertClose(await run('wasm'), ref, { atol: 1e-4, what: `fused conv ${JSON.stringify(c)}` });
    }
  });

  // tfjs' conv2d gradient drops dimRoundingMode when it calls the backprop kernels; ours recover it
  // from dy. The cpu backprop kernels do not (they ignore dy's extra row with 'ceil'), and the stock
  // wasm forward Conv2D returns -Infinity with 'ceil', so the reference is the adjoint of cpu's
  // forward convolution and the kernels are called directly.
  for (const rounding of ['floor', 'ceil', 'round'] as const) {
    it(`backprop kernels with numeric padding 1, stride 2 and dimRoundingMode ${rounding}`, async () => {
      const xShape = [2, 8, 7, 3];
      const wShape = [3, 3, 3, 4];
      const x = randomArray(2 * 8 * 7 * 3, 101);
      const w = randomArray(3 * 3 * 3 * 4, 102);
      await initBackend('cpu');
      const ref = tf.tidy(() => {
        const conv = (a: tf.Tensor, b: tf.Tensor): tf.Tensor4D =>
          tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 1, 'NHWC', 1, rounding);
        const out = conv(tf.tensor(x, xShape), tf.tensor(w, wShape));
        const dy = tf.tensor(randomArray(out.size, 7), out.shape);
        // dx[b, p] = <conv(e_p), dy[b]>: all one-hot images p in one batch.
        const pixels = 8 * 7 * 3;
        const basis = tf.oneHot(tf.range(0, pixels, 1, 'int32'), pixels).toFloat().reshape([pixels, 8, 7, 3]);
        const images = conv(basis, tf.tensor(w, wShape)).reshape([pixels, -1]);
        const dx = tf.matMul(dy.reshape([2, -1]), images, false, true);
        // dW[q, o] = sum over pixels of patch element q times dy[o]: patches by one-hot filters.
        const taps = 3 * 3 * 3;
        const patchFilters = tf.oneHot(tf.range(0, taps, 1, 'int32'), taps).toFloat().reshape([3, 3, 3, taps]);
        const patches = conv(tf.tensor(x, xShape), patchFilters).reshape([-1, taps]);
        const dw = tf.matMul(patches, dy.reshape([-1, 4]), true, false);
        return { dy: { data: dy.dataSync(), shape: dy.shape }, dx: dx.dataSync(), dw: dw.dataSync() };
      });
      await initBackend('wasm');
      tf.tidy(() => {
        const dy = tf.tensor(ref.dy.data, ref.dy.shape);
        const attrs = { strides: 2, pad: 1, dataFormat: 'NHWC' };
        const dx = tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: tf.tensor(w, wShape) }, { ...attrs, inputShape: xShape });
        const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x: tf.tensor(x, xShape), dy }, { ...attrs, filterShape: wShape });
        assertClose(dx as tf.Tensor, ref.dx, { atol: 1e-4, what: `dx ${rounding}` });
        assertClose(dw as tf.Tensor, ref.dw, { atol: 1e-4, what: `dW ${rounding}` });
      });
    });
  }

  for (const [stride, pad] of [[1, 'same'], [2, 'same'], [2, 'valid'], [3, 'valid']] as const) {
    it(`conv2dTranspose stride ${stride} ${pad}`, async () => {
      const out: [number, number, number, number] = [2, 9, 8, 3];
      const info = tf.backend_util.computeConv2DInfo(out, [3, 3, 3, 4], stride, 1, pad);
      await expectGradParity(
        (y, w) => tf.conv2dTranspose(y as tf.Tensor4D, w as tf.Tensor4D, out, stride, pad),
        [{ shape: [2, info.outHeight, info.outWidth, 4] }, { shape: [3, 3, 3, 4] }],
        { what: `conv2dTranspose s${stride} ${pad}` },
      );
    });
  }

  for (const [stride, mult, pad] of [[1, 1, 'same'], [2, 1, 'valid'], [1, 2, 'same'], [2, 3, 'same']] as const) {
    it(`depthwiseConv2d stride ${stride} multiplier ${mult} ${pad}`, async () => {
      await expectGradParity(
        (x, w) => tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, stride, pad),
        [{ shape: [2, 9, 8, 3] }, { shape: [3, 3, 3, mult] }],
        { what: `depthwise s${stride} m${mult} ${pad}` },
      );
    });
  }

  it('1x1 depthwise conv with bias (a per-channel affine) on a large tensor', async () => {
    await expectGradParity(
      (x, w, b) => tf.fused.depthwiseConv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, strides: 1, pad: 'valid', bias: b }),
      [{ shape: [2, 32, 16, 16] }, { shape: [1, 1, 16, 1] }, { shape: [16] }],
      { what: 'channel affine', atol: 1e-3 },
    );
  });

  it('channels-first (NCHW) backprop kernels match cpu', async () => {
    const x = { data: randomArray(2 * 3 * 7 * 6, 3), shape: [2, 3, 7, 6] };
    const dy = { data: randomArray(2 * 4 * 4 * 3, 4), shape: [2, 4, 4, 3] };
    const w = { data: randomArray(3 * 3 * 3 * 4, 5), shape: [3, 3, 3, 4] };
    const attrs = { strides: 2, pad: 'same', dataFormat: 'NCHW' };
    const run = async (backend: 'cpu' | 'wasm'): Promise<Float32Array[]> => {
      await initBackend(backend);
      return tf.tidy(() => {
        const [xt, dyt, wt] = [x, dy, w].map((t) => tf.tensor(t.data, t.shape));
        const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x: xt, dy: dyt }, { ...attrs, filterShape: w.shape });
        const dx = tf.engine().runKernel('Conv2DBackpropInput', { dy: dyt, filter: wt }, { ...attrs, inputShape: x.shape });
        return [dw, dx].map((t) => (t as tf.Tensor).dataSync() as Float32Array);
      });
    };
    const ref = await run('cpu');
    const got = await run('wasm');
    assertClose(got[0], ref[0], { atol: 1e-4, what: 'NCHW filter gradient' });
    assertClose(got[1], ref[1], { atol: 1e-4, what: 'NCHW input gradient' });
  });
});

/** Inserts dilation - 1 zeros between filter taps: a dilated conv equals a plain conv with this filter. */
function dilateFilter(w: Float32Array, [kh, kw, ci, co]: number[], d: number): { data: Float32Array; shape: number[] } {
  const eh = (kh - 1) * d + 1;
  const ew = (kw - 1) * d + 1;
  const out = new Float32Array(eh * ew * ci * co);
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      out.set(w.subarray((i * kw + j) * ci * co, (i * kw + j + 1) * ci * co), (i * d * ew + j * d) * ci * co);
    }
  }
  return { data: out, shape: [eh, ew, ci, co] };
}

describe('core/backend/wasm-training: gradient paths tfjs cannot reach through tf.grads', () => {
  after(async () => {
    await initBackend('cpu');
  });

  // tfjs refuses conv2d gradients for dilation > 1 on every backend; the kernels' helpers support it.
  // Reference: the dilated conv equals a plain conv with a zero-inserted filter, whose cpu gradients
  // give dx directly and dW at every d-th tap.
  for (const [stride, pad] of [[1, 'same'], [1, 'valid'], [2, 'same']] as const) {
    it(`dilation 2, stride ${stride}, ${pad}: filter and input gradients`, async () => {
      const [kh, kw, ci, co] = [3, 3, 3, 4];
      const w = randomArray(kh * kw * ci * co, 11);
      const wide = dilateFilter(w, [kh, kw, ci, co], 2);
      const xShape: [number, number, number, number] = [2, 11, 10, ci];
      const ref = await gradsOn('cpu', (x, f) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, stride, pad), [
        { shape: xShape },
        wide,
      ]);
      const refDw = new Float32Array(kh * kw * ci * co);
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          const src = (i * 2 * wide.shape[1] + j * 2) * ci * co;
          refDw.set(ref.grads[1].subarray(src, src + ci * co), (i * kw + j) * ci * co);
        }
      }
      await initBackend('wasm');
      const backend = tf.backend() as BackendWasm;
      const info = tf.backend_util.computeConv2DInfo(xShape, [kh, kw, ci, co], stride, 2, pad);
      await expectNoTensorLeak(() => {
        tf.tidy(() => {
          const x = tf.tensor(randomArray(2 * 11 * 10 * ci, 101), xShape);
          const dy = tf.tensor(randomArray(ref.value.length, 7), ref.shape);
          const wt = tf.tensor(w, [kh, kw, ci, co]);
          for (const path of ['conv', 'matmul'] as const) {
            const dw = tf.engine().makeTensorFromTensorInfo(conv2dFilterGradient(backend, x, dy, info, path));
            assertClose(dw, refDw, { atol: 1e-4, what: `dilated dW (${path})` });
          }
          const dx = tf.engine().makeTensorFromTensorInfo(conv2dInputGradient(backend, dy, wt, info));
          assertClose(dx, ref.grads[0], { atol: 1e-4, what: 'dilated dx' });
        });
      }, 'dilated gradients');
    });
  }

  /** Checks one filter-gradient path on the wasm backend against cpu's gradient of the same conv. */
  async function expectFilterGradient(c: ConvCase, path: FilterGradientPath, [ci, co]: [number, number]): Promise<void> {
    const b = c.batch ?? 2;
    const shape: [number, number, number, number] = [b, c.hw[0], c.hw[1], ci];
    const fShape: [number, number, number, number] = [c.k, c.k, ci, co];
    const ref = await gradsOn('cpu', (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.stride, c.pad), [
      { shape },
      { shape: fShape },
    ]);
    await initBackend('wasm');
    const info = tf.backend_util.computeConv2DInfo(shape, fShape, c.stride, 1, c.pad);
    await expectNoTensorLeak(() => {
      tf.tidy(() => {
        const x = tf.tensor(randomArray(shape.reduce((p, q) => p * q), 101), shape);
        const dy = tf.tensor(randomArray(ref.value.length, 7), ref.shape);
        const dw = conv2dFilterGradient(tf.backend() as BackendWasm, x, dy, info, path);
        assertClose(tf.engine().makeTensorFromTensorInfo(dw), ref.grads[1], { atol: 1e-4, what: `${path} dW` });
      });
    }, `${path} filter gradient`);
  }

  // The slice + matMul fallback runs only for huge shapes in practice; check it on small ones.
  for (const c of [CONV_CASES[1], CONV_CASES[5], CONV_CASES[14], CONV_CASES[17]]) {
    it(`slice + matMul filter gradient fallback: ${describeCase(c)}`, async () => {
      await expectFilterGradient(c, 'matmul', [3, 4]);
    });
  }

  // The SIMD kernel (simd/filter-grad.wat) on every geometry: kernel sizes 1-7, strides 1-3, paddings
  // (the cases with channel counts it takes).
  for (const c of CONV_CASES.filter(({ channels: [ci, co] = [4, 8] }) => ci % 4 === 0 && co % 8 === 0)) {
    it(`SIMD filter gradient kernel: ${describeCase(c)}`, async () => {
      await expectFilterGradient(c, 'simd', c.channels ?? [4, 8]);
    });
  }

  it('SIMD filter gradient kernel: several 4 x 8 channel blocks, row chunks across images, dilation 2', async () => {
    await expectFilterGradient({ hw: [12, 9], k: 3, stride: 2, pad: 'same', batch: 3 }, 'simd', [12, 24]);
    // 64 + 64 channels: chunks of 13 rows of 5 positions, which end inside an image of 9 rows.
    await expectFilterGradient({ hw: [9, 5], k: 3, stride: 1, pad: 'same', batch: 3 }, 'simd', [64, 64]);
    // Dilation: against the XNNPACK path, which the dilation specs above check against cpu.
    await initBackend('wasm');
    const backend = tf.backend() as BackendWasm;
    for (const [stride, pad] of [[1, 'same'], [2, 'valid']] as const) {
      const info = tf.backend_util.computeConv2DInfo([2, 11, 10, 8], [3, 3, 8, 16], stride, 2, pad);
      tf.tidy(() => {
        const x = tf.tensor(randomArray(2 * 11 * 10 * 8, 3), [2, 11, 10, 8]);
        const dy = tf.tensor(randomArray(2 * info.outHeight * info.outWidth * 16, 4), [2, info.outHeight, info.outWidth, 16]);
        const [simd, conv] = (['simd', 'conv'] as const).map((path) =>
          tf.engine().makeTensorFromTensorInfo(conv2dFilterGradient(backend, x, dy, info, path)));
        assertClose(simd, conv.dataSync() as Float32Array, { atol: 1e-4, what: `dilated SIMD dW s${stride} ${pad}` });
      });
    }
  });

  it('SIMD filter gradient kernel refuses channel counts it does not take', async () => {
    await initBackend('wasm');
    const info = tf.backend_util.computeConv2DInfo([1, 6, 6, 3], [3, 3, 3, 8], 1, 1, 'same');
    const x = tf.zeros([1, 6, 6, 3]);
    const dy = tf.zeros([1, 6, 6, 8]);
    expect(() => conv2dFilterGradient(tf.backend() as BackendWasm, x, dy, info, 'simd')).to.throw(/inChannels % 4 == 0/);
    tf.dispose([x, dy]);
  });

  it('rejects a dy whose shape does not match the convolution', async () => {
    await initBackend('wasm');
    const x = tf.zeros([1, 8, 8, 2]);
    const dy = tf.zeros([1, 7, 8, 3]);
    expect(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
      strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 2, 3],
    })).to.throw(/dy has shape \[1,7,8,3\] but the convolution outputs \[1,8,8,3\]/);
    tf.dispose([x, dy]);
  });
});
