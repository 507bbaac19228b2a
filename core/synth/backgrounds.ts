import * as fs from 'fs';
import * as path from 'path';
import { readPixels } from '../io/image-decode';
import type { PixelBuffer } from '../io/image-io';
import { hsv, mix, type Colour } from './colour';
import type { SeededRandom } from './random';
import type { RgbImage } from './rgb-image';

/** Kinds of procedural background, recorded in each image's ground truth. */
export type ProceduralBackgroundKind = 'gradient' | 'blocks' | 'noise';
const KINDS: readonly ProceduralBackgroundKind[] = ['gradient', 'blocks', 'noise'];

/** Value noise on a coarse lattice, bilinearly interpolated: float [H*W] in [0,1]. */
function valueNoise(height: number, width: number, cell: number, random: SeededRandom): Float32Array {
  const gh = Math.ceil(height / cell) + 2;
  const gw = Math.ceil(width / cell) + 2;
  const grid = new Float32Array(gh * gw);
  for (let i = 0; i < grid.length; i++) grid[i] = random.next();
  const out = new Float32Array(height * width);
  for (let y = 0; y < height; y++) {
    const gy = y / cell;
    const y0 = Math.floor(gy);
    const fy = gy - y0;
    for (let x = 0; x < width; x++) {
      const gx = x / cell;
      const x0 = Math.floor(gx);
      const fx = gx - x0;
      const a = grid[y0 * gw + x0] * (1 - fx) + grid[y0 * gw + x0 + 1] * fx;
      const b = grid[(y0 + 1) * gw + x0] * (1 - fx) + grid[(y0 + 1) * gw + x0 + 1] * fx;
      out[y * width + x] = a * (1 - fy) + b * fy;
    }
  }
  return out;
}

function mutedColour(random: SeededRandom): Colour {
  return hsv(random.next(), random.range(0.05, 0.45), random.range(0.25, 0.85));
}

/**
 * A street-like procedural scene: a vertical gradient (sky or wall above, ground below a horizon), then,
 * by kind, coloured blocks (facades, windows, parked things) or mottled noise (foliage, gravel); always a
 * little pixel noise so no two backgrounds share flat colours with the subject.
 */
export function proceduralBackground(height: number, width: number, random: SeededRandom): { image: RgbImage; kind: ProceduralBackgroundKind } {
  const kind = random.pick(KINDS);
  const top = mutedColour(random);
  const bottom = mutedColour(random);
  const horizon = random.range(0.3, 0.8) * height;
  const rgb = new Float32Array(height * width * 3);
  for (let y = 0; y < height; y++) {
    const above = y < horizon;
    const t = above ? y / Math.max(1, horizon) : (y - horizon) / Math.max(1, height - horizon);
    const c = above ? mix(top, mix(top, bottom, 0.3), t) : mix(mix(bottom, top, 0.2), bottom, t);
    const [r, g, b] = c;
    for (let i = 3 * y * width, end = 3 * (y + 1) * width; i < end; i += 3) {
      rgb[i] = r;
      rgb[i + 1] = g;
      rgb[i + 2] = b;
    }
  }
  if (kind === 'blocks') {
    const count = 3 + random.int(8);
    for (let b = 0; b < count; b++) {
      const c = mutedColour(random);
      const bw = random.range(0.1, 0.6) * width;
      const bh = random.range(0.1, 0.7) * height;
      const x0 = Math.floor(random.range(-0.2, 1) * width);
      const y0 = Math.floor(random.range(-0.2, 1) * height);
      for (let y = Math.max(0, y0); y < Math.min(height, y0 + bh); y++) {
        for (let x = Math.max(0, x0); x < Math.min(width, x0 + bw); x++) {
          const i = 3 * (y * width + x);
          rgb[i] = c[0];
          rgb[i + 1] = c[1];
          rgb[i + 2] = c[2];
        }
      }
    }
  } else if (kind === 'noise') {
    const c = mutedColour(random);
    const n1 = valueNoise(height, width, Math.max(2, Math.round(random.range(0.04, 0.2) * width)), random);
    const n2 = valueNoise(height, width, Math.max(2, Math.round(random.range(0.2, 0.6) * width)), random);
    for (let p = 0; p < height * width; p++) {
      const t = Math.min(1, Math.max(0, 0.6 * n1[p] + 0.6 * n2[p] - 0.2));
      for (let k = 0; k < 3; k++) rgb[3 * p + k] = rgb[3 * p + k] * (1 - t) + c[k] * t;
    }
  }
  const pixels = new Uint8Array(height * width * 3);
  // Sensor-like grain: one draw per pixel, a different 10-bit slice of it per channel.
  for (let p = 0; p < height * width; p++) {
    const bits = (random.next() * 0x40000000) | 0;
    const i = 3 * p;
    // 255 * value + grain in [-5, 5], rounded by the +0.5 and the clamp-to-byte of the typed array.
    const r = rgb[i] * 255 + (bits & 1023) * (10 / 1023) - 4.5;
    const g = rgb[i + 1] * 255 + ((bits >>> 10) & 1023) * (10 / 1023) - 4.5;
    const b = rgb[i + 2] * 255 + ((bits >>> 20) & 1023) * (10 / 1023) - 4.5;
    pixels[i] = r < 0 ? 0 : r > 255 ? 255 : r;
    pixels[i + 1] = g < 0 ? 0 : g > 255 ? 255 : g;
    pixels[i + 2] = b < 0 ? 0 : b > 255 ? 255 : b;
  }
  return { image: { height, width, pixels }, kind };
}

const PHOTO_EXT = /\.(jpe?g|png|webp)$/i;

/**
 * The user's background photos, cropped at random: each crop is a window of the image's aspect-correct
 * size at a random scale and place, resampled (nearest) to the output size. Photos are decoded once,
 * on first use, at a size bounded by `maxSide`.
 */
export class BackgroundPhotos {
  private readonly decoded = new Map<string, PixelBuffer>();

  private constructor(readonly folder: string, readonly files: readonly string[], private readonly maxSide: number) {}

  /**
   * Lists the photos of `folder` (sorted by name, so the choice is deterministic).
   * @throws when the folder is missing or holds no JPEG/PNG/WebP file
   */
  static open(folder: string, maxSide = 512): BackgroundPhotos {
    if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory()) {
      throw new Error(`--backgrounds '${folder}' is not a folder: give a folder of background photos (JPEG, PNG or WebP)`);
    }
    const files = fs.readdirSync(folder).filter((n) => PHOTO_EXT.test(n)).sort();
    if (files.length === 0) throw new Error(`--backgrounds '${folder}' holds no .jpg, .png or .webp file`);
    return new BackgroundPhotos(folder, files, maxSide);
  }

  private async photo(name: string): Promise<PixelBuffer> {
    let found = this.decoded.get(name);
    if (!found) {
      const file = path.join(this.folder, name);
      const full = await readPixels(file);
      const k = Math.min(1, this.maxSide / Math.max(full.height, full.width));
      found = k < 1 ? await readPixels(file, { size: [Math.max(1, Math.round(full.height * k)), Math.max(1, Math.round(full.width * k))] }) : full;
      this.decoded.set(name, found);
    }
    return found;
  }

  /** A random crop of a random photo at [height, width], and which photo it came from. */
  async crop(height: number, width: number, random: SeededRandom): Promise<{ image: RgbImage; source: string }> {
    const name = this.files[random.int(this.files.length)];
    const photo = await this.photo(name);
    // The largest window of the output's aspect ratio that fits, shrunk by a random zoom.
    const fit = Math.min(photo.height / height, photo.width / width);
    const s = fit * random.range(0.5, 1);
    const wh = height * s;
    const ww = width * s;
    const y0 = random.next() * (photo.height - wh);
    const x0 = random.next() * (photo.width - ww);
    const pixels = new Uint8Array(height * width * 3);
    const c = photo.channels;
    for (let y = 0; y < height; y++) {
      const sy = Math.min(photo.height - 1, Math.floor(y0 + (y + 0.5) * s));
      for (let x = 0; x < width; x++) {
        const sx = Math.min(photo.width - 1, Math.floor(x0 + (x + 0.5) * s));
        const src = (sy * photo.width + sx) * c;
        const dst = 3 * (y * width + x);
        pixels[dst] = photo.pixels[src];
        pixels[dst + 1] = photo.pixels[src + 1];
        pixels[dst + 2] = photo.pixels[src + 2];
      }
    }
    return { image: { height, width, pixels }, source: name };
  }
}
