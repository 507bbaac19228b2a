import * as path from 'path';
import { tf } from '../../backend/tf';
import { readPixels } from '../../io/image-decode';
import { evaluateTextures, type EvaluationNetworks, type ImageMetrics } from '../../metrics/evaluate-textures';
import { resizeTextureArea } from '../../metrics/texture-error';
import type { TextureGenerator } from '../../interfaces/texture-generator';
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
    const file = resolveInside(dataRoot, item.groundTruthTexture, 'ground-truth texture');
    const { pixels, height, width, channels } = await readPixels(file, { alpha: 'drop' });
    const values = new Float32Array(height * width * 3);
    for (let i = 0; i < height * width; i++) for (let c = 0; c < 3; c++) values[3 * i + c] = pixels[channels * i + c] / 127.5 - 1;
    try {
      out.push(resizeTextureArea(values, [height, width], textureSize));
    } catch (err) {
      throw new Error(`ground-truth texture ${file}: ${(err as Error).message}`);
    }
  }
  return out;
}

/** What {@link evaluateGenerator} scores. */
export interface GeneratorEvaluation {
  readonly generator: TextureGenerator;
  readonly items: readonly LoadedItem[];
  /** uint8 [H*W*3] photo per item. */
  readonly pixels: readonly Uint8Array[];
  readonly size: readonly [number, number];
  readonly truth: ReadonlyArray<Float32Array | null>;
  readonly charts: Float32Array | null;
  readonly networks: EvaluationNetworks;
  readonly onProgress?: (done: number, total: number) => void;
}

/** Generates each item's texture (inference mode) and scores it against its photo, per image. */
export async function evaluateGenerator(e: GeneratorEvaluation): Promise<ImageMetrics[]> {
  const [h, w] = e.size;
  const rows: ImageMetrics[] = [];
  for (let start = 0; start < e.items.length; start += EVAL_BATCH) {
    const items = e.items.slice(start, start + EVAL_BATCH);
    const values = new Float32Array(items.length * h * w * 3);
    items.forEach((_, i) => {
      const p = e.pixels[start + i];
      for (let j = 0; j < p.length; j++) values[i * h * w * 3 + j] = p[j] / 127.5 - 1;
    });
    const photos = tf.tensor4d(values, [items.length, h, w, 3]);
    const textures = e.generator.generate(photos, false);
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

/** The image path of an item inside its data folder (for reports). */
export function itemImagePath(dataRoot: string, item: PreparedItem): string {
  return path.join(dataRoot, item.image);
}
