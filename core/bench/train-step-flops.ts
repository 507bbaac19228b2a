import { validateResNetClassifierConfig, RESNET_BASE_CHANNELS, type ResNetClassifierConfig } from '../nn/resnet-classifier';
import { validateUNetConfig, UNET_BASE_CHANNELS, type UNetConfig } from '../nn/unet';
import { scaledChannels } from '../nn/width';

/** One convolution of the benchmark's networks, with its output size. */
export interface ConvLayerShape {
  readonly name: string;
  readonly kernel: number;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly outHeight: number;
  readonly outWidth: number;
  /** False for a conv whose input needs no gradient (the U-Net's first conv reads the images). */
  readonly inputNeedsGradient: boolean;
}

/** Every convolution of the U-Net, from its config (mirrors core/nn/unet.ts). */
export function unetConvLayers(config: Partial<UNetConfig> = {}): ConvLayerShape[] {
  const c = validateUNetConfig(config);
  const ch = UNET_BASE_CHANNELS.map((b) => scaledChannels(b, c.width));
  const [h, w] = c.inputSize;
  const size = (level: number): [number, number] => [h / 2 ** level, w / 2 ** level];
  const layers: ConvLayerShape[] = [];
  const double = (name: string, cin: number, cout: number, level: number, first = false): void => {
    const [oh, ow] = size(level);
    layers.push({ name: `${name}/conv1`, kernel: 3, inChannels: cin, outChannels: cout, outHeight: oh, outWidth: ow, inputNeedsGradient: !first });
    layers.push({ name: `${name}/conv2`, kernel: 3, inChannels: cout, outChannels: cout, outHeight: oh, outWidth: ow, inputNeedsGradient: true });
  };
  double('unet/down1', 3, ch[0], 0, true);
  for (let i = 1; i < 5; i++) double(`unet/down${i + 1}`, ch[i - 1], ch[i], i);
  const upOut = [ch[2], ch[1], ch[0], ch[0]];
  let carried = ch[4];
  for (let i = 0; i < 4; i++) {
    double(`unet/up${i + 1}`, carried + ch[3 - i], upOut[i], 3 - i);
    carried = upOut[i];
  }
  layers.push({ name: 'unet/out', kernel: 1, inChannels: carried, outChannels: 3, outHeight: h, outWidth: w, inputNeedsGradient: true });
  return layers;
}

/** Every convolution of the ResNet classifier, from its config (mirrors core/nn/resnet-classifier.ts). */
export function classifierConvLayers(config: Partial<ResNetClassifierConfig> = {}): ConvLayerShape[] {
  const c = validateResNetClassifierConfig(config);
  const ch = RESNET_BASE_CHANNELS.map((b) => scaledChannels(b, c.width));
  let [h, w] = c.inputSize;
  const layers: ConvLayerShape[] = [];
  const conv = (name: string, kernel: number, cin: number, cout: number): void => {
    layers.push({ name, kernel, inChannels: cin, outChannels: cout, outHeight: h, outWidth: w, inputNeedsGradient: true });
  };
  conv('classifier/stem/conv', 3, 3, ch[0]);
  let cin = ch[0];
  for (let s = 0; s < 4; s++) {
    for (let b = 0; b < c.blocksPerStage; b++) {
      const stride = s > 0 && b === 0 ? 2 : 1;
      h = Math.ceil(h / stride);
      w = Math.ceil(w / stride);
      const name = `classifier/stage${s + 1}/block${b + 1}`;
      conv(`${name}/conv1`, 3, cin, ch[s]);
      conv(`${name}/conv2`, 3, ch[s], ch[s]);
      if (stride !== 1 || cin !== ch[s]) conv(`${name}/shortcut_conv`, 1, cin, ch[s]);
      cin = ch[s];
    }
  }
  return layers;
}

/**
 * Convolution FLOPs of one training step (multiply-adds count 2): forward, filter gradient and input
 * gradient each cost one forward's worth, except that no input gradient is computed for a conv whose
 * input needs none.
 */
export function trainStepConvFlops(layers: readonly ConvLayerShape[], batch: number): number {
  let flops = 0;
  for (const l of layers) {
    const forward = 2 * l.kernel * l.kernel * l.inChannels * l.outChannels * l.outHeight * l.outWidth * batch;
    flops += forward * (l.inputNeedsGradient ? 3 : 2);
  }
  return flops;
}
