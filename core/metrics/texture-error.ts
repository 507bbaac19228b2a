import { areaResize } from '../io/area-resize';
import { checkTextureSize, type TexelTaps } from '../renderer/texel-taps';

/**
 * Texture error against a ground-truth texture (synthetic data, where the true texture is known), split
 * by what the photo shows: all chart texels, the ones visible in the photo, and the unseen ones the
 * generator had to invent. Plain arrays, no tfjs.
 */

/** Texel masks of one texture [Th, Tw], row-major (texel (r, c) at r*Tw + c); a texel is in a mask when its value is > 0.5. */
export interface TextureMasks {
  /** float32 [Th*Tw]: 1 on texels inside a UV chart (that some face maps to), 0 on the unused gaps. */
  readonly charts: Float32Array;
  /** float32 [Th*Tw]: 1 on texels the photo shows (see {@link visibleTexels}). */
  readonly visible: Float32Array;
}

/**
 * Mean absolute error in [0,1] units (|predicted - truth| / 2 for [-1,1] values), averaged over the
 * texels of a subset and their 3 channels. `null` when the subset has no texel (e.g. no unseen texel
 * because the photo shows every chart texel): the mean over nothing is undefined, and a null keeps it out
 * of JSON averages where a NaN would turn them into NaN.
 */
export interface TextureErrors {
  /** Over every chart texel. */
  readonly all: number | null;
  /** Over the chart texels visible in the photo. */
  readonly visible: number | null;
  /** Over the chart texels the photo does not show (charts and not visible). */
  readonly unseen: number | null;
}

const inMask = (v: number) => v > 0.5;

/**
 * @param predicted float32 [Th*Tw*3] RGB in [-1,1], row-major (a generated texture)
 * @param truth float32 [Th*Tw*3] RGB in [-1,1] (the ground truth, at the same size: see {@link resizeTextureArea})
 * @param textureSize [Th, Tw]
 * @param masks chart and visibility masks [Th*Tw]
 */
export function textureErrors(
  predicted: ArrayLike<number>,
  truth: ArrayLike<number>,
  textureSize: readonly [number, number],
  masks: TextureMasks,
): TextureErrors {
  checkTextureSize(textureSize);
  const texels = textureSize[0] * textureSize[1];
  if (predicted.length !== texels * 3 || truth.length !== texels * 3) {
    throw new Error(
      `textureErrors: textures have ${predicted.length} and ${truth.length} values, expected ${textureSize[0]}x${textureSize[1]}x3`,
    );
  }
  if (masks.charts.length !== texels || masks.visible.length !== texels) {
    throw new Error(
      `textureErrors: masks have ${masks.charts.length} (charts) and ${masks.visible.length} (visible) values, expected ${texels}`,
    );
  }
  const sum = { all: 0, visible: 0, unseen: 0 };
  const count = { all: 0, visible: 0, unseen: 0 };
  for (let t = 0; t < texels; t++) {
    if (!inMask(masks.charts[t])) continue;
    const o = 3 * t;
    const err = Math.abs(predicted[o] - truth[o]) + Math.abs(predicted[o + 1] - truth[o + 1]) + Math.abs(predicted[o + 2] - truth[o + 2]);
    const part = inMask(masks.visible[t]) ? 'visible' : 'unseen';
    sum.all += err;
    count.all++;
    sum[part] += err;
    count[part]++;
  }
  // Sum over channels of |diff| in [-1,1] units -> per-channel mean in [0,1] units: / (3 * 2).
  const mean = (k: keyof typeof sum) => (count[k] > 0 ? sum[k] / (6 * count[k]) : null);
  return { all: mean('all'), visible: mean('visible'), unseen: mean('unseen') };
}

/** What {@link visibleTexels} reads from a {@link TexelTaps}. */
export type VisibilityTaps = Pick<TexelTaps, 'pixels' | 'taps' | 'weights' | 'tapsPerPixel' | 'textureSize'>;

/**
 * Texels the photo shows: a texel is visible when some covered pixel reads it with a positive weight
 * (a bilinear tap of weight 0, e.g. on an exact texel centre or a clamped edge, does not count).
 * @param taps the render map of the photo's mesh and camera
 * @param pixelMask optional float32 [H*W] (flat index y*W + x): only pixels with a value > 0.5 count,
 *   e.g. to leave out pixels where the person is occluded in the photo
 * @returns float32 [Th*Tw] in {0,1}
 */
export function visibleTexels(taps: VisibilityTaps, pixelMask?: ArrayLike<number>): Float32Array {
  checkTextureSize(taps.textureSize);
  const k = taps.tapsPerPixel;
  const texels = taps.textureSize[0] * taps.textureSize[1];
  if (taps.taps.length !== taps.pixels.length * k || taps.weights.length !== taps.taps.length) {
    throw new Error(
      `visibleTexels: ${taps.pixels.length} pixels x ${k} taps need ${taps.pixels.length * k} taps and weights, ` +
        `got ${taps.taps.length} and ${taps.weights.length}`,
    );
  }
  const out = new Float32Array(texels);
  for (let n = 0; n < taps.pixels.length; n++) {
    if (pixelMask) {
      const p = taps.pixels[n];
      if (p >= pixelMask.length) throw new Error(`visibleTexels: pixel ${p} lies outside the pixel mask of ${pixelMask.length} values`);
      if (!inMask(pixelMask[p])) continue;
    }
    for (let j = n * k; j < (n + 1) * k; j++) {
      if (!(taps.weights[j] > 0)) continue;
      const t = taps.taps[j];
      if (t < 0 || t >= texels) throw new Error(`visibleTexels: tap ${t} lies outside the ${texels} texels`);
      out[t] = 1;
    }
  }
  return out;
}

/**
 * Area (box) downsizing by integer factors: each output texel is the mean of the fy x fx input texels it
 * covers (e.g. a 128x128 ground truth compared with a 64x64 generated texture). Works on masks too
 * (`channels` 1), giving the fraction of each block inside the mask.
 * @param values float32 [Th*Tw*C], row-major
 * @param fromSize [Th, Tw]
 * @param toSize [th, tw] with Th = fy*th and Tw = fx*tw for integers fy, fx >= 1 (otherwise throws)
 * @returns float32 [th*tw*C]
 */
export function resizeTextureArea(
  values: ArrayLike<number>,
  fromSize: readonly [number, number],
  toSize: readonly [number, number],
  channels = 3,
): Float32Array {
  checkTextureSize(fromSize);
  checkTextureSize(toSize);
  const [h, w] = fromSize;
  const [oh, ow] = toSize;
  if (!Number.isInteger(channels) || channels < 1) throw new Error(`resizeTextureArea: channels must be a positive integer, got ${channels}`);
  if (values.length !== h * w * channels) {
    throw new Error(`resizeTextureArea: ${values.length} values, expected ${h}x${w}x${channels}`);
  }
  if (h % oh !== 0 || w % ow !== 0) {
    throw new Error(
      `resizeTextureArea: only downsizing by integer factors is supported, and ${h}x${w} -> ${oh}x${ow} is not; ` +
        'resize the larger texture to a divisor of its size',
    );
  }
  return areaResize(values, fromSize, channels, toSize);
}
