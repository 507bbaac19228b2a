import { tf } from '../backend/tf';
import { BatchNorm } from './batch-norm';
import { Conv2d } from './conv2d';
import type { VariableScope } from './variable-scope';

/**
 * A ResNet basic block: conv3x3(stride)+BN+ReLU, conv3x3+BN, plus a shortcut (identity, or
 * conv1x1(stride)+BN when the shape changes), then ReLU. Variables under `<scope>/conv1`, `bn1`,
 * `conv2`, `bn2` and, when projecting, `shortcut_conv`, `shortcut_bn`.
 */
export class ResidualBlock {
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm;
  readonly shortcutConv: Conv2d | null;
  readonly shortcutBn: BatchNorm | null;

  constructor(
    scope: VariableScope,
    readonly inChannels: number,
    readonly outChannels: number,
    readonly stride: number,
  ) {
    this.conv1 = new Conv2d(scope.child('conv1'), { inChannels, outChannels, kernelSize: 3, stride });
    this.bn1 = new BatchNorm(scope.child('bn1'), outChannels);
    this.conv2 = new Conv2d(scope.child('conv2'), { inChannels: outChannels, outChannels, kernelSize: 3 });
    this.bn2 = new BatchNorm(scope.child('bn2'), outChannels);
    const project = stride !== 1 || inChannels !== outChannels;
    this.shortcutConv = project
      ? new Conv2d(scope.child('shortcut_conv'), { inChannels, outChannels, kernelSize: 1, stride })
      : null;
    this.shortcutBn = project ? new BatchNorm(scope.child('shortcut_bn'), outChannels) : null;
  }

  /**
   * @param x float32 [B,H,W,inChannels].
   * @returns float32 [B,ceil(H/stride),ceil(W/stride),outChannels], >= 0.
   */
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return tf.tidy(() => {
      const h = this.bn1.apply(this.conv1.apply(x), training, true);
      const main = this.bn2.apply(this.conv2.apply(h), training);
      const shortcut =
        this.shortcutConv == null ? x : this.shortcutBn!.apply(this.shortcutConv.apply(x), training);
      return tf.relu(tf.add(main, shortcut) as tf.Tensor4D);
    });
  }
}
