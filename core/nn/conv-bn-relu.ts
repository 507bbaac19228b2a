import { tf } from '../backend/tf';
import { BatchNorm } from './batch-norm';
import { Conv2d } from './conv2d';
import type { VariableScope } from './variable-scope';

/** conv (3x3 by default, stride s) + batch norm + ReLU. Variables under `<scope>/conv`, `<scope>/bn`. */
export class ConvBnRelu {
  private readonly conv: Conv2d;
  private readonly bn: BatchNorm;

  constructor(scope: VariableScope, inChannels: number, outChannels: number, stride = 1, kernelSize = 3) {
    this.conv = new Conv2d(scope.child('conv'), { inChannels, outChannels, kernelSize, stride });
    this.bn = new BatchNorm(scope.child('bn'), outChannels);
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return tf.tidy(() => this.bn.apply(this.conv.apply(x), training, true));
  }
}

/**
 * (conv3x3 + batch norm + ReLU) x 2, the U-Net's block. Variables under `<scope>/conv1`, `<scope>/bn1`,
 * `<scope>/conv2`, `<scope>/bn2`.
 */
export class DoubleConv {
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm;

  constructor(scope: VariableScope, readonly inChannels: number, readonly outChannels: number) {
    this.conv1 = new Conv2d(scope.child('conv1'), { inChannels, outChannels, kernelSize: 3 });
    this.bn1 = new BatchNorm(scope.child('bn1'), outChannels);
    this.conv2 = new Conv2d(scope.child('conv2'), { inChannels: outChannels, outChannels, kernelSize: 3 });
    this.bn2 = new BatchNorm(scope.child('bn2'), outChannels);
  }

  /**
   * @param x float32 [B,H,W,inChannels].
   * @returns float32 [B,H,W,outChannels], >= 0.
   */
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return tf.tidy(() => {
      const h = this.bn1.apply(this.conv1.apply(x), training, true);
      return this.bn2.apply(this.conv2.apply(h), training, true);
    });
  }
}
