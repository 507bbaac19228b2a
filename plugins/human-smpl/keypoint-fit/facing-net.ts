import * as path from 'path';
import { tf } from '../../../core/backend/tf';
import { ConvBnRelu } from '../../../core/nn/conv-bn-relu';
import { Dense } from '../../../core/nn/dense';
import { assignNamedWeights, VariableScope, type NamedVariable } from '../../../core/nn/variable-scope';
import { loadNamedNetwork, saveNamedWeights } from '../../../core/nn/weights-io';
import { scaledChannels } from '../../../core/nn/width';
import { packageRoot } from '../../../core/paths';

/** The facing network the plugin ships (trained by scripts/train-person-facing.js). */
export function defaultFacingModel(): string {
  return path.join(packageRoot(), 'plugins', 'human-smpl', 'weights', 'facing');
}

/** Settings of the person facing network; see {@link DEFAULT_FACING_NET_CONFIG}. */
export interface FacingNetConfig {
  /** Input size [H, W], pixels (multiples of 16): a Market-1501 crop by default. */
  readonly inputSize: readonly [number, number];
  /** Multiplies the layer widths 16-24-32-32-64-64-96 and the head's 16. */
  readonly width: number;
  readonly seed: number;
}

export const DEFAULT_FACING_NET_CONFIG: FacingNetConfig = { inputSize: [128, 64], width: 1, seed: 7 };

/** Validates and completes a config. */
export function validateFacingNetConfig(config: Partial<FacingNetConfig> = {}): FacingNetConfig {
  const c = { ...DEFAULT_FACING_NET_CONFIG, ...config };
  const [h, w] = Array.isArray(c.inputSize) ? c.inputSize : [NaN, NaN];
  if (![h, w].every((n) => Number.isInteger(n) && n >= 32 && n % 16 === 0)) {
    throw new Error(`facing net: inputSize must be [H, W] with multiples of 16 of at least 32, got ${JSON.stringify(c.inputSize)}`);
  }
  if (!(c.width > 0 && Number.isFinite(c.width))) throw new Error(`facing net: width must be a positive number, got ${c.width}`);
  if (!Number.isInteger(c.seed)) throw new Error(`facing net: seed must be an integer, got ${c.seed}`);
  return { ...c, inputSize: [h, w] };
}

/**
 * A small convolutional classifier that tells from a person crop whether the person faces the camera
 * (face, chest) or turns away from it (hair, back): the appearance cue of the facing vote, where the
 * keypoint detectors' left/right labels are least reliable. Trained by retex on synthetic people
 * (`facing-net-trainer.ts`).
 *
 * Layers (width 1): 3x3 convs 16/2, 24, 32/2, 32, 64/2, 64, 96/2 (stride 16), each with batch norm and ReLU;
 * then a 1x1 conv to 16 channels, flattened (where things are matters: a face at the top, not shoes) and one
 * linear unit: the logit that the person faces the camera.
 */
export class FacingNet {
  readonly config: FacingNetConfig;
  private readonly scope: VariableScope;
  private readonly trunk: ConvBnRelu[];
  private readonly reduce: ConvBnRelu;
  private readonly head: Dense;

  constructor(config: Partial<FacingNetConfig> = {}) {
    this.config = validateFacingNetConfig(config);
    this.scope = VariableScope.root('facing', this.config.seed);
    const w = (n: number) => scaledChannels(n, this.config.width);
    const plan: [number, number][] = [
      [16, 2],
      [24, 1],
      [32, 2],
      [32, 1],
      [64, 2],
      [64, 1],
      [96, 2],
    ];
    let channels = 3;
    this.trunk = plan.map(([out, stride], i) => {
      const layer = new ConvBnRelu(this.scope.child(`c${i + 1}`), channels, w(out), stride);
      channels = w(out);
      return layer;
    });
    this.reduce = new ConvBnRelu(this.scope.child('reduce'), channels, w(16), 1, 1);
    const [h, wd] = this.config.inputSize;
    this.head = new Dense(this.scope.child('head'), (h / 16) * (wd / 16) * w(16), 1);
  }

  /**
   * @param x float32 [B, H, W, 3] RGB in [-1,1] at config.inputSize
   * @returns float32 [B]: > 0 says the person faces the camera
   */
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor1D {
    const [h, w] = this.config.inputSize;
    if (x.rank !== 4 || x.shape[1] !== h || x.shape[2] !== w || x.shape[3] !== 3) {
      throw new Error(`facing net: expected input [B,${h},${w},3], got [${x.shape}]`);
    }
    return tf.tidy(() => {
      let t = x;
      for (const layer of this.trunk) t = layer.apply(t, training);
      const flat = tf.reshape(this.reduce.apply(t, training), [x.shape[0], -1]) as tf.Tensor2D;
      return tf.reshape(this.head.apply(flat), [x.shape[0]]) as tf.Tensor1D;
    });
  }

  /**
   * The facing logit of one image (any size: stretched to the input size), averaged with that of its
   * mirror image (a mirror does not turn a person round).
   * @param image float32 [H, W, 3] in [-1,1]
   */
  async logit(image: tf.Tensor3D): Promise<number> {
    const out = tf.tidy(() => {
      const x = tf.image.resizeBilinear(tf.expandDims(image, 0) as tf.Tensor4D, [...this.config.inputSize] as [number, number], true);
      return tf.mean(this.apply(tf.concat([x, tf.reverse(x, 2)], 0), false));
    });
    const [v] = await out.data();
    out.dispose();
    return v;
  }

  /** Every variable by logical path (weights and batch-norm statistics). */
  namedVariables(): readonly NamedVariable[] {
    return this.scope.all();
  }

  /** Overwrites every variable from tensors keyed by logical path (the caller keeps ownership of them). */
  setWeights(weights: ReadonlyMap<string, tf.Tensor>): void {
    assignNamedWeights(this.scope.all(), weights, 'facing net');
  }

  /** Writes `weights.json` + `weights-<hash>.bin` with the config in the manifest. */
  async save(dir: string): Promise<void> {
    await saveNamedWeights(dir, this.config, this.scope.all());
  }

  /** Loads a network saved by {@link save}. @throws naming the folder when it holds no facing network */
  static async load(dir: string): Promise<FacingNet> {
    return loadNamedNetwork(dir, (config) => new FacingNet(config as Partial<FacingNetConfig>), 'the person facing network');
  }

  dispose(): void {
    this.scope.disposeAll();
  }
}
