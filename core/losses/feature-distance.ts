import { tf } from '../backend/tf';

/** Which stages a feature distance compares, with what weights, normalised or not. */
export interface FeatureDistanceSettings {
  /** 0-based indices of the stages compared (default: all). */
  readonly stages?: readonly number[];
  /** One weight per compared stage (default 1 each: the method's [1,1,1,1]). */
  readonly stageWeights?: readonly number[];
  /** L2-normalise each flattened per-sample feature vector before the squared error (default true). */
  readonly normalise?: boolean;
}

/** PyTorch's `F.normalize` floor on the norm. */
const NORM_EPSILON = 1e-12;

function flatNormalised(x: tf.Tensor, normalise: boolean): tf.Tensor2D {
  const flat = tf.reshape(x, [x.shape[0], -1]) as tf.Tensor2D;
  if (!normalise) return flat;
  // sqrt(sum(x^2)) as tf.norm computes it, without its pow(abs(x), 2) (the stock wasm Pow is a slow scalar loop).
  return tf.div(flat, tf.maximum(tf.sqrt(tf.sum(tf.square(flat), 1, true)), NORM_EPSILON));
}

/** Checks the settings against a network's stage count; returns the stages and weights in use. */
export function resolveStages(settings: FeatureDistanceSettings, stageCount: number): { stages: number[]; weights: number[] } {
  const stages = settings.stages ? [...settings.stages] : Array.from({ length: stageCount }, (_, i) => i);
  if (stages.length === 0) throw new Error('a feature loss needs at least one stage');
  for (const s of stages) {
    if (!Number.isInteger(s) || s < 0 || s >= stageCount) {
      throw new Error(`feature stage ${s} does not exist: the network has stages 0..${stageCount - 1}`);
    }
  }
  const weights = settings.stageWeights ? [...settings.stageWeights] : stages.map(() => 1);
  if (weights.length !== stages.length || weights.some((w) => !(Number.isFinite(w) && w >= 0))) {
    throw new Error(
      `stageWeights must hold ${stages.length} non-negative number(s), one per compared stage, got ${JSON.stringify(settings.stageWeights)}`,
    );
  }
  return { stages, weights };
}

/**
 * The method's feature distance, as the authors' code computes it: for each compared stage, both
 * feature maps flattened per sample and L2-normalised as a whole vector, then the mean squared error over
 * batch x elements (PyTorch's `MSELoss`), weighted and summed. With normalisation each term is
 * mean(2 - 2 cos) / D, which is why the method's total weight is as large as 5000.
 * @param reference one float32 tensor [B,...] per stage (the photos' features; no gradient needed)
 * @param output the same for the renderings (differentiable)
 * @returns float32 scalar
 */
export function featureDistance(
  reference: readonly tf.Tensor[],
  output: readonly tf.Tensor[],
  settings: FeatureDistanceSettings = {},
): tf.Scalar {
  if (reference.length !== output.length) {
    throw new Error(`feature distance: ${reference.length} reference stages against ${output.length} output stages`);
  }
  const { stages, weights } = resolveStages(settings, output.length);
  const normalise = settings.normalise ?? true;
  return tf.tidy(() => {
    const terms = stages.map((s, i) => {
      const a = reference[s];
      const b = output[s];
      if (a.shape.join() !== b.shape.join()) {
        throw new Error(`feature distance: stage ${s} shapes differ, [${a.shape}] vs [${b.shape}]`);
      }
      const diff = tf.sub(flatNormalised(b, normalise), flatNormalised(a, normalise));
      return tf.mul(tf.mean(tf.square(diff)), weights[i]);
    });
    return tf.addN(terms) as tf.Scalar;
  });
}
