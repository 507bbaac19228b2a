import { tf } from '../../../core/backend/tf';
import { ConvBnRelu } from '../../../core/nn/conv-bn-relu';
import { Conv2d } from '../../../core/nn/conv2d';
import { Dense } from '../../../core/nn/dense';
import { assignNamedWeights, VariableScope, type NamedVariable } from '../../../core/nn/variable-scope';
import { loadNamedNetwork, saveNamedWeights } from '../../../core/nn/weights-io';
import { scaledChannels } from '../../../core/nn/width';

/** Settings of the heading network; see {@link DEFAULT_HEADING_NET_CONFIG}. */
export interface HeadingNetConfig {
  /** Side of the square input crop, pixels (a multiple of 8). */
  readonly inputSize: number;
  /** Multiplies the layer widths 16-24-32-32-64-64-96 and the head's 32. */
  readonly width: number;
  readonly seed: number;
  /** A third map channel: where the bird's body is (its outline without spread wings, hidden parts too). */
  readonly bodyMask: boolean;
}

export const DEFAULT_HEADING_NET_CONFIG: HeadingNetConfig = { inputSize: 64, width: 1, seed: 7, bodyMask: false };

/** Output of one forward pass; the caller owns (and disposes) its tensors. */
export interface HeadingNetOutput {
  /**
   * float32 [B, S/4, S/4, 2]: unnormalised log-probabilities (a softmax over each channel's cells) of
   * where the beak (channel 0) and the tail (channel 1) project, seen or hidden.
   */
  readonly maps: tf.Tensor4D;
  /**
   * float32 [B, 2]: logits that the bird faces the viewer (its tail-to-beak direction points at the
   * camera) and that it is seen from above (its back, not its belly, turned to the camera). Together with
   * the heatmaps they tell a camera from its depth-mirrored twin, which has the same outline.
   */
  readonly facing: tf.Tensor2D;
  /** float32 [B, S/4, S/4, 1]: logits that the body covers each cell (with `bodyMask`; else null). */
  readonly body: tf.Tensor4D | null;
}

/** Validates and completes a config. */
export function validateHeadingNetConfig(config: Partial<HeadingNetConfig> = {}): HeadingNetConfig {
  const c = { ...DEFAULT_HEADING_NET_CONFIG, ...config };
  if (!(Number.isInteger(c.inputSize) && c.inputSize >= 32 && c.inputSize % 8 === 0)) {
    throw new Error(`heading net: inputSize must be a multiple of 8, at least 32, got ${c.inputSize}`);
  }
  if (!(c.width > 0 && Number.isFinite(c.width))) throw new Error(`heading net: width must be a positive number, got ${c.width}`);
  if (!Number.isInteger(c.seed)) throw new Error(`heading net: seed must be an integer, got ${c.seed}`);
  if (typeof c.bodyMask !== 'boolean') throw new Error(`heading net: bodyMask must be true or false, got ${JSON.stringify(c.bodyMask)}`);
  return c;
}

/**
 * A small fully convolutional network that finds a bird's beak and tail in a square crop around it
 * (two heatmaps at a quarter of the input's resolution) and says whether the bird faces the viewer: the
 * head/tail cue of the `photo` predictor, trained by retex on synthetic birds (`heading-trainer.ts`).
 *
 * Layers (width 1): 3x3 convs 16/2, 24, 32/2, 32, 64/2, 64, 96 (stride 8 at the end), each with batch
 * norm and ReLU; the heatmaps come from the stride-8 features reduced to 32 channels, upsampled x2 and
 * joined with the stride-4 features (3x3 conv to 32, then 1x1 to 2); the two facing logits from the
 * stride-8 features reduced to 16 channels and flattened (where things are matters: a beak in front
 * of the head, a back above the wings). With `bodyMask` the 1x1 conv has a third channel: where the
 * bird's body is, spread wings left out, so the mean shape (folded wings) can be fitted to it.
 */
export class HeadingNet {
  readonly config: HeadingNetConfig;
  private readonly scope: VariableScope;
  private readonly trunk: { layer: ConvBnRelu; skip?: boolean }[];
  private readonly reduce: ConvBnRelu;
  private readonly fuse: ConvBnRelu;
  private readonly out: Conv2d;
  private readonly facingReduce: ConvBnRelu;
  private readonly facing: Dense;

  constructor(config: Partial<HeadingNetConfig> = {}) {
    this.config = validateHeadingNetConfig(config);
    this.scope = VariableScope.root('heading', this.config.seed);
    const w = (n: number) => scaledChannels(n, this.config.width);
    const plan: [string, number, number, boolean?][] = [
      ['c1', w(16), 2],
      ['c2', w(24), 1],
      ['c3', w(32), 2],
      ['c4', w(32), 1, true],
      ['c5', w(64), 2],
      ['c6', w(64), 1],
      ['c7', w(96), 1],
    ];
    let channels = 3;
    this.trunk = plan.map(([name, out, stride, skip]) => {
      const layer = new ConvBnRelu(this.scope.child(name), channels, out, stride);
      channels = out;
      return { layer, skip };
    });
    this.reduce = new ConvBnRelu(this.scope.child('reduce'), channels, w(32), 1, 1);
    this.fuse = new ConvBnRelu(this.scope.child('fuse'), w(32) + w(32), w(32));
    this.out = new Conv2d(this.scope.child('out'), { inChannels: w(32), outChannels: this.config.bodyMask ? 3 : 2, kernelSize: 1, useBias: true });
    this.facingReduce = new ConvBnRelu(this.scope.child('facing_reduce'), channels, w(16), 1, 1);
    const cells = (this.config.inputSize / 8) ** 2;
    this.facing = new Dense(this.scope.child('facing'), cells * w(16), 2);
  }

  /**
   * @param x float32 [B, S, S, 3] RGB in [-1,1], S = config.inputSize
   */
  apply(x: tf.Tensor4D, training: boolean): HeadingNetOutput {
    const s = this.config.inputSize;
    if (x.rank !== 4 || x.shape[1] !== s || x.shape[2] !== s || x.shape[3] !== 3) {
      throw new Error(`heading net: expected input [B,${s},${s},3], got [${x.shape}]`);
    }
    const { maps, facing, body } = tf.tidy(() => {
      let h = x;
      let skip: tf.Tensor4D = x;
      for (const t of this.trunk) {
        h = t.layer.apply(h, training);
        if (t.skip) skip = h;
      }
      const flat = tf.reshape(this.facingReduce.apply(h, training), [x.shape[0], -1]) as tf.Tensor2D;
      const facing = this.facing.apply(flat);
      const small = this.reduce.apply(h, training);
      const up = tf.image.resizeBilinear(small, [skip.shape[1], skip.shape[2]], true);
      const out = this.out.apply(this.fuse.apply(tf.concat([up, skip], 3), training));
      if (!this.config.bodyMask) return { maps: out, facing };
      const [maps, body] = tf.split(out, [2, 1], 3) as [tf.Tensor4D, tf.Tensor4D];
      return { maps, facing, body };
    }) as { maps: tf.Tensor4D; facing: tf.Tensor2D; body?: tf.Tensor4D };
    return { maps, facing, body: body ?? null };
  }

  /** Every variable by logical path (weights and batch-norm statistics). */
  namedVariables(): readonly NamedVariable[] {
    return this.scope.all();
  }

  trainableVariables(): tf.Variable[] {
    return this.scope.all().filter((v) => v.trainable).map((v) => v.variable);
  }

  /** Overwrites every variable from tensors keyed by logical path (the caller keeps ownership of them). */
  setWeights(weights: ReadonlyMap<string, tf.Tensor>): void {
    assignNamedWeights(this.scope.all(), weights, 'heading net');
  }

  /** Writes `weights.json` + `weights-<hash>.bin` with the config in the manifest. */
  async save(dir: string): Promise<void> {
    await saveNamedWeights(dir, this.config, this.scope.all());
  }

  /** Loads a network saved by {@link save}. @throws naming the folder when it holds no heading network */
  static async load(dir: string): Promise<HeadingNet> {
    return loadNamedNetwork(dir, (config) => new HeadingNet(config as Partial<HeadingNetConfig>), 'the heading network');
  }

  dispose(): void {
    this.scope.disposeAll();
  }
}
