import { tf } from '../backend/tf';

/**
 * Sums a channels-last tensor over every axis but the last, as a [1,N] x [N,C] matrix product.
 * Why: tfjs reduces non-innermost axes by transposing first; on wasm that costs about 10x the
 * matrix product for activation-sized tensors.
 * @param x float32 [..., C].
 * @returns float32 [C].
 */
export function channelSum(x: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => {
    const c = x.shape[x.rank - 1];
    const rows = x.size / c;
    const flat = tf.reshape(x, [rows, c]);
    return tf.reshape(tf.matMul(tf.ones([1, rows]), flat), [c]) as tf.Tensor1D;
  });
}
