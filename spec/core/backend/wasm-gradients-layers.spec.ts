import { expect } from 'chai';
import { initBackend } from '../../../core/backend/backend';
import { tf } from '../../../core/backend/tf';
import { assertClose, randomArray } from '../../helpers/tensors';
import { expectGradParity } from './wasm-gradient-parity';

const X4 = [2, 6, 4, 3];

/** Training-mode batch norm as layers do it: batch moments, then tf.batchNorm with rank-1 statistics. */
function trainingBatchNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.batchNorm(x, mean, variance, beta as tf.Tensor1D, gamma as tf.Tensor1D, 1e-3);
}

describe('core/backend/wasm-training: layer gradients match cpu', () => {
  after(async () => {
    await initBackend('cpu');
  });

  it('batchNorm with rank-1 statistics: d/dx, mean, variance, scale, offset', async () => {
    const variance = Float32Array.from(randomArray(3, 5), (v) => 0.5 + Math.abs(v));
    await expectGradParity(
      (x, m, v, s, o) => tf.batchNorm(x as tf.Tensor4D, m as tf.Tensor1D, v as tf.Tensor1D, o as tf.Tensor1D, s as tf.Tensor1D, 1e-3),
      [{ shape: X4 }, { shape: [3] }, { shape: [3], data: variance }, { shape: [3] }, { shape: [3] }],
      { what: 'batchNorm' },
    );
  });

  it('training-mode batch norm (moments of the batch) followed by relu', async () => {
    await expectGradParity((x, g, b) => tf.relu(trainingBatchNorm(x, g, b)), [
      { shape: [4, 8, 6, 5] },
      { shape: [5] },
      { shape: [5] },
    ], { what: 'moments + batchNorm + relu', atol: 2e-4 });
  });

  it('tf.moments: mean and variance over spatial axes and over the batch', async () => {
    await expectGradParity((x) => {
      const { mean, variance } = tf.moments(x, [0, 1, 2], true);
      return tf.concat([mean, variance], 3);
    }, [{ shape: X4 }], { what: 'moments [0,1,2]' });
    await expectGradParity((x) => {
      const { mean, variance } = tf.moments(x, [1, 2]);
      return tf.add(mean, tf.mul(variance, 2));
    }, [{ shape: X4 }], { what: 'moments [1,2]' });
  });

  const POOLS = [[2, 2, 'valid'], [2, 2, 'same'], [3, 2, 'same'], [3, 1, 'same'], [3, 2, 'valid']] as const;
  for (const [size, stride, pad] of POOLS) {
    // Channels in fours take the SIMD kernel (simd/max-pool-grad.wat), the others the scalar loop.
    for (const shape of [[2, 7, 5, 3], [1, 4, 6, 1], [2, 8, 4, 2], [2, 7, 6, 4], [1, 9, 8, 8]]) {
      it(`maxPool and avgPool ${size}x${size} stride ${stride} ${pad} on [${shape}]`, async () => {
        await expectGradParity((x) => tf.maxPool(x as tf.Tensor4D, size, stride, pad), [{ shape }], {
          what: `maxPool ${size}/${stride} ${pad}`,
        });
        await expectGradParity((x) => tf.avgPool(x as tf.Tensor4D, size, stride, pad), [{ shape }], {
          what: `avgPool ${size}/${stride} ${pad}`,
        });
      });
    }
  }

  it('maxPool gradient with ties (relu zeros) goes to the first maximum of each window, in fours and not', async () => {
    for (const c of [4, 3]) {
      await expectGradParity((x) => tf.maxPool(tf.relu(tf.sub(x, 0.4)) as tf.Tensor4D, 3, 2, 'same'), [{ shape: [2, 9, 7, c] }], {
        what: `maxPool with ties, ${c} channels`,
      });
    }
  });

  it('global average pooling, dense layer and softmax cross-entropy (classifier head)', async () => {
    const labels = tf.tidy(() => tf.oneHot(tf.tensor1d([1, 4, 0], 'int32'), 5).dataSync());
    await expectGradParity(
      (x, w, b) => {
        const pooled = tf.mean(x, [1, 2]);
        const logits = tf.add(tf.matMul(pooled as tf.Tensor2D, w as tf.Tensor2D), b);
        return tf.losses.softmaxCrossEntropy(tf.tensor2d(labels, [3, 5]), logits);
      },
      [{ shape: [3, 4, 2, 6] }, { shape: [6, 5] }, { shape: [5] }],
      { what: 'classifier head' },
    );
  });

  it('residual block: strided conv, relu, strided 1x1 projection, residual add, max pool', async () => {
    await expectGradParity(
      (x, w1, w2, wp) => {
        const h = tf.relu(tf.conv2d(x as tf.Tensor4D, w1 as tf.Tensor4D, 2, 'same'));
        const skip = tf.conv2d(x as tf.Tensor4D, wp as tf.Tensor4D, 2, 'same');
        const r = tf.relu(tf.add(skip, tf.conv2d(h, w2 as tf.Tensor4D, 1, 'same'))) as tf.Tensor4D;
        return tf.maxPool(r, 2, 2, 'same');
      },
      [{ shape: [2, 9, 6, 4] }, { shape: [3, 3, 4, 6] }, { shape: [3, 3, 6, 6] }, { shape: [1, 1, 4, 6] }],
      { what: 'residual block' },
    );
  });

  for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
    it(`matMul transposeA=${ta} transposeB=${tb}, 2-D and batched`, async () => {
      const a2 = ta ? [7, 5] : [5, 7];
      const b2 = tb ? [3, 7] : [7, 3];
      await expectGradParity((a, b) => tf.matMul(a, b, ta, tb), [{ shape: a2 }, { shape: b2 }], { what: 'matMul 2-D' });
      await expectGradParity((a, b) => tf.matMul(a, b, ta, tb), [{ shape: [2, ...a2] }, { shape: [2, ...b2] }], {
        what: 'matMul batched',
      });
    });
  }

  it('single-row matMul over a tall matrix (per-channel sums as matMul(ones, x)), plain and batched', async () => {
    await expectGradParity((a, b) => tf.matMul(a, b), [{ shape: [1, 300] }, { shape: [300, 4] }], { what: 'row x tall' });
    await expectGradParity((b) => tf.matMul(tf.ones([1, 300]), b), [{ shape: [300, 4] }], { what: 'ones x tall' });
    await expectGradParity((b) => tf.matMul(tf.fill([1, 300], 1 / 300), b), [{ shape: [300, 4] }], {
      what: 'constant row x tall',
    });
    await expectGradParity((a, b) => tf.matMul(a, b, true, false), [{ shape: [300, 1] }, { shape: [300, 4] }], {
      what: 'column^T x tall',
    });
    await expectGradParity((a, b) => tf.matMul(a, b), [{ shape: [2, 1, 300] }, { shape: [2, 300, 3] }], {
      what: 'batched row x tall',
    });
    const run = async (backend: 'cpu' | 'wasm'): Promise<Float32Array> => {
      await initBackend(backend);
      return tf.tidy(() =>
        tf.matMul(tf.ones([1, 400]), tf.tensor3d(randomArray(3 * 400 * 5, 8), [3, 400, 5])).dataSync() as Float32Array);
    };
    assertClose(await run('wasm'), await run('cpu'), { what: 'broadcast row x batched tall' });
  });

  it('per-channel multiply, add and sub on large tensors equal cpu exactly, either operand order', async () => {
    const big = randomArray(2 * 32 * 16 * 16, 40); // 16384 elements: the smallest size the fast path takes
    const vec = randomArray(16, 41);
    for (const vecShape of [[16], [1, 1, 1, 16], [1, 16]]) {
      const run = async (backend: 'cpu' | 'wasm'): Promise<Float32Array[]> => {
        await initBackend(backend);
        return tf.tidy(() => {
          const x = tf.tensor(big, [2, 32, 16, 16]);
          const v = tf.tensor(vec, vecShape);
          return [tf.mul(x, v), tf.mul(v, x), tf.add(x, v), tf.add(v, x), tf.sub(x, v), tf.sub(v, x)].map(
            (t) => t.dataSync() as Float32Array,
          );
        });
      };
      const ref = await run('cpu');
      const got = await run('wasm');
      ref.forEach((r, i) => assertClose(got[i], r, { atol: 0, rtol: 0, what: `op ${i} with vector [${vecShape}]` }));
    }
  });

  it('batch-norm style per-channel affine gradients on a large tensor', async () => {
    await expectGradParity(
      (x, g, b) => {
        const mean = tf.mean(x, [0, 1, 2]);
        const centered = tf.sub(x, mean);
        const invStd = tf.rsqrt(tf.add(tf.mean(tf.square(centered), [0, 1, 2]), 1e-5));
        return tf.add(tf.mul(tf.mul(centered, invStd), g), b);
      },
      [{ shape: [4, 32, 32, 16] }, { shape: [16] }, { shape: [16] }],
      { what: 'per-channel affine', atol: 1e-3, rtol: 1e-3 },
    );
  });

  it('relu and tanh', async () => {
    await expectGradParity((x) => tf.relu(x), [{ shape: X4 }], { what: 'relu' });
    await expectGradParity((x) => tf.tanh(x), [{ shape: X4 }], { what: 'tanh' });
  });

  it('concat (channel skip connections) and slice', async () => {
    await expectGradParity((a, b) => tf.concat([a, b], 3), [{ shape: [2, 4, 3, 2] }, { shape: [2, 4, 3, 5] }], {
      what: 'concat',
    });
    await expectGradParity((x) => tf.slice(x, [0, 1, 1, 0], [2, 3, 2, 2]), [{ shape: X4 }], { what: 'slice' });
  });

  it('concat and split forward on every axis, several pieces, float32 and int32', async () => {
    for (const dtype of ['float32', 'int32'] as const) {
      for (const axis of [0, 1, 3]) {
        const run = async (backend: 'cpu' | 'wasm'): Promise<number[][]> => {
          await initBackend(backend);
          return tf.tidy(() => {
            const pieces = [2, 5, 1].map((size, i) => {
              const s = [2, 3, 4, 3];
              s[axis] = size;
              return tf.tensor(Array.from(randomArray(s.reduce((a, b) => a * b), 20 + i), (v) => Math.round(v * 50)), s, dtype);
            });
            const joined = tf.concat(pieces, axis);
            const parts = tf.split(joined, [2, 5, 1], axis);
            return [joined, ...parts].map((t) => Array.from(t.dataSync()));
          });
        };
        expect(await run('wasm'), `concat/split ${dtype} axis ${axis}`).to.deep.equal(await run('cpu'));
      }
    }
  });

  it('sum and mean forward over leading, trailing, middle, split and all axes, with and without keepDims', async () => {
    const shape = [17, 5, 4, 3]; // windows of 17 or more pixels take the pooled path, smaller ones the stock one
    const values = randomArray(17 * 5 * 4 * 3, 31);
    for (const axis of [[0], [0, 1], [0, 1, 2], [1, 0], [3], [2, 3], [1, 2], [1], [2], [0, 2], [0, 1, 2, 3]]) {
      for (const keepDims of [false, true]) {
        const run = async (backend: 'cpu' | 'wasm'): Promise<tf.Tensor[]> => {
          await initBackend(backend);
          const x = tf.tensor(values, shape);
          const out = [tf.sum(x, axis, keepDims), tf.mean(x, axis, keepDims), tf.sum(tf.cast(x, 'int32'), axis, keepDims)];
          x.dispose();
          return out;
        };
        const ref = await run('cpu');
        const refData = ref.map((t) => ({ shape: t.shape, data: t.dataSync().slice() }));
        tf.dispose(ref);
        const got = await run('wasm');
        got.forEach((t, i) => {
          const what = `${['sum', 'mean', 'int sum'][i]} axis [${axis}] keepDims ${keepDims}`;
          expect(t.shape, what).to.deep.equal(refData[i].shape);
          assertClose(t, refData[i].data, { atol: 1e-5, what });
        });
        tf.dispose(got);
      }
    }
  });

  it('gather with repeated indices along axis 0 and axis 1 (UnsortedSegmentSum)', async () => {
    const rows = [0, 3, 3, 9, 0, 0, 5, 3];
    await expectGradParity((x) => tf.gather(x, tf.tensor1d(rows, 'int32'), 0), [{ shape: [10, 4] }], {
      what: 'gather axis 0',
    });
    await expectGradParity((x) => tf.gather(x, tf.tensor2d([[1, 1], [2, 0]], [2, 2], 'int32'), 1), [{ shape: [3, 4, 2] }], {
      what: 'gather axis 1',
    });
  });

  it('tile (forward of every rank and dtype, gradient up to rank 4)', async () => {
    await expectGradParity((x) => tf.tile(x, [2, 3, 1, 2]), [{ shape: [1, 2, 3, 2] }], { what: 'tile rank 4' });
    await expectGradParity((x) => tf.tile(x, [3]), [{ shape: [4] }], { what: 'tile rank 1' });
    const cases: [number[], number[], tf.DataType][] = [
      [[1, 1, 1, 5], [3, 4, 2, 1], 'float32'],
      [[2, 3, 1, 2, 2], [2, 1, 3, 1, 2], 'float32'],
      [[3, 2], [2, 2], 'int32'],
      [[2, 1], [1, 3], 'bool'],
      [[2, 3, 4, 1], [1, 1, 1, 3], 'float32'],
      [[], [], 'float32'],
      [[2, 0], [2, 2], 'float32'],
    ];
    for (const [shape, reps, dtype] of cases) {
      const size = shape.reduce((a, b) => a * b, 1);
      const values = Array.from(randomArray(size, 3), (v) => (dtype === 'float32' ? v : v > 0 ? 1 : 0));
      const run = async (backend: 'cpu' | 'wasm'): Promise<number[]> => {
        await initBackend(backend);
        return tf.tidy(() => Array.from(tf.tile(tf.tensor(values, shape, dtype), reps).dataSync()));
      };
      expect(await run('wasm'), `tile [${shape}] x [${reps}] ${dtype}`).to.deep.equal(await run('cpu'));
    }
  });

  it('unsortedSegmentSum forward matches cpu and rejects out-of-range ids', async () => {
    const ids = [2, 0, 2, 2, 1, 0];
    const x = randomArray(6 * 3, 9);
    const run = async (backend: 'cpu' | 'wasm'): Promise<Float32Array> => {
      await initBackend(backend);
      return tf.tidy(() => tf.unsortedSegmentSum(tf.tensor2d(x, [6, 3]), tf.tensor1d(ids, 'int32'), 4).dataSync() as Float32Array);
    };
    assertClose(await run('wasm'), await run('cpu'), { what: 'unsortedSegmentSum' });
    await initBackend('wasm');
    const bad = tf.tensor1d([0, 4], 'int32');
    const data = tf.ones([2, 3]);
    expect(() => tf.unsortedSegmentSum(data, bad, 4)).to.throw(/segment id 4 at 1 is outside \[0, 4\)/);
    tf.dispose([bad, data]);
  });
});
