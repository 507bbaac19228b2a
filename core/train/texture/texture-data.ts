import * as fs from 'fs';
import * as path from 'path';
import { readPixels } from '../../io/image-decode';
import type { LoadedItem } from '../../prepare/prepared-set';
import type { HostBatch } from '../train-task';
import { writeDenseTaps } from './batch-render';
import { featureKey } from './texture-task';

/** Most background photos held in memory. */
export const MAX_BACKGROUND_PHOTOS = 2000;

/**
 * A photo with its subject removed, for compositing renderings over: inside `mask` each row is filled by
 * interpolating between the nearest background pixels left and right of the subject (the whole row from
 * the nearest side when the subject touches an edge; rows without background stay as they are).
 * @param pixels uint8 [H*W*3]; @param mask [H*W], > 0.5 = subject
 */
export function removeSubject(pixels: Uint8Array, mask: ArrayLike<number>, height: number, width: number): Uint8Array {
  const out = Uint8Array.from(pixels);
  for (let y = 0; y < height; y++) {
    let x = 0;
    while (x < width) {
      if (!(mask[y * width + x] > 0.5)) {
        x++;
        continue;
      }
      const start = x;
      while (x < width && mask[y * width + x] > 0.5) x++;
      const left = start - 1;
      const right = x < width ? x : -1;
      if (left < 0 && right < 0) continue;
      for (let i = start; i < x; i++) {
        const t = left < 0 ? 1 : right < 0 ? 0 : (i - left) / (right - left);
        for (let c = 0; c < 3; c++) {
          const a = left < 0 ? pixels[(y * width + right) * 3 + c] : pixels[(y * width + left) * 3 + c];
          const b = right < 0 ? a : pixels[(y * width + right) * 3 + c];
          out[(y * width + i) * 3 + c] = Math.round(a + (b - a) * t);
        }
      }
    }
  }
  return out;
}

/**
 * Background photos from a folder (PNG, JPEG, WebP), each squashed to `size` as the authors squash street
 * frames to the crop size; at most {@link MAX_BACKGROUND_PHOTOS}, sorted by name.
 * @throws naming the folder when it holds no image, or the file that cannot be decoded
 */
export async function loadBackgroundPhotos(dir: string, size: readonly [number, number]): Promise<Uint8Array[]> {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Error(`--backgrounds ${dir} is not a folder of photos`);
  const files = fs
    .readdirSync(dir)
    .filter((f) => /\.(png|jpe?g|webp)$/i.test(f))
    .sort()
    .slice(0, MAX_BACKGROUND_PHOTOS);
  if (files.length === 0) throw new Error(`--backgrounds ${dir} holds no .png, .jpg or .webp photo`);
  const out: Uint8Array[] = [];
  for (const f of files) {
    const { pixels, channels } = await readPixels(path.join(dir, f), { size, alpha: 'drop' });
    out.push(channels === 3 ? pixels : Uint8Array.from({ length: size[0] * size[1] * 3 }, (_, i) => pixels[Math.floor(i / 3) * 4 + (i % 3)]));
  }
  return out;
}

/** The photos' own features per feature term, one Float32Array [D_s] per stage per training image. */
export type FeatureCache = ReadonlyMap<string, ReadonlyArray<readonly Float32Array[]>>;

/** What {@link assembleBatch} reads. */
export interface TextureBatchSource {
  readonly items: readonly LoadedItem[];
  /** uint8 [H*W*3] per item. */
  readonly pixels: readonly Uint8Array[];
  /** What the generator reads per item when it is not the photo: projected textures, float32 [Th*Tw*3] in [-1,1]. */
  readonly generatorInputs?: { readonly size: readonly [number, number]; readonly values: readonly Float32Array[] };
  readonly backgrounds: readonly Uint8Array[];
  readonly size: readonly [number, number];
  /** Reference textures of the face term (0: no `referenceIndices`). */
  readonly referenceCount: number;
  readonly features: FeatureCache;
  /** Shape of each cached stage per term ([D...] without the batch axis). */
  readonly featureShapes: ReadonlyMap<string, ReadonlyArray<readonly number[]>>;
}

/**
 * One training batch as host tensors: the photos, their render taps, a background per sample (a random
 * background, mirrored half the time), the face term's reference texture indices and the cached features.
 * `generatorImages` holds what the generator reads when that is not the batch's photos: the source's
 * `generatorInputs`, and with `crossView` > 0, for that share of the samples (drawn per sample), another
 * photo of the sample's identity from the same batch (or its generator input): the texture made from it
 * is rendered in this sample's pose and judged against this sample's photo, so the parts of a subject
 * one photo never shows are supervised by the photos that show them. Samples whose identity has no
 * other photo in the batch keep their own.
 */
export function assembleBatch(source: TextureBatchSource, indices: readonly number[], random: () => number, crossView = 0): HostBatch {
  const [h, w] = source.size;
  const n = indices.length;
  const k = source.items[0].renderOperator.taps.tapsPerPixel;
  const images = new Float32Array(n * h * w * 3);
  const backgrounds = new Float32Array(n * h * w * 3);
  const taps = new Int32Array(n * h * w * k);
  const weights = new Float32Array(n * h * w * k);
  const references = new Int32Array(n);
  indices.forEach((idx, i) => {
    const px = source.pixels[idx];
    for (let j = 0; j < h * w * 3; j++) images[i * h * w * 3 + j] = px[j] / 127.5 - 1;
    const bg = source.backgrounds[Math.floor(random() * source.backgrounds.length)];
    const flip = random() < 0.5;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const from = (y * w + (flip ? w - 1 - x : x)) * 3;
        const to = i * h * w * 3 + (y * w + x) * 3;
        for (let c = 0; c < 3; c++) backgrounds[to + c] = bg[from + c] / 127.5 - 1;
      }
    }
    writeDenseTaps(
      source.items[idx].renderOperator.taps,
      taps.subarray(i * h * w * k, (i + 1) * h * w * k),
      weights.subarray(i * h * w * k, (i + 1) * h * w * k),
    );
    references[i] = source.referenceCount > 0 ? Math.floor(random() * source.referenceCount) : 0;
  });
  const readFrom = crossView > 0 ? crossViewPartners(source, indices, random, crossView) : indices.map((_, i) => i);
  const inputs = source.generatorInputs;
  const generatorImages = inputs != null ? stack(readFrom.map((j) => inputs.values[indices[j]])) : crossView > 0 ? rows(images, readFrom) : null;
  const inputShape = inputs?.size ?? [h, w];
  const batch: Record<string, HostBatch[string]> = {
    images: { values: images, shape: [n, h, w, 3], dtype: 'float32' },
    taps: { values: taps, shape: [n, h * w * k], dtype: 'int32' },
    tapWeights: { values: weights, shape: [n, h * w * k], dtype: 'float32' },
    backgrounds: { values: backgrounds, shape: [n, h, w, 3], dtype: 'float32' },
  };
  if (generatorImages != null) batch.generatorImages = { values: generatorImages, shape: [n, ...inputShape, 3], dtype: 'float32' };
  if (source.referenceCount > 0) batch.referenceIndices = { values: references, shape: [n], dtype: 'int32' };
  for (const [term, perImage] of source.features) {
    const shapes = source.featureShapes.get(term) ?? [];
    shapes.forEach((shape, s) => {
      const size = shape.reduce((a, d) => a * d, 1);
      const values = new Float32Array(n * size);
      indices.forEach((idx, i) => values.set(perImage[idx][s], i * size));
      batch[featureKey(term, s)] = { values, shape: [n, ...shape], dtype: 'float32' };
    });
  }
  return batch;
}

/** Per sample, the batch position whose photo the generator reads: another photo of its identity with probability `share`. */
function crossViewPartners(source: TextureBatchSource, indices: readonly number[], random: () => number, share: number): number[] {
  return indices.map((idx, i) => {
    if (random() >= share) return i;
    const others = indices.map((_, j) => j).filter((j) => source.items[indices[j]].identity === source.items[idx].identity && indices[j] !== idx);
    return others.length === 0 ? i : others[Math.floor(random() * others.length)];
  });
}

/** Rows `order` of a batch's values (equal-sized samples), as a new batch. */
function rows(values: Float32Array, order: readonly number[]): Float32Array {
  const size = values.length / order.length;
  const out = new Float32Array(values.length);
  order.forEach((j, i) => out.set(values.subarray(j * size, (j + 1) * size), i * size));
  return out;
}

/** Equal-sized samples as one batch. */
function stack(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.length * parts[0].length);
  parts.forEach((p, i) => out.set(p, i * p.length));
  return out;
}
