import type { LossInputs } from './loss';

/** An evaluation figure computed per batch and averaged over a data set (not differentiated). */
export interface Metric {
  /** Short name printed in reports and used as the JSON key, e.g. `ssim`, `mask_ssim`, `cossim`. */
  readonly id: string;
  /** @returns one value per image of the batch. */
  compute(inputs: LossInputs): Promise<number[]>;
}
