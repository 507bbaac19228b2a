import { tf } from '../backend/tf';

/**
 * y = x * scale + shift per channel (last axis), optionally followed by ReLU, in one pass.
 * Why a 1x1 depthwise convolution: on wasm it runs as one XNNPACK pass over memory, while a
 * broadcasting multiply + add (or tf.batchNorm) runs generic broadcast loops about 3-6x slower.
 * @param x float32 [..., C]; other ranks than 4 are viewed as [1, 1, N, C].
 * @param scale float32 [C].
 * @param shift float32 [C].
 * @returns float32, the shape of x.
 */
export function channelAffine<T extends tf.Tensor>(x: T, scale: tf.Tensor, shift: tf.Tensor, relu = false): T {
  return tf.tidy(() => {
    const c = x.shape[x.rank - 1];
    const x4 = (x.rank === 4 ? x : tf.reshape(x, [1, 1, x.size / c, c])) as tf.Tensor4D;
    const y = tf.fused.depthwiseConv2d({
      x: x4,
      filter: tf.reshape(scale, [1, 1, c, 1]) as tf.Tensor4D,
      strides: 1,
      pad: 'valid',
      bias: shift,
      activation: relu ? 'relu' : 'linear',
    });
    return (x.rank === 4 ? y : tf.reshape(y, x.shape)) as T;
  });
}

/**
 * The same as {@link channelAffine} as one direct FusedDepthwiseConv2D kernel call, for the inside of
 * custom-gradient ops, where no tape records. Why: while a gradient is being taken, tf.fused ops
 * fall back to separate conv, bias-add and ReLU kernels; this kernel has no gradient of its own, so
 * it must never be called where a tape is recording.
 */
export function channelAffineUntaped<T extends tf.Tensor>(x: T, scale: tf.Tensor, shift: tf.Tensor, relu = false): T {
  return tf.tidy(() => {
    const c = x.shape[x.rank - 1];
    const x4 = x.rank === 4 ? x : tf.reshape(x, [1, 1, x.size / c, c]);
    const y = tf.engine().runKernel(
      'FusedDepthwiseConv2D',
      { x: x4, filter: tf.reshape(scale, [1, 1, c, 1]), bias: shift },
      {
        strides: [1, 1],
        pad: 'valid',
        dataFormat: 'NHWC',
        dilations: [1, 1],
        activation: relu ? 'relu' : 'linear',
      } as unknown as tf.NamedAttrMap,
    ) as tf.Tensor;
    return (x.rank === 4 ? y : tf.reshape(y, x.shape)) as T;
  });
}
