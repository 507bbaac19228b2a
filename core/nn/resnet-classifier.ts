import { tf } from '../backend/tf';
import { BatchNorm } from './batch-norm';
import { Conv2d } from './conv2d';
import { Dense } from './dense';
import { ResidualBlock } from './residual-block';
import { assignNamedWeights, VariableScope, type NamedVariable } from './variable-scope';
import { scaledChannels } from './width';

/** Classifier settings; see `DEFAULT_RESNET_CLASSIFIER_CONFIG`. */
export interface ResNetClassifierConfig {
  /** Multiplies the stage widths 64-128-256-512 (ResNet-18's). */
  readonly width: number;
  /** Number of output classes (751 = Market-1501 training identities). */
  readonly numClasses: number;
  /** Input [H, W]; other sizes are resized bilinearly to it. */
  readonly inputSize: readonly [number, number];
  /** Residual blocks per stage (the first of stages 2-4 has stride 2). */
  readonly blocksPerStage: number;
  readonly seed: number;
  readonly name: string;
}

export const DEFAULT_RESNET_CLASSIFIER_CONFIG: ResNetClassifierConfig = {
  width: 1,
  numClasses: 751,
  inputSize: [64, 64],
  blocksPerStage: 1,
  seed: 2,
  name: 'classifier',
};

/** Base widths of the four residual stages. */
export const RESNET_BASE_CHANNELS = [64, 128, 256, 512] as const;

/** The four stage names, in the order `classify` returns the stage outputs. */
export const RESNET_STAGE_NAMES = ['stage1', 'stage2', 'stage3', 'stage4'] as const;

/** What one forward pass returns; the caller owns (and disposes) every tensor. */
export interface ClassifierOutput {
  /** float32 [B,numClasses], unnormalised. */
  readonly logits: tf.Tensor2D;
  /** Outputs of stage1..stage4: float32 [B,H/s,W/s,C_s] with s = 1,2,4,8, >= 0. */
  readonly stages: readonly tf.Tensor4D[];
}

export function validateResNetClassifierConfig(config: Partial<ResNetClassifierConfig> = {}): ResNetClassifierConfig {
  const c: ResNetClassifierConfig = { ...DEFAULT_RESNET_CLASSIFIER_CONFIG, ...config };
  if (!(c.width > 0 && Number.isFinite(c.width))) {
    throw new Error(`classifier: width must be a positive number, got ${c.width}`);
  }
  if (!(Number.isInteger(c.numClasses) && c.numClasses >= 2)) {
    throw new Error(`classifier: numClasses must be an integer >= 2, got ${c.numClasses}`);
  }
  if (!(Number.isInteger(c.blocksPerStage) && c.blocksPerStage >= 1)) {
    throw new Error(`classifier: blocksPerStage must be an integer >= 1, got ${c.blocksPerStage}`);
  }
  const [h, w] = c.inputSize;
  if (!(Number.isInteger(h) && Number.isInteger(w) && h >= 8 && w >= 8)) {
    throw new Error(`classifier: inputSize must be two integers >= 8, got [${c.inputSize}]`);
  }
  return { ...c, inputSize: [h, w] };
}

/**
 * A small ResNet: stem conv3x3+BN+ReLU, four stages of basic residual blocks (stride 1, 2, 2, 2),
 * global average pooling, and a dense layer to `numClasses`. Stage outputs are returned so a feature
 * loss (the re-ID loss) can use them.
 */
export class ResNetClassifier {
  readonly config: ResNetClassifierConfig;
  readonly stageNames = RESNET_STAGE_NAMES;
  readonly channels: readonly number[];
  private readonly scope: VariableScope;
  private readonly stemConv: Conv2d;
  private readonly stemBn: BatchNorm;
  private readonly stages: ResidualBlock[][];
  private readonly head: Dense;

  constructor(config: Partial<ResNetClassifierConfig> = {}) {
    this.config = validateResNetClassifierConfig(config);
    const ch = RESNET_BASE_CHANNELS.map((c) => scaledChannels(c, this.config.width));
    this.channels = ch;
    this.scope = VariableScope.root(this.config.name, this.config.seed);
    const stem = this.scope.child('stem');
    this.stemConv = new Conv2d(stem.child('conv'), { inChannels: 3, outChannels: ch[0], kernelSize: 3 });
    this.stemBn = new BatchNorm(stem.child('bn'), ch[0]);
    this.stages = [];
    let inCh = ch[0];
    for (let s = 0; s < 4; s++) {
      const stageScope = this.scope.child(RESNET_STAGE_NAMES[s]);
      const blocks: ResidualBlock[] = [];
      for (let b = 0; b < this.config.blocksPerStage; b++) {
        const stride = s > 0 && b === 0 ? 2 : 1;
        blocks.push(new ResidualBlock(stageScope.child(`block${b + 1}`), inCh, ch[s], stride));
        inCh = ch[s];
      }
      this.stages.push(blocks);
    }
    this.head = new Dense(this.scope.child('head'), inCh, this.config.numClasses);
  }

  /**
   * @param images float32 [B,H,W,3] in [-1,1], any size (resized to inputSize when different).
   * @param training batch statistics and moving-average updates in the batch norms.
   */
  classify(images: tf.Tensor4D, training: boolean): ClassifierOutput {
    if (images.rank !== 4 || images.shape[3] !== 3) {
      throw new Error(`classifier: expected images [B,H,W,3], got [${images.shape}]`);
    }
    const result = tf.tidy(() => {
      const [h, w] = this.config.inputSize;
      let x: tf.Tensor4D =
        images.shape[1] === h && images.shape[2] === w ? images : tf.image.resizeBilinear(images, [h, w], true);
      x = this.stemBn.apply(this.stemConv.apply(x), training, true);
      const stages: tf.Tensor4D[] = [];
      for (const blocks of this.stages) {
        for (const block of blocks) x = block.apply(x, training);
        stages.push(x);
      }
      const pooled = tf.mean(x, [1, 2]) as tf.Tensor2D;
      const logits = this.head.apply(pooled);
      return [logits, ...stages];
    });
    const [logits, ...stages] = result;
    return { logits: logits as tf.Tensor2D, stages: stages as tf.Tensor4D[] };
  }

  trainableVariables(): tf.Variable[] {
    return this.scope.all().filter((v) => v.trainable).map((v) => v.variable);
  }

  namedVariables(): readonly NamedVariable[] {
    return this.scope.all();
  }

  setWeights(weights: ReadonlyMap<string, tf.Tensor>): void {
    assignNamedWeights(this.scope.all(), weights, 'classifier');
  }

  dispose(): void {
    this.scope.disposeAll();
  }
}
