import { tf } from '../../backend/tf';
import type { LossInputs } from '../../interfaces/loss';
import type { TextureSampling } from '../../interfaces/renderer';
import type { WeightedLoss } from '../../losses/weighted-loss';
import type { UNet } from '../../nn/unet';
import type { NamedVariable } from '../../nn/variable-scope';
import { composite } from '../../renderer/composite';
import type { SparseRenderOperator } from '../../renderer/render-operator';
import type { TensorBatch, TrainTask } from '../train-task';
import { batchRenderOperator, renderBatch, tapMasks } from './batch-render';

/** Batch key prefix of cached photo features: `feature:<term id>:<stage index>`. */
export const FEATURE_KEY_PREFIX = 'feature:';

/** The batch key of a cached photo feature stage. */
export function featureKey(termId: string, stage: number): string {
  return `${FEATURE_KEY_PREFIX}${termId}:${stage}`;
}

/** Everything one forward pass of the texture pipeline produced (the caller disposes it). */
export interface TexturePass {
  readonly inputs: LossInputs;
  /** The batch's render operator (kept until disposed: the backward pass reads it). */
  readonly operator: SparseRenderOperator;
  /** Renderings before compositing, float32 [B,H,W,3] in [-1,1], zero outside the silhouettes. */
  readonly renderings: tf.Tensor4D;
}

/**
 * The method's training problem: photo -> U-Net -> texture -> fixed render operator -> composite over a
 * background -> weighted loss (re-ID features, face region, ...). Only the U-Net is trained.
 *
 * Batch: `images` float32 [B,H,W,3] in [-1,1]; `taps` int32 [B,H*W*K] and `tapWeights` float32 [B,H*W*K]
 * (each image's render operator, see `DenseTaps`); `backgrounds` float32 [B,H,W,3] in [-1,1]; optional
 * `referenceIndices` int32 [B] (face term), cached photo features `feature:<term>:<stage>` [B,...] and
 * `generatorImages` [B,Hg,Wg,3] (what the generator reads instead of `images`: the projected textures of a
 * generator that reads projections, or another photo of the identity in cross-view training).
 */
export class TextureTask implements TrainTask {
  private operator: SparseRenderOperator | null = null;
  private terms: Record<string, number> = {};

  constructor(
    readonly generator: UNet,
    readonly objective: WeightedLoss,
    readonly sampling: TextureSampling,
  ) {}

  trainableVariables(): tf.Variable[] {
    return this.generator.trainableVariables();
  }

  namedVariables(): readonly NamedVariable[] {
    return this.generator.namedVariables();
  }

  /**
   * Generates, renders and composites a batch; returns the loss inputs. Call inside a tidy or dispose the
   * tensors; the operator must outlive the backward pass, so the caller disposes it afterwards.
   */
  forward(batch: TensorBatch, training: boolean): TexturePass {
    const images = batch.images as tf.Tensor4D | undefined;
    const taps = batch.taps;
    const backgrounds = batch.backgrounds as tf.Tensor4D | undefined;
    if (images == null || taps == null || backgrounds == null || taps.dtype !== 'int32') {
      throw new Error(`texture task: the batch needs 'images', int32 'taps' and 'backgrounds', got ${Object.keys(batch)}`);
    }
    const [b, h, w] = images.shape;
    const k = taps.size / (b * h * w);
    const tapValues = taps.dataSync() as Int32Array;
    const weights = batch.tapWeights != null ? (batch.tapWeights.dataSync() as Float32Array) : new Float32Array(tapValues.length).fill(1);
    const operator = batchRenderOperator(tapValues, weights, b, h, w, this.generator.textureSize, this.sampling);
    const textures = this.generator.generate((batch.generatorImages as tf.Tensor4D | undefined) ?? images, training);
    const renderings = renderBatch(operator, textures, h);
    const masks = tf.tensor4d(tapMasks(tapValues, b, h, w, k), [b, h, w, 1]);
    const composited = composite(renderings, masks, backgrounds);
    const imageFeatures: Record<string, tf.Tensor[]> = {};
    for (const key of Object.keys(batch).filter((x) => x.startsWith(FEATURE_KEY_PREFIX)).sort()) {
      const [term, stage] = key.slice(FEATURE_KEY_PREFIX.length).split(':');
      (imageFeatures[term] ??= [])[Number(stage)] = batch[key];
    }
    const inputs: LossInputs = {
      images,
      renderings: composited,
      textures,
      masks,
      imageFeatures,
      referenceIndices: batch.referenceIndices as tf.Tensor1D | undefined,
    };
    return { inputs, operator, renderings };
  }

  loss(batch: TensorBatch, training: boolean): tf.Scalar {
    // The previous step's operator was needed by its backward pass; it is done now.
    this.operator?.dispose();
    return tf.tidy(() => {
      const pass = this.forward(batch, training);
      this.operator = pass.operator;
      const { total, terms } = this.objective.breakdown(pass.inputs);
      this.terms = Object.fromEntries(Object.entries(terms).map(([id, t]) => [id, t.dataSync()[0]]));
      return total;
    });
  }

  lossTerms(): Readonly<Record<string, number>> {
    return this.terms;
  }

  dispose(): void {
    this.operator?.dispose();
    this.operator = null;
    this.generator.dispose();
    this.objective.dispose();
  }
}
