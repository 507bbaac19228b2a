import { tf } from '../../backend/tf';
import { composite } from '../../renderer/composite';
import { readPixels } from '../../io/image-decode';
import { writeTensorPng } from '../../io/image-io';
import { evaluateTextures, type EvaluationNetworks, type ImageMetrics } from '../../metrics/evaluate-textures';
import { resizeTextureArea } from '../../metrics/texture-error';
import type { TextureGenerator } from '../../interfaces/texture-generator';
import { generatorInputs, type ProjectionPriors } from '../../run/generator-input';
import { resolveInside } from '../../synth/ground-truth';
import type { PreparedItem, LoadedItem } from '../../prepare/prepared-set';

const EVAL_BATCH = 16;

/**
 * The true textures of prepared items (synthetic sets) at `textureSize` (area-downsized when the truth is
 * larger), float32 [Th*Tw*3] in [-1,1]; null where the item has none.
 * @throws naming the file when a texture cannot be read or its size is not a multiple of `textureSize`
 */
export async function loadTruthTextures(
  items: readonly PreparedItem[],
  dataRoot: string,
  textureSize: readonly [number, number],
): Promise<Array<Float32Array | null>> {
  const out: Array<Float32Array | null> = [];
  for (const item of items) {
    if (item.groundTruthTexture == null) {
      out.push(null);
      continue;
    }
    out.push(await readTruthTexture(resolveInside(dataRoot, item.groundTruthTexture, 'ground-truth texture'), textureSize));
  }
  return out;
}

/**
 * A ground-truth texture image at `textureSize` (area-averaged down from a multiple of it).
 * @returns float32 [Th*Tw*3] in [-1,1]
 * @throws naming the file when it cannot be read or its size is not a multiple of `textureSize`
 */
export async function readTruthTexture(file: string, textureSize: readonly [number, number]): Promise<Float32Array> {
  const { pixels, height, width, channels } = await readPixels(file, { alpha: 'drop' });
  const values = new Float32Array(height * width * 3);
  for (let i = 0; i < height * width; i++) for (let c = 0; c < 3; c++) values[3 * i + c] = pixels[channels * i + c] / 127.5 - 1;
  try {
    return resizeTextureArea(values, [height, width], textureSize);
  } catch (err) {
    throw new Error(`ground-truth texture ${file}: ${(err as Error).message}`);
  }
}

/**
 * Photos stored as 8-bit RGB (uint8 [H*W*3] each) as one batch in the networks' range.
 * @returns float32 [B,H,W,3] in [-1,1]; the caller owns it
 */
export function photoBatch(pixels: readonly Uint8Array[], size: readonly [number, number]): tf.Tensor4D {
  const [h, w] = size;
  const values = new Float32Array(pixels.length * h * w * 3);
  pixels.forEach((p, i) => {
    for (let j = 0; j < p.length; j++) values[i * h * w * 3 + j] = p[j] / 127.5 - 1;
  });
  return tf.tensor4d(values, [pixels.length, h, w, 3]);
}

/** Textures for a batch of photos (float32 [B,H,W,3] in [-1,1]) -> float32 [B,Th,Tw,3]; the caller disposes them. */
export type TextureSource = (photos: tf.Tensor4D, items: readonly LoadedItem[]) => tf.Tensor4D;

/** A generator's textures in inference mode (`priors`: for a generator that reads projections). */
export function generatorSource(generator: TextureGenerator, priors: ProjectionPriors | null = null): TextureSource {
  return (photos, items) =>
    tf.tidy(() => generator.generate(generatorInputs(generator, photos, items.map((i) => i.renderOperator), priors), false));
}

/**
 * The mean-colour baseline: every texel takes the photo's mean colour inside the rendered silhouette
 * (what a method must beat on the texels the photo never shows).
 */
export function meanColourSource(textureSize: readonly [number, number]): TextureSource {
  return (photos, items) =>
    tf.tidy(() => {
      const masks = tf.concat(items.map((i) => i.renderOperator.maskTensor())) as tf.Tensor4D;
      const mean = tf.div(tf.sum(tf.mul(photos, masks), [1, 2], true), tf.maximum(tf.sum(masks, [1, 2], true), 1));
      return tf.tile(mean, [1, textureSize[0], textureSize[1], 1]) as tf.Tensor4D;
    });
}

/** The `project` method's textures (the baseline a generator that reads projections starts from). */
export function projectSource(priors: ProjectionPriors, textureSize: readonly [number, number]): TextureSource {
  return (photos, items) => generatorInputs({ input: 'projection', inputSize: textureSize }, photos, items.map((i) => i.renderOperator), priors);
}

/** What {@link evaluateGenerator} scores. */
export interface GeneratorEvaluation {
  readonly textures: TextureSource;
  readonly items: readonly LoadedItem[];
  /** uint8 [H*W*3] photo per item. */
  readonly pixels: readonly Uint8Array[];
  readonly size: readonly [number, number];
  readonly truth: ReadonlyArray<Float32Array | null>;
  readonly charts: Float32Array | null;
  readonly networks: EvaluationNetworks;
  readonly onProgress?: (done: number, total: number) => void;
}

/** Makes each item's texture and scores it against its photo, per image. */
export async function evaluateGenerator(e: GeneratorEvaluation): Promise<ImageMetrics[]> {
  const rows: ImageMetrics[] = [];
  for (let start = 0; start < e.items.length; start += EVAL_BATCH) {
    const items = e.items.slice(start, start + EVAL_BATCH);
    const photos = photoBatch(e.pixels.slice(start, start + items.length), e.size);
    const textures = e.textures(photos, items);
    try {
      rows.push(
        ...(await evaluateTextures(
          {
            ids: items.map((i) => i.id),
            photos,
            textures,
            operators: items.map((i) => i.renderOperator),
            truth: e.truth.slice(start, start + items.length),
            charts: e.charts ?? undefined,
          },
          e.networks,
        )),
      );
    } finally {
      tf.dispose([photos, textures]);
    }
    e.onProgress?.(rows.length, e.items.length);
  }
  return rows;
}


/**
 * A sheet a person can open: one row per item, photo | rendering over the photo | generated texture |
 * true texture (when known), textures scaled to the photo's height.
 */
export async function writeSampleSheet(file: string, e: Omit<GeneratorEvaluation, 'networks' | 'charts' | 'onProgress'>): Promise<void> {
  const h = e.size[0];
  const n = e.items.length;
  if (n === 0) return;
  const photos = photoBatch(e.pixels.slice(0, n), e.size);
  const textures = e.textures(photos, e.items);
  const [, th, tw] = textures.shape;
  const texW = Math.max(1, Math.round((tw * h) / th));
  const sheet = tf.tidy(() => {
    const rows = e.items.map((item, i) => {
      const photo = tf.slice(photos, [i, 0, 0, 0], [1, -1, -1, -1]) as tf.Tensor4D;
      const texture = tf.slice(textures, [i, 0, 0, 0], [1, -1, -1, -1]) as tf.Tensor4D;
      const m = item.renderOperator.maskTensor();
      const over = composite(item.renderOperator.apply(texture), m, photo);
      const scale = (t: tf.Tensor4D): tf.Tensor4D => tf.image.resizeNearestNeighbor(t, [h, texW]);
      const truth = e.truth[i];
      const parts = [photo, over, scale(texture)];
      if (truth != null) parts.push(scale(tf.tensor4d(truth, [1, th, tw, 3])));
      else if (e.truth.some((t) => t != null)) parts.push(tf.fill([1, h, texW, 3], -1) as tf.Tensor4D);
      return tf.concat(parts, 2);
    });
    return tf.squeeze(tf.concat(rows, 1), [0]);
  });
  try {
    await writeTensorPng(file, sheet, '[-1,1]');
  } finally {
    tf.dispose([photos, textures, sheet]);
  }
}
