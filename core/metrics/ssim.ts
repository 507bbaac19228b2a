import { tf } from '../backend/tf';
import type { Metric } from '../interfaces/metric';

/**
 * SSIM exactly as scikit-image computes it with the settings of Wang et al. 2004:
 *
 *     skimage.metrics.structural_similarity(im1, im2, gaussian_weights=True, sigma=1.5,
 *                                           use_sample_covariance=False, data_range=1, channel_axis=-1)
 *
 * i.e. per channel: Gaussian-weighted local means, variances and covariance (scipy.ndimage.gaussian_filter,
 * sigma 1.5, truncate 3.5 -> radius int(3.5*1.5 + 0.5) = 5, an 11-tap normalised kernel), population
 * covariance, C1 = (0.01)^2, C2 = (0.03)^2, the SSIM map, its mean after cropping (win_size - 1) / 2 = 5
 * pixels from every border; then the mean over channels. Checked against skimage 0.19 to 1e-5 by
 * spec/fixtures/ssim (scripts/make-ssim-fixtures.py).
 *
 * Borders: skimage filters with mode 'reflect' (scipy's d c b a | a b c d) and then drops the 5-pixel
 * strip whose filtered values read that padding. Every kept value reads only pixels of the image, so the
 * padding never matters and this file filters with 'valid' convolutions instead, producing exactly the
 * cropped [H-10, W-10] map.
 */

/** Gaussian standard deviation of the SSIM window, in pixels. */
export const SSIM_SIGMA = 1.5;
/** skimage's truncation of the Gaussian, in standard deviations (gives 11 taps at sigma 1.5). */
export const SSIM_TRUNCATE = 3.5;
/** Half-width of the window and width of the border strip left out of the mean: int(3.5*1.5 + 0.5). */
export const SSIM_RADIUS = Math.floor(SSIM_TRUNCATE * SSIM_SIGMA + 0.5);
/** Side of the window (11): the smallest image side SSIM accepts. */
export const SSIM_WINDOW = 2 * SSIM_RADIUS + 1;
/** Stabilising constants for a data range of 1: (K1*L)^2 and (K2*L)^2 with K1 0.01, K2 0.03. */
export const SSIM_C1 = 0.01 ** 2;
export const SSIM_C2 = 0.03 ** 2;

/**
 * scipy.ndimage's 1-d Gaussian kernel (`_gaussian_kernel1d`): exp(-x^2 / (2 sigma^2)) for
 * x = -radius..radius, normalised to sum 1.
 * @returns float64 [2*radius + 1]
 */
export function gaussianWindow(sigma = SSIM_SIGMA, radius = SSIM_RADIUS): Float64Array {
  const w = Float64Array.from({ length: 2 * radius + 1 }, (_, i) => Math.exp((-0.5 * (i - radius) ** 2) / sigma ** 2));
  const sum = w.reduce((s, v) => s + v, 0);
  return w.map((v) => v / sum);
}

function checkPair(a: tf.Tensor, b: tf.Tensor, what: string): void {
  if (a.rank !== 4 || b.rank !== 4 || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new Error(`${what}: images must be two tensors [B,H,W,C] of one shape, got [${a.shape}] and [${b.shape}]`);
  }
  const [, h, w] = a.shape;
  if (h < SSIM_WINDOW || w < SSIM_WINDOW) {
    throw new Error(
      `${what}: images of ${h}x${w} pixels are smaller than the ${SSIM_WINDOW}x${SSIM_WINDOW} Gaussian window ` +
        `(sigma ${SSIM_SIGMA}); SSIM needs at least ${SSIM_WINDOW} pixels on each side, as skimage does`,
    );
  }
}

/**
 * Per-image SSIM of images already in [0, 1] (data range 1), as a tensor: the building block of
 * {@link ssimPerImage} and {@link maskedSsimPerImage}.
 * @param a float32 [B,H,W,C] in [0,1], H and W >= 11
 * @param b float32 [B,H,W,C] in [0,1], same shape
 * @returns float32 [B]: the mean over channels of the mean over the cropped [H-10, W-10] SSIM map,
 *   in [-1, 1] (1 for identical images)
 */
export function ssim01(a: tf.Tensor4D, b: tf.Tensor4D): tf.Tensor1D {
  checkPair(a, b, 'ssim');
  const channels = a.shape[3];
  return tf.tidy(() => {
    const x = tf.cast(a, 'float32');
    const y = tf.cast(b, 'float32');
    // Variances are shift-invariant: removing each image's per-channel mean first keeps the
    // E[x^2] - E[x]^2 cancellation small in float32 (skimage works in float64).
    const mx = tf.mean(x, [1, 2], true);
    const my = tf.mean(y, [1, 2], true);
    const xc = tf.sub(x, mx);
    const yc = tf.sub(y, my);
    // One separable pass filters all five moments: [B,H,W,5C].
    const moments = tf.concat([xc, yc, tf.mul(xc, xc), tf.mul(yc, yc), tf.mul(xc, yc)], 3) as tf.Tensor4D;
    const taps = Array.from(gaussianWindow());
    const depth = 5 * channels;
    const column = tf.tensor4d(
      taps.flatMap((t) => new Array<number>(depth).fill(t)),
      [SSIM_WINDOW, 1, depth, 1],
    );
    const row = tf.reshape(column, [1, SSIM_WINDOW, depth, 1]) as tf.Tensor4D;
    const filtered = tf.depthwiseConv2d(tf.depthwiseConv2d(moments, column, 1, 'valid'), row, 1, 'valid');
    const [fx, fy, fxx, fyy, fxy] = tf.split(filtered, 5, 3);
    const vx = tf.sub(fxx, tf.mul(fx, fx));
    const vy = tf.sub(fyy, tf.mul(fy, fy));
    const vxy = tf.sub(fxy, tf.mul(fx, fy));
    const ux = tf.add(fx, mx);
    const uy = tf.add(fy, my);
    const a1 = tf.add(tf.mul(2, tf.mul(ux, uy)), SSIM_C1);
    const a2 = tf.add(tf.mul(2, vxy), SSIM_C2);
    const b1 = tf.add(tf.add(tf.mul(ux, ux), tf.mul(uy, uy)), SSIM_C1);
    const b2 = tf.add(tf.add(vx, vy), SSIM_C2);
    const map = tf.div(tf.mul(a1, a2), tf.mul(b1, b2));
    // Every channel's cropped map has the same size, so the mean over channels of the per-channel
    // means is the mean over everything.
    return tf.mean(map, [1, 2, 3]) as tf.Tensor1D;
  });
}

function checkRgb(photos: tf.Tensor4D, renderings: tf.Tensor4D, what: string): void {
  checkPair(photos, renderings, what);
  if (photos.shape[3] !== 3) throw new Error(`${what}: images must be RGB [B,H,W,3], got [${photos.shape}]`);
}

async function read(values: tf.Tensor1D): Promise<number[]> {
  try {
    return Array.from(await values.data());
  } finally {
    values.dispose();
  }
}

/**
 * SSIM of each photo with its rendering (skimage's Gaussian SSIM, see the file comment).
 * @param photos float32 [B,H,W,3] in [-1,1] (the project's image range; mapped to [0,1] inside,
 *   so the data range is 1), H and W >= 11
 * @param renderings float32 [B,H,W,3] in [-1,1]
 * @returns one value per image, in [-1, 1]
 */
export async function ssimPerImage(photos: tf.Tensor4D, renderings: tf.Tensor4D): Promise<number[]> {
  checkRgb(photos, renderings, 'ssimPerImage');
  return read(tf.tidy(() => ssim01(to01(photos), to01(renderings))));
}

/**
 * Mask-SSIM: SSIM(photo * m, rendering * m), both multiplied by the mask in [0,1] space
 * (((x + 1) / 2) * m), so what lies outside the mask is black in both and matches.
 * @param photos float32 [B,H,W,3] in [-1,1], H and W >= 11
 * @param renderings float32 [B,H,W,3] in [-1,1]
 * @param masks float32 [B,H,W,1] in [0,1] (e.g. the rendered silhouettes)
 * @returns one value per image, in [-1, 1]
 */
export async function maskedSsimPerImage(
  photos: tf.Tensor4D,
  renderings: tf.Tensor4D,
  masks: tf.Tensor4D,
): Promise<number[]> {
  checkRgb(photos, renderings, 'maskedSsimPerImage');
  const [batch, height, width] = photos.shape;
  if (masks.rank !== 4 || masks.shape[0] !== batch || masks.shape[1] !== height || masks.shape[2] !== width || masks.shape[3] !== 1) {
    throw new Error(`maskedSsimPerImage: masks [${masks.shape}] must be [${batch},${height},${width},1]`);
  }
  return read(
    tf.tidy(() => {
      const m = tf.cast(masks, 'float32');
      return ssim01(tf.mul(to01(photos), m) as tf.Tensor4D, tf.mul(to01(renderings), m) as tf.Tensor4D);
    }),
  );
}

function to01(x: tf.Tensor4D): tf.Tensor4D {
  return tf.div(tf.add(tf.cast(x, 'float32'), 1), 2) as tf.Tensor4D;
}

/** `ssim`: {@link ssimPerImage} of the photos and the composited renderings. */
export const SSIM_METRIC: Metric = {
  id: 'ssim',
  compute: (inputs) => ssimPerImage(inputs.images, inputs.renderings),
};

/** `mask_ssim`: {@link maskedSsimPerImage} with the rendered silhouettes as masks. */
export const MASK_SSIM_METRIC: Metric = {
  id: 'mask_ssim',
  compute: (inputs) => maskedSsimPerImage(inputs.images, inputs.renderings, inputs.masks),
};
