import { tf } from '../../../core/backend/tf';

/**
 * Rotation matrices from axis-angle vectors (Rodrigues): R = I + a(θ) K + b(θ) K², with K the cross-product
 * matrix of r itself (not of the unit axis), θ = |r|, a = sin θ / θ and b = (1 - cos θ) / θ², computed as
 * ½ (sin(θ/2) / (θ/2))²: no 0/0 and no cancellation near the identity, so the result and its gradient are
 * finite at r = 0 (forms that normalise the axis first are not).
 * @param axisAngle float32 [N,3], radians
 * @returns float32 [N,3,3], row-major rotation matrices (R x rotates column vectors x)
 */
export function rodrigues(axisAngle: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => {
    const n = axisAngle.shape[0];
    const [rx, ry, rz] = tf.unstack(axisAngle, 1) as tf.Tensor1D[];
    const zero = tf.zerosLike(rx);
    const k = tf
      .stack([zero, rz.neg(), ry, rz, zero, rx.neg(), ry.neg(), rx, zero], 1)
      .reshape([n, 3, 3]) as tf.Tensor3D;
    // +1e-12 keeps sqrt's gradient finite at 0 (and makes sin(θ)/θ read 1 there, as its limit).
    const theta = axisAngle.square().sum(1).add(1e-12).sqrt();
    const a = theta.sin().div(theta);
    const half = theta.mul(0.5);
    const b = half.sin().div(half).square().mul(0.5);
    const kk = tf.matMul(k, k);
    const eye = tf.eye(3).expandDims(0);
    return eye
      .add(k.mul(a.reshape([n, 1, 1])))
      .add(kk.mul(b.reshape([n, 1, 1]))) as tf.Tensor3D;
  });
}
