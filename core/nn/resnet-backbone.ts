import { tf } from '../backend/tf';
import { BasicBlock, BottleneckBlock, ConvBn, type ResNetBlock } from './resnet-blocks';
import type { VariableScope } from './variable-scope';
import { scaledChannels } from './width';

/** The depths retex builds, with torchvision's blocks per stage. */
export const RESNET_DEPTHS = {
  18: { block: 'basic', blocks: [2, 2, 2, 2] },
  34: { block: 'basic', blocks: [3, 4, 6, 3] },
  50: { block: 'bottleneck', blocks: [3, 4, 6, 3] },
} as const;

export type ResNetDepth = keyof typeof RESNET_DEPTHS;

/** Backbone settings. */
export interface ResNetBackboneConfig {
  /** 18 and 34 use basic blocks, 50 bottleneck blocks (torchvision's ResNet-18/34/50). */
  readonly depth: ResNetDepth;
  /** Multiplies every width (stem 64, stage planes 64-128-256-512); 1 is torchvision's network. */
  readonly width: number;
  /** Stride of the fourth stage: 2 as in ImageNet ResNets, 1 in PCB (twice the resolution). */
  readonly lastStride: 1 | 2;
}

/** Names of the four residual stages, in the order `apply` returns them (torchvision's `layer1..4`). */
export const RESNET_STAGES = ['layer1', 'layer2', 'layer3', 'layer4'] as const;

/**
 * A torchvision-shaped ResNet trunk without its classifier: conv7x7/2 (pad 3) + BN + ReLU, max-pool 3x3/2
 * (pad 1), then four stages of residual blocks with strides 1, 2, 2, lastStride. Every padding is
 * PyTorch's symmetric one, so weights imported from torchvision give the same numbers.
 *
 * Variable paths mirror torchvision's state-dict names under the scope: `conv1/kernel`, `bn1/gamma`,
 * `layer1/0/conv1/kernel`, `layer1/0/downsample/conv/kernel`, ... (see core/nn/resnet-blocks).
 */
export class ResNetBackbone {
  /** Output channels of each stage. */
  readonly stageChannels: readonly number[];
  private readonly stem: ConvBn;
  private readonly stages: ResNetBlock[][];

  constructor(scope: VariableScope, readonly config: ResNetBackboneConfig) {
    const spec = RESNET_DEPTHS[config.depth];
    if (spec == null) throw new Error(`resnet: depth must be one of ${Object.keys(RESNET_DEPTHS).join(', ')}, got ${config.depth}`);
    if (!(config.width > 0 && Number.isFinite(config.width))) {
      throw new Error(`resnet: width must be a positive number, got ${config.width}`);
    }
    if (config.lastStride !== 1 && config.lastStride !== 2) {
      throw new Error(`resnet: lastStride must be 1 or 2, got ${config.lastStride}`);
    }
    const Block = spec.block === 'basic' ? BasicBlock : BottleneckBlock;
    let channels = scaledChannels(64, config.width);
    this.stem = new ConvBn(scope, 'conv1', 'bn1', 3, channels, 7, 2);
    this.stages = [];
    const out: number[] = [];
    RESNET_STAGES.forEach((name, s) => {
      const planes = scaledChannels(64 * 2 ** s, config.width);
      const stageStride = s === 0 ? 1 : s === 3 ? config.lastStride : 2;
      const blocks: ResNetBlock[] = [];
      for (let b = 0; b < spec.blocks[s]; b++) {
        const block = new Block(scope.child(name).child(String(b)), channels, planes, b === 0 ? stageStride : 1);
        channels = block.outChannels;
        blocks.push(block);
      }
      this.stages.push(blocks);
      out.push(channels);
    });
    this.stageChannels = out;
  }

  /**
   * @param x float32 [B,H,W,3], already normalised as the network expects.
   * @returns the four stage outputs, float32 [B,H/4,W/4,C1], [B,H/8,W/8,C2], [B,H/16,W/16,C3] and
   *   [B,H/16 or H/32,...,C4] (for H, W multiples of 32), >= 0. The caller owns them.
   */
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D[] {
    return tf.tidy(() => {
      let h = this.stem.apply(x, training, true);
      h = tf.maxPool(h, 3, 2, 1);
      const outputs: tf.Tensor4D[] = [];
      for (const blocks of this.stages) {
        for (const block of blocks) h = block.apply(h, training);
        outputs.push(h);
      }
      return outputs;
    });
  }
}
