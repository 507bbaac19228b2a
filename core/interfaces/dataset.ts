import type { tf } from '../backend/tf';

/** One labelled image of a data set. */
export interface Sample {
  /** Stable identifier, e.g. the file name. */
  readonly id: string;
  /** Identity label (a person, or a bird species); -1 for distractors. */
  readonly identity: number;
  /** Absolute path of the image file. */
  readonly imagePath: string;
  /** Data-set-specific annotations (camera id, keypoints, box, mask path, ...). */
  readonly annotations: Readonly<Record<string, unknown>>;
}

/** A readable collection of samples, split by the data set's own conventions. */
export interface Dataset {
  readonly id: string;
  /** Samples of a split ('train', 'test', 'query', ...). @throws for a split the data set lacks. */
  samples(split: string): readonly Sample[];
  /** Decodes one sample's image to float32 [H,W,3] in [-1,1] at the data set's configured size. */
  loadImage(sample: Sample): Promise<tf.Tensor3D>;
}

/** Yields batches of `identities` x `perIdentity` samples (the method's P x K batching). */
export interface BatchSampler {
  batches(samples: readonly Sample[], identities: number, perIdentity: number, seed: number): Iterable<readonly Sample[]>;
}
