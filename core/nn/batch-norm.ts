import { tf } from '../backend/tf';
import { channelSum } from './channel-sum';
import type { VariableScope } from './variable-scope';

/** Batch-norm settings; the defaults are PyTorch's. */
export interface BatchNormOptions {
  /** Weight of the new batch statistic in the moving average (PyTorch convention). Default 0.1. */
  readonly momentum?: number;
  /** Added to the variance before the square root. Default 1e-5. */
  readonly epsilon?: number;
}

/**
 * Batch normalisation over the channel (last) axis of [B,H,W,C] activations.
 *
 * Variables: `<scope>/gamma` [C] (ones) and `<scope>/beta` [C] (zeros), trainable;
 * `<scope>/moving_mean` [C] (zeros) and `<scope>/moving_variance` [C] (ones), not trainable.
 *
 * Training mode normalises with the batch's own mean and biased variance and updates the moving
 * statistics (moving = (1 - momentum) * moving + momentum * batch, with the unbiased variance, as
 * PyTorch does). Inference mode uses the moving statistics and changes nothing.
 *
 * The training-mode gradient is written out analytically (one custom op) rather than left to autodiff
 * through `moments` + `batchNorm`, whose generic gradient tiles and transposes full-size tensors.
 */
export class BatchNorm {
  readonly gamma: tf.Variable<tf.Rank.R1>;
  readonly beta: tf.Variable<tf.Rank.R1>;
  readonly movingMean: tf.Variable<tf.Rank.R1>;
  readonly movingVariance: tf.Variable<tf.Rank.R1>;
  readonly momentum: number;
  readonly epsilon: number;
  private readonly trainingOp: (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => tf.Tensor;

  constructor(scope: VariableScope, readonly channels: number, options: BatchNormOptions = {}) {
    if (!Number.isInteger(channels) || channels < 1) {
      throw new Error(`batch norm '${scope.prefix}': channels must be a positive integer, got ${channels}`);
    }
    this.momentum = options.momentum ?? 0.1;
    this.epsilon = options.epsilon ?? 1e-5;
    if (!(this.momentum >= 0 && this.momentum <= 1)) {
      throw new Error(`batch norm '${scope.prefix}': momentum must be in [0,1], got ${this.momentum}`);
    }
    if (!(this.epsilon > 0)) {
      throw new Error(`batch norm '${scope.prefix}': epsilon must be > 0, got ${this.epsilon}`);
    }
    this.gamma = scope.variable('gamma', tf.ones([channels])) as tf.Variable<tf.Rank.R1>;
    this.beta = scope.variable('beta', tf.zeros([channels])) as tf.Variable<tf.Rank.R1>;
    this.movingMean = scope.variable('moving_mean', tf.zeros([channels]), false) as tf.Variable<tf.Rank.R1>;
    this.movingVariance = scope.variable('moving_variance', tf.ones([channels]), false) as tf.Variable<tf.Rank.R1>;
    const op = tf.customGrad(((...args: Array<tf.Tensor | tf.GradSaveFunc>) =>
      this.forwardTraining(
        args[0] as tf.Tensor,
        args[1] as tf.Tensor,
        args[2] as tf.Tensor,
        args[3] as tf.GradSaveFunc,
      )) as Parameters<typeof tf.customGrad>[0]);
    this.trainingOp = (x, gamma, beta) => op(x, gamma, beta);
  }

  /**
   * @param x float32 [B,H,W,C] (any rank >= 2 with channels last).
   * @param training batch statistics + moving-average update (true) or moving statistics (false).
   * @returns float32, the shape of x.
   */
  apply<T extends tf.Tensor>(x: T, training: boolean): T {
    if (x.shape[x.rank - 1] !== this.channels) {
      throw new Error(`batch norm: expected ${this.channels} channels, got shape [${x.shape}]`);
    }
    if (training) return this.trainingOp(x, this.gamma, this.beta) as T;
    return tf.tidy(() => {
      const scale = tf.mul(this.gamma, tf.rsqrt(tf.add(this.movingVariance, this.epsilon)));
      const shift = tf.sub(this.beta, tf.mul(this.movingMean, scale));
      return tf.add(tf.mul(x, scale), shift) as T;
    });
  }

  private forwardTraining(
    x: tf.Tensor,
    gamma: tf.Tensor,
    beta: tf.Tensor,
    save: tf.GradSaveFunc,
  ): { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[] } {
    const n = x.size / this.channels;
    if (n < 2) throw new Error('batch norm in training mode needs more than one value per channel');
    const mean = tf.div(channelSum(x), n);
    const centered = tf.sub(x, mean);
    const variance = tf.div(channelSum(tf.square(centered)), n);
    const invStd = tf.rsqrt(tf.add(variance, this.epsilon));
    const normalized = tf.mul(centered, invStd);
    const value = tf.add(tf.mul(normalized, gamma), beta);
    this.updateMovingStatistics(mean, variance, n);
    save([normalized, invStd, gamma]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const [xhat, rstd, g] = saved;
      const dbeta = channelSum(dy);
      const dgamma = channelSum(tf.mul(dy, xhat));
      // dx = g*rstd * (dy - dbeta/n - xhat*dgamma/n), folded into two per-channel vectors.
      const scale = tf.mul(g, rstd);
      const xhatCoef = tf.mul(scale, tf.div(dgamma, -n));
      const shift = tf.mul(scale, tf.div(dbeta, -n));
      const dx = tf.add(tf.mul(dy, scale), tf.add(tf.mul(xhat, xhatCoef), shift));
      return [dx, dgamma, dbeta];
    };
    return { value, gradFunc };
  }

  private updateMovingStatistics(mean: tf.Tensor, variance: tf.Tensor, n: number): void {
    const m = this.momentum;
    // assign() shares the new tensor's data, so the update survives the surrounding tidy.
    this.movingMean.assign(tf.add(tf.mul(this.movingMean, 1 - m), tf.mul(mean, m)) as tf.Tensor1D);
    this.movingVariance.assign(
      tf.add(tf.mul(this.movingVariance, 1 - m), tf.mul(variance, (m * n) / (n - 1))) as tf.Tensor1D,
    );
  }
}
