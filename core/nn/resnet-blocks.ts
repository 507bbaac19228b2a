import { tf } from '../backend/tf';
import { BatchNorm } from './batch-norm';
import { Conv2d } from './conv2d';
import type { VariableScope } from './variable-scope';

/** A residual block of a torchvision-shaped ResNet. */
export interface ResNetBlock {
  readonly outChannels: number;
  /**
   * @param x float32 [B,H,W,inChannels].
   * @returns float32 [B,H',W',outChannels], >= 0 (H' = ceil(H/stride) for even-friendly sizes).
   */
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D;
}

/** Convolution + batch norm with PyTorch's symmetric padding and no bias (torchvision's layout). */
class ConvBn {
  readonly conv: Conv2d;
  readonly bn: BatchNorm;

  constructor(scope: VariableScope, convName: string, bnName: string, inChannels: number, outChannels: number, kernelSize: number, stride: number) {
    this.conv = new Conv2d(scope.child(convName), { inChannels, outChannels, kernelSize, stride, padding: 'symmetric' });
    this.bn = new BatchNorm(scope.child(bnName), outChannels);
  }

  apply(x: tf.Tensor4D, training: boolean, relu: boolean): tf.Tensor4D {
    return this.bn.apply(this.conv.apply(x), training, relu);
  }
}

/** The projection shortcut (`downsample/conv`, `downsample/bn`) when a block changes shape, else null. */
function shortcut(scope: VariableScope, inChannels: number, outChannels: number, stride: number): ConvBn | null {
  if (stride === 1 && inChannels === outChannels) return null;
  return new ConvBn(scope.child('downsample'), 'conv', 'bn', inChannels, outChannels, 1, stride);
}

/**
 * torchvision's BasicBlock: conv3x3(stride)+BN+ReLU, conv3x3+BN, plus the shortcut, ReLU.
 * Variables `<scope>/conv1`, `bn1`, `conv2`, `bn2` and, when projecting, `downsample/conv`, `downsample/bn`.
 */
export class BasicBlock implements ResNetBlock {
  static readonly expansion = 1;
  private readonly a: ConvBn;
  private readonly b: ConvBn;
  private readonly down: ConvBn | null;
  readonly outChannels: number;

  constructor(scope: VariableScope, inChannels: number, planes: number, stride: number) {
    this.outChannels = planes;
    this.a = new ConvBn(scope, 'conv1', 'bn1', inChannels, planes, 3, stride);
    this.b = new ConvBn(scope, 'conv2', 'bn2', planes, planes, 3, 1);
    this.down = shortcut(scope, inChannels, planes, stride);
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return tf.tidy(() => {
      const main = this.b.apply(this.a.apply(x, training, true), training, false);
      const skip = this.down == null ? x : this.down.apply(x, training, false);
      return tf.relu(tf.add(main, skip) as tf.Tensor4D);
    });
  }
}

/**
 * torchvision's Bottleneck (ResNet v1.5: the stride sits on the 3x3 conv): conv1x1+BN+ReLU,
 * conv3x3(stride)+BN+ReLU, conv1x1 to 4x planes +BN, plus the shortcut, ReLU.
 */
export class BottleneckBlock implements ResNetBlock {
  static readonly expansion = 4;
  private readonly a: ConvBn;
  private readonly b: ConvBn;
  private readonly c: ConvBn;
  private readonly down: ConvBn | null;
  readonly outChannels: number;

  constructor(scope: VariableScope, inChannels: number, planes: number, stride: number) {
    this.outChannels = planes * BottleneckBlock.expansion;
    this.a = new ConvBn(scope, 'conv1', 'bn1', inChannels, planes, 1, 1);
    this.b = new ConvBn(scope, 'conv2', 'bn2', planes, planes, 3, stride);
    this.c = new ConvBn(scope, 'conv3', 'bn3', planes, this.outChannels, 1, 1);
    this.down = shortcut(scope, inChannels, this.outChannels, stride);
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return tf.tidy(() => {
      const h = this.b.apply(this.a.apply(x, training, true), training, true);
      const main = this.c.apply(h, training, false);
      const skip = this.down == null ? x : this.down.apply(x, training, false);
      return tf.relu(tf.add(main, skip) as tf.Tensor4D);
    });
  }
}

export { ConvBn };
