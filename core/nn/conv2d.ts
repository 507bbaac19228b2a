import { tf } from '../backend/tf';
import type { VariableScope } from './variable-scope';

/** Shape of one 2-D convolution. */
export interface Conv2dOptions {
  readonly inChannels: number;
  readonly outChannels: number;
  /** Square kernel side, e.g. 3 or 1. */
  readonly kernelSize: number;
  /** Default 1. */
  readonly stride?: number;
  /** Adds a bias vector; off by default because every conv here is followed by batch norm. */
  readonly useBias?: boolean;
  /**
   * `same` (TF semantics: uneven padding on stride 2, the default) or `symmetric` (PyTorch's
   * `padding=k//2` on every side, so imported PyTorch weights give PyTorch's numbers).
   */
  readonly padding?: 'same' | 'symmetric';
}

/**
 * A 2-D convolution with a He-normal (Kaiming, fan-in, ReLU gain) kernel: std = sqrt(2 / (k*k*Cin)).
 * Variables: `<scope>/kernel` float32 [k,k,Cin,Cout] and, with `useBias`, `<scope>/bias` [Cout] (zeros).
 */
export class Conv2d {
  readonly kernel: tf.Variable<tf.Rank.R4>;
  readonly bias: tf.Variable<tf.Rank.R1> | null;
  readonly stride: number;
  private readonly pad: 'same' | number;

  constructor(scope: VariableScope, readonly options: Conv2dOptions) {
    const { inChannels, outChannels, kernelSize } = options;
    for (const [key, value] of Object.entries({ inChannels, outChannels, kernelSize })) {
      if (!Number.isInteger(value) || value < 1) {
        throw new Error(`conv2d '${scope.prefix}': ${key} must be a positive integer, got ${value}`);
      }
    }
    this.stride = options.stride ?? 1;
    this.pad = options.padding === 'symmetric' ? Math.floor(kernelSize / 2) : 'same';
    const std = Math.sqrt(2 / (kernelSize * kernelSize * inChannels));
    const shape: [number, number, number, number] = [kernelSize, kernelSize, inChannels, outChannels];
    this.kernel = scope.variable(
      'kernel',
      scope.randomNormal(shape, std),
    ) as tf.Variable<tf.Rank.R4>;
    this.bias = options.useBias
      ? (scope.variable('bias', tf.zeros([outChannels])) as tf.Variable<tf.Rank.R1>)
      : null;
  }

  /**
   * @param x float32 [B,H,W,Cin].
   * @returns float32 [B,ceil(H/stride),ceil(W/stride),Cout] with `same` padding;
   *   [B,floor((H+2p-k)/stride)+1,...] with `symmetric` (p = floor(k/2)).
   */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    const y = tf.conv2d(x, this.kernel, this.stride, this.pad);
    if (this.bias == null) return y;
    return tf.tidy(() => tf.add(y, this.bias!));
  }
}
