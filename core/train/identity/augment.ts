/** Which augmentations a training batch gets (each drawn per image). */
export interface AugmentOptions {
  /** Probability of a horizontal flip. Default 0.5. */
  readonly flip?: number;
  /** Zero-padding on each side as a fraction of the side, then a random crop back. Default 0.08. */
  readonly padCrop?: number;
  /** Probability of random erasing (a rectangle of 2-30% of the image filled with noise). Default 0.5. */
  readonly erase?: number;
  /** Strength of the colour jitter (brightness, contrast, saturation each +- this). Default 0.2. */
  readonly jitter?: number;
}

/**
 * One augmented image: flip, pad + random crop, colour jitter, random erasing (the usual re-ID recipe:
 * Zhong et al.'s random erasing with PCB/torchreid transforms), written as floats in [-1,1].
 * @param src uint8 [H*W*3]; @param out float32 view of H*W*3 values to fill; @param random floats in [0,1).
 */
export function augmentImage(
  src: Uint8Array,
  height: number,
  width: number,
  out: Float32Array,
  random: () => number,
  options: AugmentOptions = {},
): void {
  const flip = random() < (options.flip ?? 0.5);
  const pad = options.padCrop ?? 0.08;
  const dy = Math.round((random() * 2 - 1) * pad * height);
  const dx = Math.round((random() * 2 - 1) * pad * width);
  const j = options.jitter ?? 0.2;
  const brightness = 1 + (random() * 2 - 1) * j;
  const contrast = 1 + (random() * 2 - 1) * j;
  const saturation = 1 + (random() * 2 - 1) * j;
  let mean = 0;
  for (let i = 0; i < src.length; i++) mean += src[i];
  mean /= src.length * 255;
  for (let y = 0; y < height; y++) {
    const sy = y + dy;
    for (let x = 0; x < width; x++) {
      const sx0 = x + dx;
      const sx = flip ? width - 1 - sx0 : sx0;
      const o = (y * width + x) * 3;
      if (sy < 0 || sy >= height || sx < 0 || sx >= width) {
        out[o] = out[o + 1] = out[o + 2] = -1;
        continue;
      }
      const s = (sy * width + sx) * 3;
      const r = src[s] / 255;
      const g = src[s + 1] / 255;
      const b = src[s + 2] / 255;
      const grey = 0.299 * r + 0.587 * g + 0.114 * b;
      const gb = grey * brightness;
      out[o] = jitterChannel(r * brightness, gb, saturation, mean, contrast);
      out[o + 1] = jitterChannel(g * brightness, gb, saturation, mean, contrast);
      out[o + 2] = jitterChannel(b * brightness, gb, saturation, mean, contrast);
    }
  }
  if (random() < (options.erase ?? 0.5)) {
    const area = (0.02 + random() * 0.28) * height * width;
    const aspect = Math.exp(Math.log(0.3) + random() * (Math.log(3.3) - Math.log(0.3)));
    const h = Math.min(height, Math.round(Math.sqrt(area * aspect)));
    const w = Math.min(width, Math.round(Math.sqrt(area / aspect)));
    const y0 = Math.floor(random() * (height - h + 1));
    const x0 = Math.floor(random() * (width - w + 1));
    for (let y = y0; y < y0 + h; y++) {
      for (let x = x0; x < x0 + w; x++) {
        const o = (y * width + x) * 3;
        for (let c = 0; c < 3; c++) out[o + c] = random() * 2 - 1;
      }
    }
  }
}

/** Saturation around the pixel's grey, contrast around the image mean, clipped, mapped to [-1,1]. */
function jitterChannel(v: number, grey: number, saturation: number, mean: number, contrast: number): number {
  const s = grey + (v - grey) * saturation;
  const c = mean + (s - mean) * contrast;
  return Math.min(1, Math.max(0, c)) * 2 - 1;
}
