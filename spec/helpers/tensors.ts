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

/**
 * Checks the gradient of a scalar function against central finite differences along random directions:
 * for each seed, sum(grad * d) must match (f(x + eps d) - f(x - eps d)) / (2 eps).
 */
export function expectGradientMatchesFiniteDifferences(
  f: (x: tf.Tensor) => tf.Scalar,
  x: tf.Tensor,
  { seeds = [11, 12, 13], eps = 1e-3, rtol = 0.02, atol = 1e-9, what = 'gradient' }: { seeds?: number[]; eps?: number; rtol?: number; atol?: number; what?: string } = {},
): void {
  const grad = tf.grad((v: tf.Tensor) => f(v))(x);
  const g = grad.dataSync() as Float32Array;
  grad.dispose();
  const base = x.dataSync() as Float32Array;
  for (const seed of seeds) {
    const d = randomArray(base.length, seed);
    const at = (sign: number): number =>
      tf.tidy(() => f(tf.tensor(base.map((v, i) => v + sign * eps * d[i]), x.shape)).dataSync()[0]);
    const fd = (at(1) - at(-1)) / (2 * eps);
    const analytic = g.reduce((s, gi, i) => s + gi * d[i], 0);
    expect(Math.abs(analytic - fd), `${what} along direction ${seed}: analytic ${analytic}, finite differences ${fd}`).to.be.at.most(atol + rtol * Math.abs(fd));
  }
}
