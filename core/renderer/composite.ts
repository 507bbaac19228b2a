import { tf } from '../backend/tf';

/**
 * Composites a rendering over a background: rendering * mask + background * (1 - mask) (the method's
 * "random street frame behind the person"). Differentiable w.r.t. rendering and background.
 * @param rendering float32 [B,H,W,C]
 * @param mask float32 in [0,1]: a tensor [B,H,W,1] or [1,H,W,1], or a `RenderOperator.mask` [H*W]
 * @param background float32 [B,H,W,C] (or [1,H,W,C], broadcast over the batch), same range as rendering
 * @returns float32 [B,H,W,C]
 */
export function composite(
  rendering: tf.Tensor4D,
  mask: tf.Tensor4D | Float32Array,
  background: tf.Tensor4D,
): tf.Tensor4D {
  const [batch, height, width, channels] = rendering.shape;
  const bgOk =
    background.rank === 4 &&
    (background.shape[0] === batch || background.shape[0] === 1) &&
    background.shape[1] === height &&
    background.shape[2] === width &&
    background.shape[3] === channels;
  if (!bgOk) {
    throw new Error(
      `composite: background [${background.shape.join(',')}] does not match rendering [${rendering.shape.join(',')}]; ` +
        'resize or crop the background to the rendering size',
    );
  }
  if (mask instanceof Float32Array) {
    if (mask.length !== height * width) {
      throw new Error(`composite: mask has ${mask.length} values, expected ${height}x${width}`);
    }
  } else {
    const ok =
      mask.rank === 4 &&
      (mask.shape[0] === batch || mask.shape[0] === 1) &&
      mask.shape[1] === height &&
      mask.shape[2] === width &&
      mask.shape[3] === 1;
    if (!ok) {
      throw new Error(`composite: mask [${mask.shape.join(',')}] must be [${batch} or 1,${height},${width},1]`);
    }
  }
  return tf.tidy(() => {
    let m = mask instanceof Float32Array ? tf.tensor4d(mask, [1, height, width, 1]) : mask;
    // Tiled to the channels once when the shapes match otherwise: same-shape multiplies (forward and
    // gradient) run 3-4x faster on wasm than a broadcast over the last axis.
    if (channels > 1 && m.shape[0] === batch) m = tf.tile(m, [1, 1, 1, channels]);
    return tf.add(tf.mul(rendering, m), tf.mul(background, tf.sub(1, m))) as tf.Tensor4D;
  });
}
