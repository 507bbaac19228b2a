import { tf } from '../backend/tf';
import type { IdentityNetwork } from '../interfaces/identity-network';
import type { LossInputs } from '../interfaces/loss';
import { featureDistance, resolveStages, type FeatureDistanceSettings } from './feature-distance';

/** One term of a weighted loss: an unweighted scalar over the batch. */
export interface LossTerm {
  /** Config name of the term: `reid`, `perceptual`, `l1`, `face`. */
  readonly id: string;
  /** @returns float32 scalar, differentiable w.r.t. renderings and textures. */
  compute(inputs: LossInputs): tf.Scalar;
  dispose(): void;
}

/**
 * The distance between a frozen network's features of the photo and of the composited rendering (the
 * `reid` term over the identity network, `perceptual` over the generic-features network).
 */
export class FeatureTerm implements LossTerm {
  constructor(
    readonly id: string,
    /** The frozen network; the term owns it. */
    readonly network: IdentityNetwork,
    readonly settings: FeatureDistanceSettings = {},
  ) {
    resolveStages(settings, network.stageNames.length);
  }

  /** The photos' features (what training caches per image), one tensor [B,...] per stage. */
  imageFeatures(images: tf.Tensor4D): tf.Tensor[] {
    return this.network.features(images);
  }

  compute(inputs: LossInputs): tf.Scalar {
    return tf.tidy(() => {
      const cached = inputs.imageFeatures?.[this.id];
      const reference = cached ? [...cached] : this.network.features(inputs.images);
      return featureDistance(reference, this.network.features(inputs.renderings), this.settings);
    });
  }

  dispose(): void {
    this.network.dispose();
  }
}

/** Mean absolute pixel difference between the composited rendering and the photo (both in [-1,1]). */
export class PixelL1Term implements LossTerm {
  readonly id = 'l1';

  compute(inputs: LossInputs): tf.Scalar {
    return tf.tidy(() => tf.mean(tf.abs(tf.sub(inputs.renderings, inputs.images))) as tf.Scalar);
  }

  dispose(): void {}
}

/**
 * The method's face/hand term: the mean squared error between the generated texture and a reference
 * texture inside a UV mask, averaged over all texels and channels (masked-out texels count as zero).
 * Each sample is paired with the reference texture `referenceIndices` names (the authors draw a random,
 * unpaired scanned texture per batch).
 */
export class RegionTerm implements LossTerm {
  readonly id = 'face';
  private readonly mask: tf.Tensor4D;
  private readonly references: tf.Tensor4D;

  /**
   * @param mask float32 [Th*Tw] in {0,1}
   * @param references float32 [Th*Tw*3] each, RGB in [-1,1]
   */
  constructor(mask: Float32Array, references: readonly Float32Array[], readonly textureSize: readonly [number, number]) {
    const [th, tw] = textureSize;
    if (mask.length !== th * tw) throw new Error(`face term: the region mask has ${mask.length} texels, expected ${th}x${tw}`);
    if (references.length === 0) throw new Error('face term: no reference textures (pass a folder with --reference-textures)');
    references.forEach((r, i) => {
      if (r.length !== th * tw * 3) throw new Error(`face term: reference texture ${i} has ${r.length} values, expected ${th}x${tw}x3`);
    });
    this.mask = tf.tensor4d(mask, [1, th, tw, 1]);
    const stacked = new Float32Array(references.length * th * tw * 3);
    references.forEach((r, i) => stacked.set(r, i * th * tw * 3));
    this.references = tf.tensor4d(stacked, [references.length, th, tw, 3]);
  }

  /** Number of reference textures. */
  get referenceCount(): number {
    return this.references.shape[0];
  }

  compute(inputs: LossInputs): tf.Scalar {
    return tf.tidy(() => {
      const batch = inputs.textures.shape[0];
      const index = inputs.referenceIndices ?? tf.zeros([batch], 'int32');
      const reference = tf.gather(this.references, index);
      const diff = tf.mul(tf.sub(inputs.textures, reference), this.mask);
      return tf.mean(tf.square(diff)) as tf.Scalar;
    });
  }

  dispose(): void {
    this.mask.dispose();
    this.references.dispose();
  }
}
