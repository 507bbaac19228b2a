import { tf } from '../backend/tf';

/** An axis-aligned crop window in original-image pixels (continuous coordinates, pixel centres at +0.5). */
export interface CropWindow {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/**
 * The window around a box, grown by `padding` of its size on each side and widened to the output's
 * aspect ratio (a square for a square output), centred on the box. It may reach outside the image;
 * what lies outside is filled when cropping.
 * @param box [x, y, width, height] pixels
 * @param size output [height, width]
 */
export function paddedCropWindow(
  box: readonly [number, number, number, number],
  size: readonly [number, number],
  padding: number,
): CropWindow {
  const [bx, by, bw, bh] = box;
  const aspect = size[1] / size[0];
  const height = Math.max(bh, bw / aspect) * (1 + 2 * padding);
  const width = height * aspect;
  return { x: bx + bw / 2 - width / 2, y: by + bh / 2 - height / 2, width, height };
}

/**
 * Crops `window` out of an image, resamples it bilinearly to `size`, fills outside the image with
 * `fill`, and optionally mirrors it left-right.
 * @param image float32 [H,W,C] (not disposed)
 * @returns float32 [size[0], size[1], C]; the caller owns it
 */
export function cropImage(
  image: tf.Tensor3D,
  window: CropWindow,
  size: readonly [number, number],
  fill: number,
  flip: boolean,
): tf.Tensor3D {
  const [h, w] = image.shape;
  const [oh, ow] = size;
  // cropAndResize samples row i at y1 (H-1) + i (y2-y1) (H-1) / (oh-1) in index coordinates; choose
  // y1, y2 so that output pixel centres land on window.y + (i + 0.5) window.height / oh - 0.5.
  const edge = (start: number, extent: number, n: number, dim: number): [number, number] => {
    const denom = Math.max(dim - 1, 1);
    const first = start + (0.5 * extent) / n - 0.5;
    const last = first + (extent * (n - 1)) / n;
    return [first / denom, last / denom];
  };
  const [y1, y2] = edge(window.y, window.height, oh, h);
  const [x1, x2] = edge(window.x, window.width, ow, w);
  return tf.tidy(() => {
    const batch = image.expandDims(0) as tf.Tensor4D;
    let out = tf.image.cropAndResize(batch, tf.tensor2d([[y1, x1, y2, x2]]), tf.tensor1d([0], 'int32'), [oh, ow], 'bilinear', fill);
    if (flip) out = tf.image.flipLeftRight(out);
    return out.squeeze([0]) as tf.Tensor3D;
  });
}
