import { tf } from '../backend/tf';
import { composite } from '../renderer/composite';
import type { TextureGenerator } from '../interfaces/texture-generator';
import { FeatureTerm } from '../losses/loss-terms';
import type { WeightedLoss } from '../losses/weighted-loss';
import type { SparseRenderOperator } from '../renderer/render-operator';

/** The ways `retex run` makes a photo's texture. */
export const TEXTURE_METHODS = ['generator', 'optimize', 'project'] as const;
export type TextureMethod = (typeof TEXTURE_METHODS)[number];
/** The method used when none is given: the best on never-visible texels of the synthetic sets (README). */
export const DEFAULT_TEXTURE_METHOD: TextureMethod = 'project';

/** Where `optimize` starts from. */
export const OPTIMIZE_STARTS = ['generator', 'project'] as const;
export type OptimizeStart = (typeof OPTIMIZE_STARTS)[number];

/** Default steps and Adam learning rate of `optimize` (on the texture's pre-tanh values). */
export const DEFAULT_OPTIMIZE_STEPS = 60;
export const DEFAULT_OPTIMIZE_LEARNING_RATE = 0.05;
/** Texels per cell of the coarse grid `optimize` changes the texture on. */
export const OPTIMIZE_GRID = 4;
/** Default weight of `optimize`'s anchor to its start (see OptimizeSettings.anchor). */
export const DEFAULT_OPTIMIZE_ANCHOR = 1;

/**
 * The generator's texture for one photo, in inference mode.
 * @param photo float32 [1,H,W,3] in [-1,1], H x W = the generator's input size (not disposed)
 * @returns float32 [1,Th,Tw,3] in [-1,1]; the caller owns it
 */
export function generatorTexture(generator: TextureGenerator, photo: tf.Tensor4D): tf.Tensor4D {
  const [, h, w] = photo.shape;
  if (generator.inputSize[0] !== h || generator.inputSize[1] !== w) {
    throw new Error(`the generator takes ${generator.inputSize.join('x')} images, the crop is ${h}x${w}: set image.height/width to match it`);
  }
  return generator.generate(photo, false);
}

/**
 * Linear interpolation from `n` samples to `m` with the end samples aligned.
 * @returns float32 [m*n] row-major: row o holds the weights of output o
 */
export function interpolationMatrix(n: number, m: number): Float32Array {
  const out = new Float32Array(m * n);
  for (let o = 0; o < m; o++) {
    const p = m === 1 || n === 1 ? 0 : (o * (n - 1)) / (m - 1);
    const i = Math.min(Math.floor(p), n - 1);
    const f = p - i;
    out[o * n + i] += 1 - f;
    if (f > 0) out[o * n + i + 1] += f;
  }
  return out;
}

/** What {@link optimizeTexture} needs. */
export interface OptimizeSettings {
  readonly steps: number;
  readonly learningRate: number;
  /** Which of the loss's terms to lower: its feature terms (default; `retex run`) or all of them (`retex compare`). */
  readonly terms?: 'features' | 'all';
  /** Weight of the mean absolute change of the texture from its start, which keeps it looking like the photo (0 for none). */
  readonly anchor: number;
  /** Called after each step with its loss (weighted feature terms). */
  readonly onStep?: (step: number, loss: number) => void;
}

/**
 * Test-time optimisation of one photo's texture (the process of the paper's Fig. 2): the texture, as
 * tanh of a free variable, is moved by Adam to lower the loss's feature terms (the re-ID distance between
 * the photo and the rendering composited over the photo's own background). Texels the photo never shows
 * get no gradient and keep their starting values.
 * @param start float32 [1,Th,Tw,3] in [-1,1] (not disposed)
 * @param photo float32 [1,H,W,3] in [-1,1] (not disposed)
 * @returns float32 [1,Th,Tw,3] in [-1,1] and the loss before and after; the caller owns the texture
 */
export async function optimizeTexture(
  start: tf.Tensor4D,
  photo: tf.Tensor4D,
  operator: SparseRenderOperator,
  loss: WeightedLoss,
  settings: OptimizeSettings,
): Promise<{ texture: tf.Tensor4D; lossBefore: number; lossAfter: number }> {
  if (!(Number.isInteger(settings.steps) && settings.steps >= 0)) throw new Error(`optimize steps must be a whole number >= 0, got ${settings.steps}`);
  if (!(settings.learningRate > 0)) throw new Error(`optimize learning rate must be positive, got ${settings.learningRate}`);
  const features = loss.terms.filter((t): t is { term: FeatureTerm; weight: number } => t.term instanceof FeatureTerm);
  const terms = settings.terms === 'all' ? loss.terms : features;
  if (terms.length === 0) throw new Error(`optimize needs a feature term (reid or perceptual) in the loss; the config's loss is ${loss.id}`);
  const imageFeatures = Object.fromEntries(features.map(({ term }) => [term.id, tf.tidy(() => term.imageFeatures(photo))]));
  const mask = operator.maskTensor();
  const [, th, tw] = start.shape;
  // The change is a coarse grid upsampled bilinearly: per-texel freedom lets the re-ID net be fooled by
  // high-frequency noise (its distance falls while the texture stops looking like the photo).
  const base = tf.tidy(() => tf.atanh(tf.clipByValue(start, -0.995, 0.995)));
  const coarse = [Math.max(1, Math.round(th / OPTIMIZE_GRID)), Math.max(1, Math.round(tw / OPTIMIZE_GRID))] as const;
  const z = tf.tidy(() => tf.variable(tf.zeros([coarse[0], coarse[1] * 3])));
  const uy = tf.tensor2d(interpolationMatrix(coarse[0], th), [th, coarse[0]]);
  const uxT = tf.tidy(() => tf.tensor2d(interpolationMatrix(coarse[1], tw), [tw, coarse[1]]).transpose());
  // Bilinear upsampling (corners aligned) as two matrix products: their gradients are exact on every
  // backend (the cpu backend's ResizeBilinear gradient fails on non-square images).
  const upsampled = (): tf.Tensor4D => {
    const rows = tf.reshape(tf.matMul(uy, z), [th, coarse[1], 3]);
    const cols = tf.matMul(tf.reshape(tf.transpose(rows, [0, 2, 1]), [th * 3, coarse[1]]), uxT);
    return tf.transpose(tf.reshape(cols, [th, 3, tw]), [0, 2, 1]).expandDims(0) as tf.Tensor4D;
  };
  const optimizer = tf.train.adam(settings.learningRate);
  const objective = (): tf.Scalar => {
    const texture = tf.tanh(tf.add(base, upsampled())) as tf.Tensor4D;
    const rendering = composite(operator.apply(texture), mask, photo);
    const inputs = { images: photo, renderings: rendering, textures: texture, masks: mask, imageFeatures };
    const weighted = terms.map(({ term, weight }) => tf.mul(term.compute(inputs), weight));
    if (settings.anchor > 0) weighted.push(tf.mul(tf.mean(tf.abs(tf.sub(texture, start))), settings.anchor));
    return tf.addN(weighted) as tf.Scalar;
  };
  try {
    const lossBefore = tf.tidy(() => objective().dataSync()[0]);
    let lossAfter = lossBefore;
    for (let step = 1; step <= settings.steps; step++) {
      const value = optimizer.minimize(objective, true, [z]) as tf.Scalar;
      lossAfter = (await value.data())[0];
      value.dispose();
      settings.onStep?.(step, lossAfter);
    }
    if (settings.steps > 0) lossAfter = tf.tidy(() => objective().dataSync()[0]);
    return { texture: tf.tidy(() => tf.tanh(tf.add(base, upsampled()))) as tf.Tensor4D, lossBefore, lossAfter };
  } finally {
    optimizer.dispose();
    z.dispose();
    tf.dispose([base, uy, uxT]);
    mask.dispose();
    Object.values(imageFeatures).forEach((f) => tf.dispose(f));
  }
}
