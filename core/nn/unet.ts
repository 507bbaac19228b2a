import * as path from 'path';
import { tf } from '../backend/tf';
import { GENERATOR_INPUTS, type GeneratorInput, type TextureGenerator } from '../interfaces/texture-generator';
import { Conv2d } from './conv2d';
import { DoubleConv } from './conv-bn-relu';
import { assignNamedWeights, VariableScope, type NamedVariable } from './variable-scope';
import { scaledChannels } from './width';
import { loadNamedNetwork, saveNamedWeights } from './weights-io';

/** U-Net settings; every field has a default (see `DEFAULT_UNET_CONFIG`). */
export interface UNetConfig {
  /** Multiplies the paper's channel counts (64-128-256-512-512); 1 is the paper's network. */
  readonly width: number;
  /** Input [H, W]; both must be divisible by 16 (four 2x2 max-pools). */
  readonly inputSize: readonly [number, number];
  /** Output texture [Th, Tw]; the U-Net's full-resolution output is resized to it bilinearly. */
  readonly textureSize: readonly [number, number];
  /** Seed for the initial weights. */
  readonly seed: number;
  /** Root of the variable names. */
  readonly name: string;
  /**
   * What the network reads (see `GeneratorInput`). `projection`: inputSize must be the texture size; the
   * output is the input plus a learnt correction (tanh(atanh(input) + out)), with the correction's last
   * layer starting at zero, so an untrained network returns its input.
   */
  readonly input: GeneratorInput;
}

/** The paper's recipe (FACTS.md): 128x64 input, 64x64 texture, full width. */
export const DEFAULT_UNET_CONFIG: UNetConfig = {
  width: 1,
  inputSize: [128, 64],
  textureSize: [64, 64],
  seed: 1,
  name: 'unet',
  input: 'photo',
};

/** Base channel counts of the encoder levels (FACTS.md). */
export const UNET_BASE_CHANNELS = [64, 128, 256, 512, 512] as const;

/** Copies `config` over the defaults and checks it; throws with the field and the allowed values. */
export function validateUNetConfig(config: Partial<UNetConfig> = {}): UNetConfig {
  const c: UNetConfig = { ...DEFAULT_UNET_CONFIG, ...config };
  if (!(c.width > 0 && Number.isFinite(c.width))) {
    throw new Error(`unet: width must be a positive number (1 = the paper's 64..512 channels), got ${c.width}`);
  }
  const [h, w] = c.inputSize;
  if (!(Number.isInteger(h) && Number.isInteger(w) && h >= 16 && w >= 16 && h % 16 === 0 && w % 16 === 0)) {
    throw new Error(`unet: inputSize must be two multiples of 16 (four 2x2 poolings), got [${c.inputSize}]`);
  }
  const [th, tw] = c.textureSize;
  if (!(Number.isInteger(th) && Number.isInteger(tw) && th >= 1 && tw >= 1)) {
    throw new Error(`unet: textureSize must be two positive integers, got [${c.textureSize}]`);
  }
  if (!GENERATOR_INPUTS.includes(c.input)) throw new Error(`unet: input must be one of ${GENERATOR_INPUTS.join(', ')}, got ${c.input}`);
  if (c.input === 'projection' && (h !== th || w !== tw)) {
    throw new Error(`unet: a projection U-Net reads textures, so inputSize must equal textureSize [${c.textureSize}], got [${c.inputSize}]`);
  }
  return { ...c, inputSize: [h, w], textureSize: [th, tw] };
}

/**
 * The paper's U-Net as a TextureGenerator: five (conv3x3+BN+ReLU)x2 encoder blocks (`down1`..`down5`)
 * separated by 2x2 max-pools, four decoder blocks (`up1`..`up4`) that upsample bilinearly x2 and
 * concatenate the encoder skip, a 1x1 conv (`out`), tanh, then a bilinear resize to the texture size.
 * At width 1 the decoder follows the classic layout (1024->256, 512->128, 256->64, 128->64).
 *
 * Bilinear resizes use align-corners sampling: tfjs 4.22's ResizeBilinear gradient ignores
 * half-pixel centres (wrong values on wasm and cpu), while align-corners gradients are exact.
 */
export class UNet implements TextureGenerator {
  readonly id = 'unet';
  readonly config: UNetConfig;
  readonly input: GeneratorInput;
  readonly inputSize: readonly [number, number];
  readonly textureSize: readonly [number, number];
  /** Encoder channel counts at this width. */
  readonly channels: readonly number[];
  private readonly scope: VariableScope;
  private readonly down: DoubleConv[];
  private readonly up: DoubleConv[];
  private readonly out: Conv2d;

  constructor(config: Partial<UNetConfig> = {}) {
    this.config = validateUNetConfig(config);
    this.input = this.config.input;
    this.inputSize = this.config.inputSize;
    this.textureSize = this.config.textureSize;
    const ch = UNET_BASE_CHANNELS.map((c) => scaledChannels(c, this.config.width));
    this.channels = ch;
    this.scope = VariableScope.root(this.config.name, this.config.seed);
    this.down = [];
    this.down.push(new DoubleConv(this.scope.child('down1'), 3, ch[0]));
    for (let i = 1; i < 5; i++) this.down.push(new DoubleConv(this.scope.child(`down${i + 1}`), ch[i - 1], ch[i]));
    // Decoder: upsampled deeper features (carried channels) + skip -> next shallower width.
    const upOut = [ch[2], ch[1], ch[0], ch[0]];
    let carried = ch[4];
    this.up = [];
    for (let i = 0; i < 4; i++) {
      const skip = ch[3 - i];
      this.up.push(new DoubleConv(this.scope.child(`up${i + 1}`), carried + skip, upOut[i]));
      carried = upOut[i];
    }
    this.out = new Conv2d(this.scope.child('out'), {
      inChannels: carried,
      outChannels: 3,
      kernelSize: 1,
      useBias: true,
    });
    if (this.input === 'projection') this.out.kernel.assign(tf.zerosLike(this.out.kernel));
  }

  /**
   * Loads a U-Net saved by `save()`: the config from the manifest, then every weight by name.
   * @throws when the directory has no manifest or a weight is missing or has the wrong shape.
   */
  static async load(dir: string): Promise<UNet> {
    return loadNamedNetwork(dir, (config) => new UNet(config as Partial<UNetConfig>), 'a U-Net');
  }

  /**
   * @param images float32 [B,H,W,3] in [-1,1], [H,W] = inputSize.
   * @param training batch statistics and moving-average updates in the batch norms.
   * @returns float32 [B,Th,Tw,3] in [-1,1], [Th,Tw] = textureSize.
   */
  generate(images: tf.Tensor4D, training: boolean): tf.Tensor4D {
    const [h, w] = this.inputSize;
    if (images.rank !== 4 || images.shape[1] !== h || images.shape[2] !== w || images.shape[3] !== 3) {
      throw new Error(`unet: expected images [B,${h},${w},3], got [${images.shape}]`);
    }
    return tf.tidy(() => {
      const skips: tf.Tensor4D[] = [];
      let x = images;
      for (let i = 0; i < 5; i++) {
        if (i > 0) x = tf.maxPool(x, 2, 2, 'valid');
        x = this.down[i].apply(x, training);
        skips.push(x);
      }
      for (let i = 0; i < 4; i++) {
        const skip = skips[3 - i];
        const up = tf.image.resizeBilinear(x, [skip.shape[1], skip.shape[2]], true);
        x = this.up[i].apply(tf.concat([up, skip], 3), training);
      }
      const correction = this.out.apply(x);
      const full = (this.input === 'projection' ? tf.tanh(tf.add(correction, atanh(images))) : tf.tanh(correction)) as tf.Tensor4D;
      const [th, tw] = this.textureSize;
      if (th === h && tw === w) return full;
      return tf.image.resizeBilinear(full, [th, tw], true);
    });
  }

  /** Trainable weights (kernels, biases, batch-norm gamma/beta), in a fixed order. */
  trainableVariables(): tf.Variable[] {
    return this.scope.all().filter((v) => v.trainable).map((v) => v.variable);
  }

  /** Every variable with its logical name, including batch-norm moving statistics. */
  namedVariables(): readonly NamedVariable[] {
    return this.scope.all();
  }

  /** Overwrites weights by logical name; every variable must be present with its exact shape. */
  setWeights(weights: ReadonlyMap<string, tf.Tensor>): void {
    assignNamedWeights(this.scope.all(), weights, 'unet');
  }

  /**
   * Writes `weights.json` (config + weight manifest) and a content-named `weights-<hash>.bin` into `dir`,
   * each atomically (temp file + rename), the .bin first so the manifest never points at a partial file.
   */
  async save(dir: string): Promise<void> {
    await saveNamedWeights(path.resolve(dir), this.config, this.scope.all());
  }

  dispose(): void {
    this.scope.disposeAll();
  }
}

/** atanh of values clipped to +-0.999 (a texture's colours, as the pre-tanh start of a correction). */
function atanh(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const c = tf.clipByValue(x, -0.999, 0.999);
    return tf.mul(0.5, tf.log(tf.div(tf.add(1, c), tf.sub(1, c)))) as tf.Tensor4D;
  });
}
