import { tf } from '../backend/tf';
import type { IdentityNetwork } from '../interfaces/identity-network';
import { GlobalPoolHead, PcbHead, type PcbHeadKind, type ReidHead } from './reid-heads';
import { RESNET_DEPTHS, RESNET_STAGES, ResNetBackbone, type ResNetDepth } from './resnet-backbone';
import { assignNamedWeights, VariableScope, withoutRandomInit, type NamedVariable } from './variable-scope';
import { loadNamedWeights, saveNamedWeights } from './weights-io';

/** The two re-ID architectures retex builds. */
export type ReidArch = 'pcb' | 'resnet';

/** Settings of a re-ID network; see `DEFAULT_REID_CONFIG` and `validateReidConfig`. */
export interface ReidNetworkConfig {
  /** `pcb`: part-based (stripes, last stride 1); `resnet`: global pooling (torchreid style). */
  readonly arch: ReidArch;
  readonly depth: ResNetDepth;
  readonly width: number;
  /** Default 1 for `pcb`, 2 for `resnet`. */
  readonly lastStride: 1 | 2;
  /** PCB: horizontal stripes. */
  readonly stripes: number;
  /** PCB: channels of each reduced stripe. */
  readonly localDim: number;
  /** PCB: how stripes are reduced (see PcbHead). */
  readonly head: PcbHeadKind;
  /** Identities of the training set (classifier outputs). */
  readonly numClasses: number;
  /** Input [H, W]; images of other sizes are resized bilinearly (PyTorch's align_corners=False). */
  readonly inputSize: readonly [number, number];
  /** `imagenet`: [-1,1] -> [0,1] -> (x - mean) / std, as torchvision-trained weights expect; `none`: as given. */
  readonly normalize: 'imagenet' | 'none';
  readonly seed: number;
  /** Root of the variable paths. */
  readonly name: string;
}

/** The method's PCB: ResNet-50, last stride 1, 6 stripes, 256-d, 751 Market-1501 identities, 384x128. */
export const DEFAULT_REID_CONFIG: ReidNetworkConfig = {
  arch: 'pcb',
  depth: 50,
  width: 1,
  lastStride: 1,
  stripes: 6,
  localDim: 256,
  head: 'shared',
  numClasses: 751,
  inputSize: [384, 128],
  normalize: 'imagenet',
  seed: 3,
  name: 'reid',
};

const IMAGENET_MEAN = [0.485, 0.456, 0.406];
const IMAGENET_STD = [0.229, 0.224, 0.225];

/** Fills defaults (the last stride follows the architecture unless given) and checks every field. */
export function validateReidConfig(config: Partial<ReidNetworkConfig> = {}): ReidNetworkConfig {
  const arch = config.arch ?? DEFAULT_REID_CONFIG.arch;
  const c: ReidNetworkConfig = { ...DEFAULT_REID_CONFIG, lastStride: arch === 'pcb' ? 1 : 2, ...config, arch };
  const fail = (field: string, want: string, got: unknown): never => {
    throw new Error(`re-ID network: ${field} must be ${want}, got ${JSON.stringify(got)}`);
  };
  if (arch !== 'pcb' && arch !== 'resnet') fail('arch', "'pcb' or 'resnet'", arch);
  if (!(String(c.depth) in RESNET_DEPTHS)) fail('depth', Object.keys(RESNET_DEPTHS).join(', '), c.depth);
  if (!(c.width > 0 && c.width <= 4)) fail('width', 'a number in (0, 4]', c.width);
  if (c.lastStride !== 1 && c.lastStride !== 2) fail('lastStride', '1 or 2', c.lastStride);
  if (!(Number.isInteger(c.stripes) && c.stripes >= 1 && c.stripes <= 24)) fail('stripes', 'an integer in 1..24', c.stripes);
  if (!(Number.isInteger(c.localDim) && c.localDim >= 1)) fail('localDim', 'a positive integer', c.localDim);
  if (c.head !== 'shared' && c.head !== 'per-stripe') fail('head', "'shared' or 'per-stripe'", c.head);
  if (!(Number.isInteger(c.numClasses) && c.numClasses >= 2)) fail('numClasses', 'an integer >= 2', c.numClasses);
  const [h, w] = c.inputSize ?? [];
  if (!(Number.isInteger(h) && Number.isInteger(w) && h >= 32 && w >= 32 && h <= 1024 && w <= 1024)) {
    fail('inputSize', 'two integers in 32..1024 ([H, W])', c.inputSize);
  }
  if (c.normalize !== 'imagenet' && c.normalize !== 'none') fail('normalize', "'imagenet' or 'none'", c.normalize);
  if (!Number.isInteger(c.seed)) fail('seed', 'an integer', c.seed);
  return { ...c, inputSize: [h, w] };
}

/** One forward pass; the caller owns (and disposes) every tensor. */
export interface ReidForward {
  /** Outputs of layer1..layer4, float32 [B,h,w,C], >= 0. */
  readonly stages: tf.Tensor4D[];
  /** Per classifier float32 [B,numClasses]. */
  readonly logits: tf.Tensor2D[];
  /** float32 [B,D], the retrieval descriptor. */
  readonly embedding: tf.Tensor2D;
}

/**
 * A re-identification network: a torchvision-shaped ResNet trunk and a PCB or global-pool head. As an
 * `IdentityNetwork` it is frozen: `features` runs batch norm on its moving statistics and returns the four
 * stage outputs. Trained by `retex train-identity` (forward with `training` true), saved as a weights folder
 * whose manifest holds the config, or imported from PyTorch checkpoints (`retex import-weights`).
 */
export class ReidNetwork implements IdentityNetwork {
  readonly config: ReidNetworkConfig;
  readonly id: string;
  readonly stageNames = RESNET_STAGES;
  readonly backbone: ResNetBackbone;
  private readonly scope: VariableScope;
  private readonly head: ReidHead;
  /** `imagenet` as one multiply-add per channel: x * 0.5/std + (0.5 - mean)/std (the stock RealDiv broadcast is slow). */
  private readonly inputScale: tf.Tensor1D;
  private readonly inputShift: tf.Tensor1D;

  constructor(config: Partial<ReidNetworkConfig> = {}) {
    this.config = validateReidConfig(config);
    this.id = this.config.arch;
    const c = this.config;
    this.scope = VariableScope.root(c.name, c.seed);
    try {
      this.backbone = new ResNetBackbone(this.scope, { depth: c.depth, width: c.width, lastStride: c.lastStride });
      const channels = this.backbone.stageChannels[3];
      this.head =
        c.arch === 'pcb'
          ? new PcbHead(this.scope, channels, c.stripes, c.localDim, c.numClasses, c.head)
          : new GlobalPoolHead(this.scope, channels, c.numClasses);
    } catch (err) {
      this.scope.disposeAll();
      throw err;
    }
    this.inputScale = tf.keep(tf.tensor1d(IMAGENET_STD.map((s) => 0.5 / s)));
    this.inputShift = tf.keep(tf.tensor1d(IMAGENET_MEAN.map((m, c) => (0.5 - m) / IMAGENET_STD[c])));
  }

  get inputSize(): readonly [number, number] {
    return this.config.inputSize;
  }

  /**
   * Resizes to the input size and normalises.
   * @param images float32 [B,H,W,3] in [-1,1].
   * @returns float32 [B,inputH,inputW,3], what the trunk sees.
   */
  preprocess(images: tf.Tensor4D): tf.Tensor4D {
    if (images.rank !== 4 || images.shape[3] !== 3) {
      throw new Error(`re-ID network: expected images [B,H,W,3] in [-1,1], got [${images.shape}]`);
    }
    return tf.tidy(() => {
      const [h, w] = this.config.inputSize;
      let x = images.shape[1] === h && images.shape[2] === w ? images : tf.image.resizeBilinear(images, [h, w], false, true);
      if (this.config.normalize === 'imagenet') x = tf.add(tf.mul(x, this.inputScale), this.inputShift);
      return x;
    });
  }

  /** Stages, logits and descriptor of a batch. @param training batch statistics + moving-average updates. */
  forward(images: tf.Tensor4D, training: boolean): ReidForward {
    return tf.tidy(() => {
      const stages = this.backbone.apply(this.preprocess(images), training);
      const { logits, embedding } = this.head.apply(stages[3], training);
      return { stages, logits, embedding };
    }) as ReidForward;
  }

  /** The frozen network's four stage outputs (inference-mode batch norm); differentiable w.r.t. `images`. */
  features(images: tf.Tensor4D): tf.Tensor[] {
    return tf.tidy(() => this.backbone.apply(this.preprocess(images), false));
  }

  /** L2-normalised descriptors of a batch in inference mode, float32 [B,D]. */
  embed(images: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => {
      const { stages, logits, embedding } = this.forward(images, false);
      tf.dispose([...stages, ...logits]);
      return tf.div(embedding, tf.add(tf.norm(embedding, 2, 1, true), 1e-12)) as tf.Tensor2D;
    });
  }

  trainableVariables(): tf.Variable[] {
    return this.scope.all().filter((v) => v.trainable).map((v) => v.variable);
  }

  namedVariables(): readonly NamedVariable[] {
    return this.scope.all();
  }

  /** Overwrites every variable by logical path, after checking every name and shape. */
  setWeights(weights: ReadonlyMap<string, tf.Tensor>): void {
    assignNamedWeights(this.scope.all(), weights, `re-ID network '${this.config.name}'`);
  }

  /** Writes `weights.json` (with the config) + the data file into `dir`, atomically. */
  async save(dir: string): Promise<void> {
    await saveNamedWeights(dir, this.config, this.scope.all());
  }

  /**
   * Loads a network saved by `save` (or `retex import-weights`).
   * @param overrides config fields to change that do not alter the weights (e.g. `inputSize`).
   * @throws naming the folder when the config is invalid or a weight is missing or has the wrong shape.
   */
  static async load(dir: string, overrides: Partial<Pick<ReidNetworkConfig, 'inputSize'>> = {}): Promise<ReidNetwork> {
    const { config, weights } = await loadNamedWeights(dir);
    try {
      if (config == null || typeof config !== 'object') {
        throw new Error(`${dir} holds weights without a re-ID network config: save them with retex train-identity or retex import-weights`);
      }
      let net: ReidNetwork;
      try {
        net = withoutRandomInit(() => new ReidNetwork({ ...(config as Partial<ReidNetworkConfig>), ...overrides }));
      } catch (err) {
        throw new Error(`${dir}: ${(err as Error).message}`);
      }
      try {
        net.setWeights(weights);
      } catch (err) {
        net.dispose();
        throw new Error(`${dir}: ${(err as Error).message}`);
      }
      return net;
    } finally {
      tf.dispose([...weights.values()]);
    }
  }

  dispose(): void {
    this.scope.disposeAll();
    this.inputScale.dispose();
    this.inputShift.dispose();
  }
}
