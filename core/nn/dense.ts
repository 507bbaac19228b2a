import { tf } from '../backend/tf';
import type { VariableScope } from './variable-scope';

/**
 * A fully connected layer. Variables: `<scope>/kernel` float32 [in,out], He-normal (std sqrt(2/in)),
 * and `<scope>/bias` float32 [out], zeros.
 */
export class Dense {
  readonly kernel: tf.Variable<tf.Rank.R2>;
  readonly bias: tf.Variable<tf.Rank.R1>;

  constructor(scope: VariableScope, readonly inFeatures: number, readonly outFeatures: number) {
    if (!Number.isInteger(inFeatures) || inFeatures < 1 || !Number.isInteger(outFeatures) || outFeatures < 1) {
      throw new Error(`dense '${scope.prefix}': feature counts must be positive integers, got ${inFeatures} -> ${outFeatures}`);
    }
    const std = Math.sqrt(2 / inFeatures);
    this.kernel = scope.variable(
      'kernel',
      scope.randomNormal([inFeatures, outFeatures], std),
    ) as tf.Variable<tf.Rank.R2>;
    this.bias = scope.variable('bias', tf.zeros([outFeatures])) as tf.Variable<tf.Rank.R1>;
  }

  /**
   * @param x float32 [B,in].
   * @returns float32 [B,out] (no activation).
   */
  apply(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => tf.add(tf.matMul(x, this.kernel), this.bias));
  }
}
