import { expect } from 'chai';
import { initBackend } from '../../../core/backend/backend';
import { tf } from '../../../core/backend/tf';
import { GatherSumPlan, transposeCsr, type CsrMatrix } from '../../../core/renderer/gather-sum-plan';
import { assertClose, expectNoTensorLeak, randomArray } from '../../helpers/tensors';

/** A random sparse matrix whose rows have 0..9 entries (so buckets of width 1..16 with padding). */
function randomCsr(rows: number, cols: number, seed: number): CsrMatrix {
  const r = randomArray(rows * 40, seed);
  const rowPtr = new Int32Array(rows + 1);
  const colIdx: number[] = [];
  const values: number[] = [];
  let k = 0;
  for (let i = 0; i < rows; i++) {
    const count = Math.floor(((r[k++] + 1) / 2) * 10);
    for (let e = 0; e < count; e++) {
      colIdx.push(Math.floor(((r[k++] + 1) / 2) * cols)); // duplicates allowed: they add up
      values.push(r[k++]);
    }
    rowPtr[i + 1] = colIdx.length;
  }
  return { rows, cols, rowPtr, colIdx: Int32Array.from(colIdx), values: Float32Array.from(values) };
}

function denseOf(m: CsrMatrix): Float32Array {
  const d = new Float32Array(m.rows * m.cols);
  for (let i = 0; i < m.rows; i++) for (let e = m.rowPtr[i]; e < m.rowPtr[i + 1]; e++) d[i * m.cols + m.colIdx[e]] += m.values[e];
  return d;
}

describe('core/renderer/gather-sum-plan', () => {
  before(async () => {
    await initBackend('cpu');
  });

  it('transposeCsr gives the dense transpose', () => {
    const m = randomCsr(13, 7, 4);
    const t = transposeCsr(m);
    const d = denseOf(m);
    const dt = denseOf(t);
    for (let i = 0; i < 13; i++) for (let j = 0; j < 7; j++) expect(dt[j * 13 + i]).to.be.closeTo(d[i * 7 + j], 1e-6);
  });

  for (const backend of ['cpu', 'wasm'] as const) {
    it(`multiply equals the dense product, rows of every length and empty rows included (${backend})`, async () => {
      await initBackend(backend);
      try {
        const m = randomCsr(40, 25, 9);
        const plan = new GatherSumPlan(m);
        const x = tf.tensor2d(randomArray(25 * 6, 10), [25, 6]);
        await expectNoTensorLeak(() => {
          const y = plan.multiply(x);
          const expected = tf.tidy(() => tf.matMul(tf.tensor2d(denseOf(m), [40, 25]), x));
          assertClose(y, expected, { atol: 1e-5 });
          tf.dispose([y, expected]);
          plan.dispose();
        }, 'plan');
        x.dispose();
      } finally {
        await initBackend('cpu');
      }
    });
  }
});
