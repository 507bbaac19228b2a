/** Per output index: the input indices it overlaps and the share of each (summing to 1). */
function areaWeights(from: number, to: number): Array<Array<[number, number]>> {
  const scale = from / to;
  return Array.from({ length: to }, (_, i) => {
    const lo = i * scale;
    const hi = (i + 1) * scale;
    const taps: Array<[number, number]> = [];
    for (let k = Math.floor(lo); k < Math.min(from, Math.ceil(hi)); k++) {
      const overlap = Math.min(hi, k + 1) - Math.max(lo, k);
      if (overlap > 1e-9) taps.push([k, overlap / (hi - lo)]);
    }
    return taps;
  });
}

/**
 * Resizes interleaved pixels by area: each output pixel is the mean of the input area it covers (partly
 * covered input pixels weighted by their overlap). Downscaling a texture this way keeps the average colour
 * of one- or two-texel features (an iris, a mouth line) instead of skipping or ringing around them;
 * upscaling repeats pixels (nearest neighbour on exact multiples).
 * @param src [H*W*C] row-major; `size` [H, W]; `target` [h, w]
 * @returns float32 [h*w*C]
 */
export function areaResize(
  src: ArrayLike<number>,
  size: readonly [number, number],
  channels: number,
  target: readonly [number, number],
): Float32Array {
  const [H, W] = size;
  const [h, w] = target;
  if (src.length !== H * W * channels) throw new Error(`areaResize: ${src.length} values is not ${H}x${W}x${channels}`);
  if (!(Number.isInteger(h) && Number.isInteger(w) && h >= 1 && w >= 1)) {
    throw new Error(`areaResize: target size must be two positive integers, got ${JSON.stringify(target)}`);
  }
  const rows = areaWeights(H, h);
  const cols = areaWeights(W, w);
  // Columns first into [H, w, C], then rows.
  const mid = new Float32Array(H * w * channels);
  for (let r = 0; r < H; r++) {
    for (let c = 0; c < w; c++) {
      for (const [k, share] of cols[c]) {
        for (let ch = 0; ch < channels; ch++) mid[(r * w + c) * channels + ch] += share * src[(r * W + k) * channels + ch];
      }
    }
  }
  const out = new Float32Array(h * w * channels);
  for (let r = 0; r < h; r++) {
    for (const [k, share] of rows[r]) {
      for (let i = 0; i < w * channels; i++) out[r * w * channels + i] += share * mid[k * w * channels + i];
    }
  }
  return out;
}
