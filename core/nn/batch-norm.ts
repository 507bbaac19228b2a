import { tf } from '../backend/tf';
import {
  BATCH_NORM_GRAD_INPUT,
  BATCH_NORM_GRAD_SUMS,
  CHANNEL_MOMENTS,
  fusedBatchNormAvailable,
} from '../backend/wasm-training/batch-norm-train';
import { channelAffine, channelAffineUntaped } from './channel-affine';
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
 * Batch normalisation over the channel (last) axis of [B,H,W,C] activations, optionally fused with
 * the ReLU that follows it.
 *
 * Variables: `<scope>/gamma` [C] (ones) and `<scope>/beta` [C] (zeros), trainable;
 * `<scope>/moving_mean` [C] (zeros) and `<scope>/moving_variance` [C] (ones), not trainable.
 *
 * Training mode normalises with the batch's own mean and biased variance and updates the moving
 * statistics (moving = (1 - momentum) * moving + momentum * batch, with the unbiased variance, as
 * PyTorch does). Inference mode uses the moving statistics and changes nothing.
 *
 * The training-mode gradient is written out analytically (one custom op) rather than left to autodiff
 * through `moments` + `batchNorm`, whose generic gradient tiles and transposes full-size tensors, and
 * every per-channel scale/shift is one pass (see `channelAffine`).
 */
export class BatchNorm {
  readonly gamma: tf.Variable<tf.Rank.R1>;
  readonly beta: tf.Variable<tf.Rank.R1>;
  readonly movingMean: tf.Variable<tf.Rank.R1>;
  readonly movingVariance: tf.Variable<tf.Rank.R1>;
  readonly momentum: number;
  readonly epsilon: number;
  private readonly trainingOps: Record<'plain' | 'relu', (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => tf.Tensor>;

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
    const makeOp = (relu: boolean): ((x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => tf.Tensor) => {
      const op = tf.customGrad(((...args: Array<tf.Tensor | tf.GradSaveFunc>) =>
        this.forwardTraining(
          args[0] as tf.Tensor,
          args[1] as tf.Tensor,
          args[2] as tf.Tensor,
          args[3] as tf.GradSaveFunc,
          relu,
        )) as Parameters<typeof tf.customGrad>[0]);
      return (x, gamma, beta) => op(x, gamma, beta);
    };
    this.trainingOps = { plain: makeOp(false), relu: makeOp(true) };
  }

  /**
   * @param x float32 [B,H,W,C] (any rank >= 2 with channels last).
   * @param training batch statistics + moving-average update (true) or moving statistics (false).
   * @param relu apply ReLU to the result (fused: no separate pass forward or backward).
   * @returns float32, the shape of x (>= 0 with `relu`).
   */
  apply<T extends tf.Tensor>(x: T, training: boolean, relu = false): T {
    if (x.shape[x.rank - 1] !== this.channels) {
      throw new Error(`batch norm: expected ${this.channels} channels, got shape [${x.shape}]`);
    }
    if (training) return this.trainingOps[relu ? 'relu' : 'plain'](x, this.gamma, this.beta) as T;
    return tf.tidy(() => {
      const scale = tf.mul(this.gamma, tf.rsqrt(tf.add(this.movingVariance, this.epsilon)));
      const shift = tf.sub(this.beta, tf.mul(this.movingMean, scale));
      return channelAffine(x, scale, shift, relu);
    });
  }

  private forwardTraining(
    x: tf.Tensor,
    gamma: tf.Tensor,
    beta: tf.Tensor,
    save: tf.GradSaveFunc,
    relu: boolean,
  ): { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[] } {
    const n = x.size / this.channels;
    if (n < 2) throw new Error('batch norm in training mode needs more than one value per channel');
    // On wasm the batch-norm kernels take one pass each (moments, gradient sums, input gradient) where the
    // tfjs ops below take about ten in all; same formulas, float rounding aside.
    const fused = fusedBatchNormAvailable(this.channels);
    const [mean, variance] = fused ? (tf.engine().runKernel(CHANNEL_MOMENTS, { x }) as unknown as tf.Tensor[]) : moments(x, n);
    const invStd = tf.rsqrt(tf.add(variance, this.epsilon));
    const scale = tf.mul(gamma, invStd);
    const value = channelAffineUntaped(x, scale, tf.sub(beta, tf.mul(mean, scale)), relu);
    this.updateMovingStatistics(mean, variance, n);
    save([x, mean, invStd, gamma, value]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const [x0, mu, rstd, g, y] = saved;
      return fused ? fusedGradient(dy, x0, mu, rstd, g, y, relu, n) : gradient(dy, x0, mu, rstd, g, y, relu, n);
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

/** Per-channel mean and biased variance of x [..., C] (n values per channel), by tfjs ops. */
function moments(x: tf.Tensor, n: number): [tf.Tensor, tf.Tensor] {
  const c = x.shape[x.rank - 1];
  const mean = tf.div(channelSum(x), n);
  const centered = channelAffineUntaped(x, tf.ones([c]), tf.neg(mean));
  return [mean, tf.div(channelSum(tf.square(centered)), n)];
}

/**
 * [dx, dgamma, dbeta] of training-mode batch norm by tfjs ops, from the output gradient dy, the input x, the
 * batch mean `mu`, 1/std `rstd`, gamma `g` and the output `y` (whose sign gives the fused ReLU's mask).
 */
function gradient(dy: tf.Tensor, x: tf.Tensor, mu: tf.Tensor, rstd: tf.Tensor, g: tf.Tensor, y: tf.Tensor, relu: boolean, n: number): tf.Tensor[] {
  // Through the fused ReLU: the output is positive exactly where the pre-activation was.
  const dz = relu ? tf.mul(dy, tf.step(y)) : dy;
  const xhat = channelAffineUntaped(x, rstd, tf.neg(tf.mul(mu, rstd)));
  const dbeta = channelSum(dz);
  const dgamma = channelSum(tf.mul(dz, xhat));
  // dx = g*rstd * (dz - dbeta/n - xhat*dgamma/n): two per-channel affine passes and one add.
  const k = tf.mul(g, rstd);
  const fromDz = channelAffineUntaped(dz, k, tf.mul(k, tf.div(dbeta, -n)));
  const fromXhat = channelAffineUntaped(xhat, tf.mul(k, tf.div(dgamma, -n)), tf.zerosLike(k));
  return [tf.add(fromDz, fromXhat), dgamma, dbeta];
}

/** The same by the wasm batch-norm kernels: the two sums in one pass, the input gradient in another. */
function fusedGradient(dy: tf.Tensor, x: tf.Tensor, mu: tf.Tensor, rstd: tf.Tensor, g: tf.Tensor, y: tf.Tensor, relu: boolean, n: number): tf.Tensor[] {
  const attrs = { relu } as unknown as tf.NamedAttrMap;
  const [dbeta, dxc] = tf.engine().runKernel(BATCH_NORM_GRAD_SUMS, { dy, y, x, mean: mu }, attrs) as unknown as tf.Tensor[];
  const dgamma = tf.mul(dxc, rstd);
  // dx = k (dz - dbeta/n - xhat dgamma/n), k = g rstd, xhat = (x - mu) rstd: a dz + b x + d per channel.
  const k = tf.mul(g, rstd);
  const b = tf.mul(k, tf.mul(rstd, tf.div(dgamma, -n)));
  const d = tf.sub(tf.mul(k, tf.div(dbeta, -n)), tf.mul(b, mu));
  const dx = tf.engine().runKernel(BATCH_NORM_GRAD_INPUT, { dy, y, x, a: k, b, d }, attrs) as tf.Tensor;
  return [dx, dgamma, dbeta];
}
