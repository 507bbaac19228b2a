import { performance } from 'perf_hooks';
import { tf } from '../backend/tf';

/**
 * Best GFLOP/s of an n x n x n tf.matMul on the active backend (one thread on wasm): the ceiling a
 * convolution lowered to matrix products can reach here.
 */
export function measureMatMulPeakGflops(n = 1024, repeats = 5): number {
  const a = tf.randomUniform([n, n], -1, 1);
  const b = tf.randomUniform([n, n], -1, 1);
  try {
    tf.tidy(() => tf.matMul(a, b).dataSync()); // warm-up (kernel setup, memory growth)
    let best = Infinity;
    for (let i = 0; i < repeats; i++) {
      const t0 = performance.now();
      const c = tf.matMul(a, b);
      c.dataSync();
      best = Math.min(best, performance.now() - t0);
      c.dispose();
    }
    return (2 * n * n * n) / (best * 1e6);
  } finally {
    tf.dispose([a, b]);
  }
}
