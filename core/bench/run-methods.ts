import * as path from 'path';
import type { Dataset } from '../interfaces/dataset';
import { textureErrors, visibleTexels } from '../metrics/texture-error';
import { uvChartMask } from '../renderer/uv-texels';
import { disposeFitted, fitPhoto, makeTexture, type PhotoRunnerParts, type PhotoRunOptions } from '../run/photo-runner';
import { groundTruthTexture } from '../synth/ground-truth';
import { readTruthTexture } from '../train/texture/generator-eval';
import type { TextureMethod } from '../run/texture-methods';

/** One variant `retex bench run` scores: a method (and optimize's start). */
export interface RunVariant {
  readonly label: string;
  readonly method: TextureMethod;
  readonly optimize?: PhotoRunOptions['optimize'];
}

/** Mean texture errors of one variant over the images whose fit succeeded. */
export interface VariantQuality {
  readonly label: string;
  readonly texture_error_visible: number;
  readonly texture_error_unseen: number;
  readonly texture_error_all: number;
  /** Mean milliseconds of the texture step alone (the fit is shared). */
  readonly texture_ms: number;
}

/** What scoring every variant on a synthetic set gave. */
export interface RunQuality {
  readonly images: number;
  /** Images whose subject could not be found or fitted (reasons grouped). */
  readonly fit_failures: Readonly<Record<string, number>>;
  readonly fit_ms: number;
  /** The photos whose fit succeeded (the timing runs use one of them). */
  readonly fittedPhotos: readonly string[];
  readonly variants: readonly VariantQuality[];
}

/** The true texture of a synthetic image at `textureSize` (float32 [Th*Tw*3] in [-1,1]). */
async function truthTexture(root: string, imagePath: string, textureSize: readonly [number, number]): Promise<Float32Array> {
  const file = groundTruthTexture(root, imagePath);
  if (file == null) throw new Error(`${imagePath} has no ground-truth texture: bench run needs a set written by retex synth`);
  return readTruthTexture(file, textureSize);
}

/** A failure reason without its per-image details (file names, numbers), to group like with like. */
function reasonOf(err: unknown): string {
  return (err as Error).message.replace(/\S+\.(png|jpe?g|bmp|webp|tiff?)\b/gi, 'IMAGE').replace(/-?\d+(\.\d+)?/g, 'N').slice(0, 120);
}

/**
 * Runs every variant on the images of a synthetic set end to end (detector, photo predictor, texture) and
 * scores each texture against the truth on the texels the photo shows and on those it never shows.
 */
export async function scoreRunVariants(
  parts: PhotoRunnerParts,
  dataset: Dataset,
  root: string,
  splits: readonly string[],
  count: number,
  variants: readonly RunVariant[],
  onProgress?: (done: number, total: number) => void,
): Promise<RunQuality> {
  const samples = splits.flatMap((s) => dataset.samples(s));
  const picked = Array.from({ length: Math.min(count, samples.length) }, (_, k) => samples[Math.floor((k * samples.length) / Math.min(count, samples.length))]);
  const sums = variants.map(() => ({ visible: 0, unseen: 0, all: 0, ms: 0, n: { visible: 0, unseen: 0, all: 0 } }));
  const failures: Record<string, number> = {};
  let fitMs = 0;
  const fittedPhotos: string[] = [];
  for (const [i, sample] of picked.entries()) {
    const started = Date.now();
    let fit;
    try {
      fit = await fitPhoto(parts, sample.imagePath, {});
    } catch (err) {
      const reason = reasonOf(err);
      failures[reason] = (failures[reason] ?? 0) + 1;
      onProgress?.(i + 1, picked.length);
      continue;
    }
    fitMs += Date.now() - started;
    fittedPhotos.push(sample.imagePath);
    try {
      const truth = await truthTexture(root, sample.imagePath, parts.textureSize);
      const masks = { charts: uvChartMask(fit.aligned.mesh, parts.textureSize), visible: visibleTexels(fit.operator.taps) };
      for (const [v, variant] of variants.entries()) {
        const made = await makeTexture(parts, fit, variant.method, variant.optimize);
        try {
          const e = textureErrors(made.texture.dataSync(), truth, parts.textureSize, masks);
          const s = sums[v];
          s.ms += made.ms;
          for (const k of ['visible', 'unseen', 'all'] as const) {
            const value = e[k];
            if (value == null) continue;
            s[k] += value;
            s.n[k]++;
          }
        } finally {
          made.texture.dispose();
        }
      }
    } finally {
      disposeFitted(fit);
    }
    onProgress?.(i + 1, picked.length);
  }
  const mean = (x: number, n: number) => (n > 0 ? x / n : NaN);
  return {
    images: picked.length,
    fit_failures: failures,
    fit_ms: mean(fitMs, fittedPhotos.length),
    fittedPhotos,
    variants: variants.map((v, k) => ({
      label: v.label,
      texture_error_visible: mean(sums[k].visible, sums[k].n.visible),
      texture_error_unseen: mean(sums[k].unseen, sums[k].n.unseen),
      texture_error_all: mean(sums[k].all, sums[k].n.all),
      texture_ms: mean(sums[k].ms, fittedPhotos.length),
    })),
  };
}

/** Where a bench's synthetic set of a category lives by default (rebuilt only when missing). */
export function benchSetFolder(cacheRoot: string, category: string, seed: number, subjects: number, perSubject: number): string {
  return path.join(cacheRoot, `${category}-seed${seed}-${subjects}x${perSubject}`);
}
