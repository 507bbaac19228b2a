import type { Fragments, TextureSampling } from '../interfaces/renderer';

/**
 * Which texels each covered pixel reads, and with what weights: the sparse render map in plain arrays.
 *
 * UV -> texel convention (texture image [Th, Tw], row 0 at the top):
 * - texel (r, c) covers u in [c/Tw, (c+1)/Tw) and v in (1 - (r+1)/Th, 1 - r/Th]: v points up, so
 *   row 0 of the image is v = 1 and the last row is v = 0 (the OBJ convention);
 * - continuous texel coordinates are x = u*Tw - 0.5, y = (1 - v)*Th - 0.5, with texel centres at integers;
 * - `nearest` reads texel (clamp(floor((1-v)*Th)), clamp(floor(u*Tw))): one tap, weight 1;
 * - `bilinear` reads the 4 texels around (x, y) with weights (1-fx)(1-fy), fx(1-fy), (1-fx)fy, fx*fy,
 *   clamping to the edge (border texels repeat), so weights always sum to 1.
 * Texel (r, c) has flat index r*Tw + c.
 */
export interface TexelTaps {
  readonly height: number;
  readonly width: number;
  readonly textureSize: readonly [number, number];
  readonly sampling: TextureSampling;
  /** 1 for nearest, 4 for bilinear. */
  readonly tapsPerPixel: 1 | 4;
  /** int32 [P]: flat indices (y*W + x) of the covered pixels, increasing. */
  readonly pixels: Int32Array;
  /** int32 [P*K]: flat texel index of each tap. */
  readonly taps: Int32Array;
  /** float32 [P*K]: weight of each tap. */
  readonly weights: Float32Array;
}

/** Checks a texture size [Th, Tw]. */
export function checkTextureSize(textureSize: readonly [number, number]): void {
  const [th, tw] = textureSize;
  if (!Number.isInteger(th) || !Number.isInteger(tw) || th < 1 || tw < 1 || th * tw >= 2 ** 31) {
    throw new Error(`texture size must be two positive integers [Th, Tw], got ${JSON.stringify(textureSize)}`);
  }
}

/**
 * Builds the taps of every covered pixel (faceIds >= 0) from the interpolated UVs in `fragments`.
 * UVs are clamped into [0,1] first (interpolation can overshoot by float rounding).
 */
export function computeTexelTaps(
  fragments: Fragments,
  textureSize: readonly [number, number],
  sampling: TextureSampling,
): TexelTaps {
  checkTextureSize(textureSize);
  if (sampling !== 'nearest' && sampling !== 'bilinear') {
    throw new Error(`sampling must be 'nearest' or 'bilinear', got '${String(sampling)}'`);
  }
  const { height, width, faceIds, uv } = fragments;
  const npix = height * width;
  if (faceIds.length !== npix || uv.length !== 2 * npix) {
    throw new Error(`fragments arrays do not match their size ${height}x${width}`);
  }
  let count = 0;
  for (let p = 0; p < npix; p++) if (faceIds[p] >= 0) count++;
  const [th, tw] = textureSize;
  const k = sampling === 'nearest' ? 1 : 4;
  const pixels = new Int32Array(count);
  const taps = new Int32Array(count * k);
  const weights = new Float32Array(count * k);
  let n = 0;
  for (let p = 0; p < npix; p++) {
    if (faceIds[p] < 0) continue;
    const u = Math.min(1, Math.max(0, uv[2 * p]));
    const v = Math.min(1, Math.max(0, uv[2 * p + 1]));
    pixels[n] = p;
    if (k === 1) {
      const c = Math.min(tw - 1, Math.floor(u * tw));
      const r = Math.min(th - 1, Math.floor((1 - v) * th));
      taps[n] = r * tw + c;
      weights[n] = 1;
    } else {
      const x = u * tw - 0.5;
      const y = (1 - v) * th - 0.5;
      const xf = Math.floor(x);
      const yf = Math.floor(y);
      const fx = x - xf;
      const fy = y - yf;
      const c0 = Math.max(0, xf);
      const c1 = Math.min(tw - 1, xf + 1);
      const r0 = Math.max(0, yf) * tw;
      const r1 = Math.min(th - 1, yf + 1) * tw;
      const o = 4 * n;
      taps[o] = r0 + c0;
      taps[o + 1] = r0 + c1;
      taps[o + 2] = r1 + c0;
      taps[o + 3] = r1 + c1;
      weights[o] = (1 - fx) * (1 - fy);
      weights[o + 1] = fx * (1 - fy);
      weights[o + 2] = (1 - fx) * fy;
      weights[o + 3] = fx * fy;
    }
    n++;
  }
  return { height, width, textureSize: [th, tw], sampling, tapsPerPixel: k, pixels, taps, weights };
}

/**
 * Applies taps on the CPU to one texture: image[p] = sum_k w[p,k] * texture[taps[p,k]].
 * @param texture float32 [Th*Tw*C], row-major, C channels
 * @returns float32 [H*W*C], zero where no face is visible
 */
export function sampleWithTaps(t: TexelTaps, texture: ArrayLike<number>, channels: number): Float32Array {
  const [th, tw] = t.textureSize;
  if (texture.length !== th * tw * channels) {
    throw new Error(`texture has ${texture.length} values, expected ${th}x${tw}x${channels}`);
  }
  const out = new Float32Array(t.height * t.width * channels);
  const k = t.tapsPerPixel;
  for (let n = 0; n < t.pixels.length; n++) {
    const o = t.pixels[n] * channels;
    for (let j = 0; j < k; j++) {
      const w = t.weights[n * k + j];
      const s = t.taps[n * k + j] * channels;
      for (let ch = 0; ch < channels; ch++) out[o + ch] += w * texture[s + ch];
    }
  }
  return out;
}
