import { tf } from '../backend/tf';
import { composite } from '../renderer/composite';
import type { IdentityNetwork } from '../interfaces/identity-network';
import type { SparseRenderOperator } from '../renderer/render-operator';
import { meanStageCosine } from './cosine-similarity';
import { maskedSsimPerImage, ssimPerImage } from './ssim';
import { textureErrors, visibleTexels } from './texture-error';

/** The networks CosSim and CosSim-R use (each optional: the figure is left out without it). */
export interface EvaluationNetworks {
  /** The identity network used in training (CosSim). */
  readonly cossim?: IdentityNetwork;
  /** A second, independent network never used in training (CosSim-R). */
  readonly cossimR?: IdentityNetwork;
}

/** Every figure of one image (snake_case: the JSON keys). Texture errors only where the truth is known. */
export interface ImageMetrics {
  readonly id: string;
  readonly ssim: number;
  readonly mask_ssim: number;
  readonly cossim?: number;
  readonly cossim_r?: number;
  /** Mean absolute error in [0,1] over all chart texels / those visible in the photo / those never visible. */
  readonly texture_all?: number | null;
  readonly texture_visible?: number | null;
  readonly texture_unseen?: number | null;
}

/** One batch to score. */
export interface EvaluationBatch {
  readonly ids: readonly string[];
  /** float32 [B,H,W,3] in [-1,1]. */
  readonly photos: tf.Tensor4D;
  /** float32 [B,Th,Tw,3] in [-1,1]. */
  readonly textures: tf.Tensor4D;
  /** Each photo's render operator. */
  readonly operators: readonly SparseRenderOperator[];
  /** The true textures at [Th,Tw] (float32 [Th*Tw*3] in [-1,1]), null where unknown. */
  readonly truth?: ReadonlyArray<Float32Array | null>;
  /** float32 [Th*Tw] in {0,1}: the texels of the UV charts (needed for texture errors). */
  readonly charts?: Float32Array;
}

/**
 * Renders each texture with its photo's operator over the photo itself (rendering x m + photo x (1 - m),
 * m = the rendered silhouette) and scores it against the photo: SSIM, mask-SSIM, CosSim, CosSim-R and,
 * where the true texture is known, the texture errors. Disposes nothing it was given.
 */
export async function evaluateTextures(batch: EvaluationBatch, networks: EvaluationNetworks): Promise<ImageMetrics[]> {
  const { photos, textures, operators } = batch;
  const n = operators.length;
  const [, h, w] = photos.shape;
  const { composited, masks } = tf.tidy(() => {
    const renders = operators.map((op, i) => op.apply(tf.slice(textures, [i, 0, 0, 0], [1, -1, -1, -1]) as tf.Tensor4D));
    const m = tf.concat(operators.map((op) => op.maskTensor())) as tf.Tensor4D;
    const rendered = tf.concat(renders) as tf.Tensor4D;
    return { composited: composite(rendered, m, photos), masks: m };
  });
  try {
    if (masks.shape[1] !== h || masks.shape[2] !== w) throw new Error(`operators render ${masks.shape[1]}x${masks.shape[2]}, photos are ${h}x${w}`);
    const ssim = await ssimPerImage(photos, composited);
    const maskSsim = await maskedSsimPerImage(photos, composited, masks);
    const cosines = (net: IdentityNetwork | undefined): number[] | null => {
      if (net == null) return null;
      const a = net.features(photos);
      const b = net.features(composited);
      try {
        return meanStageCosine(a, b);
      } finally {
        tf.dispose([...a, ...b]);
      }
    };
    const cossim = cosines(networks.cossim);
    const cossimR = cosines(networks.cossimR);
    const textureValues = batch.truth?.some((t) => t != null) ? (textures.dataSync() as Float32Array) : null;
    const [, th, tw] = textures.shape;
    return Array.from({ length: n }, (_, i) => {
      const m: Record<string, unknown> = { id: batch.ids[i], ssim: ssim[i], mask_ssim: maskSsim[i] };
      if (cossim) m.cossim = cossim[i];
      if (cossimR) m.cossim_r = cossimR[i];
      const truth = batch.truth?.[i];
      if (truth != null && textureValues != null && batch.charts != null) {
        const predicted = textureValues.subarray(i * th * tw * 3, (i + 1) * th * tw * 3);
        const e = textureErrors(predicted, truth, [th, tw], { charts: batch.charts, visible: visibleTexels(operators[i].taps) });
        m.texture_all = e.all;
        m.texture_visible = e.visible;
        m.texture_unseen = e.unseen;
      }
      return m as unknown as ImageMetrics;
    });
  } finally {
    composited.dispose();
    masks.dispose();
  }
}

/** The mean of each numeric figure over images (nulls left out); keys as in {@link ImageMetrics}. */
export function meanMetrics(rows: readonly ImageMetrics[]): Record<string, number> {
  const sums = new Map<string, { sum: number; n: number }>();
  for (const r of rows) {
    for (const [k, v] of Object.entries(r)) {
      if (typeof v !== 'number' || !Number.isFinite(v)) continue;
      const s = sums.get(k) ?? { sum: 0, n: 0 };
      s.sum += v;
      s.n++;
      sums.set(k, s);
    }
  }
  return Object.fromEntries([...sums].map(([k, s]) => [k, s.sum / s.n]));
}
