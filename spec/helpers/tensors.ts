import { expect } from 'chai';
import { tf } from '../../core/backend/tf';
import { mulberry32 } from '../../core/random';

/** Asserts |a - b| <= atol + rtol * |b| elementwise; reports the worst element. */
export function assertClose(
  actual: ArrayLike<number> | tf.Tensor,
  expected: ArrayLike<number> | tf.Tensor,
  { atol = 1e-5, rtol = 1e-4, what = 'value' }: { atol?: number; rtol?: number; what?: string } = {},
): void {
  const a = actual instanceof tf.Tensor ? actual.dataSync() : actual;
  const b = expected instanceof tf.Tensor ? expected.dataSync() : expected;
  expect(a.length, `${what}: length`).to.equal(b.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < a.length; i++) {
    const excess = Math.abs(a[i] - b[i]) - (atol + rtol * Math.abs(b[i]));
    if (!(excess <= worstExcess)) {
      worst = i;
      worstExcess = Number.isNaN(excess) ? Infinity : excess;
    }
  }
  if (worst >= 0) {
    expect.fail(`${what}[${worst}]: got ${a[worst]}, expected ${b[worst]} (atol ${atol}, rtol ${rtol})`);
  }
}

/** Runs `fn` and asserts it leaves the number of live tensors unchanged. */
export async function expectNoTensorLeak<T>(fn: () => T | Promise<T>, what = 'call'): Promise<T> {
  const before = tf.memory().numTensors;
  const result = await fn();
  const after = tf.memory().numTensors;
  expect(after - before, `${what} leaked tensors`).to.equal(0);
  return result;
}

/** Deterministic pseudo-random floats in [-1, 1) (mulberry32), for reproducible test inputs. */
export function randomArray(n: number, seed = 1): Float32Array {
  const random = mulberry32(seed);
  return Float32Array.from({ length: n }, () => random() * 2 - 1);
}
