import { tf } from '../backend/tf';
import { shapeSize, type HostTensor } from '../io/host-tensor';
import { ModelFileError } from '../io/model-file-error';
import { readTensorArchive, type TensorArchiveFormat } from '../io/tensor-archive';
import type { PcbHeadKind } from './reid-heads';
import { ReidNetwork, validateReidConfig, type ReidArch, type ReidNetworkConfig } from './reid-network';
import { RESNET_DEPTHS, type ResNetDepth } from './resnet-backbone';
import { scaledChannels } from './width';

/** The PyTorch state-dict layouts retex imports. */
export const TORCH_LAYOUTS = ['pcb-layumi', 'pcb-openreid', 'torchreid-resnet50'] as const;
export type TorchLayout = (typeof TORCH_LAYOUTS)[number];

interface LayoutSpec {
  /** One line for messages and `--help`. */
  readonly description: string;
  /** Prefix of the torchvision trunk's names in the state dict. */
  readonly trunk: string;
  readonly arch: ReidArch;
  readonly head: PcbHeadKind;
  readonly lastStride: 1 | 2;
  readonly inputSize: readonly [number, number];
}

const LAYOUTS: Readonly<Record<TorchLayout, LayoutSpec>> = {
  'pcb-layumi': {
    description:
      "layumi/Person_reID_baseline_pytorch's PCB: 'model.' + torchvision ResNet names, classifier{i}.add_block.0 " +
      '(Linear C->256), .add_block.1 (BatchNorm1d), .classifier.0 (Linear 256->ids)',
    trunk: 'model.',
    arch: 'pcb',
    head: 'per-stripe',
    lastStride: 1,
    inputSize: [384, 128],
  },
  'pcb-openreid': {
    description:
      "open-reid's PCB (syfafterzy/PCB_RPP_for_reID, the method authors'): 'base.' + torchvision ResNet names, " +
      'local_conv (1x1 conv C->256, no bias), feat_bn2d, instance0..5 (Linear 256->ids)',
    trunk: 'base.',
    arch: 'pcb',
    head: 'shared',
    lastStride: 1,
    inputSize: [384, 128],
  },
  'torchreid-resnet50': {
    description: "torchreid's ResNet: torchvision ResNet names + classifier (Linear C->ids), last stride 2",
    trunk: '',
    arch: 'resnet',
    head: 'shared',
    lastStride: 2,
    inputSize: [256, 128],
  },
};

/** One-line description of a layout (for help texts). */
export function describeTorchLayout(layout: TorchLayout): string {
  return LAYOUTS[layout].description;
}

/** How a PyTorch tensor becomes a retex variable. */
type Transform = 'conv' | 'linear' | 'copy';

interface Mapping {
  readonly torchKey: string;
  readonly retexPath: string;
  /** Expected PyTorch shape; null where the file decides (e.g. the number of identities). */
  readonly shape: ReadonlyArray<number | null>;
  readonly transform: Transform;
}

/** What the file says about the network, read before the key-by-key check. */
interface Dimensions {
  readonly depth: ResNetDepth;
  readonly width: number;
  readonly stripes: number;
  readonly localDim: number | null;
  readonly numClasses: number | null;
}

const BN_FIELDS: ReadonlyArray<[string, string]> = [
  ['weight', 'gamma'],
  ['bias', 'beta'],
  ['running_mean', 'moving_mean'],
  ['running_var', 'moving_variance'],
];

function trunkMappings(trunk: string, root: string, depth: ResNetDepth, width: number): Mapping[] {
  const maps: Mapping[] = [];
  const conv = (key: string, p: string, shape: number[]): void => {
    maps.push({ torchKey: `${trunk}${key}`, retexPath: `${root}/${p}`, shape, transform: 'conv' });
  };
  const bn = (key: string, p: string, channels: number): void => {
    for (const [t, r] of BN_FIELDS) maps.push({ torchKey: `${trunk}${key}.${t}`, retexPath: `${root}/${p}/${r}`, shape: [channels], transform: 'copy' });
  };
  const spec = RESNET_DEPTHS[depth];
  let channels = scaledChannels(64, width);
  conv('conv1.weight', 'conv1/kernel', [channels, 3, 7, 7]);
  bn('bn1', 'bn1', channels);
  for (let s = 0; s < 4; s++) {
    const planes = scaledChannels(64 * 2 ** s, width);
    for (let b = 0; b < spec.blocks[s]; b++) {
      const key = `layer${s + 1}.${b}`;
      const p = `layer${s + 1}/${b}`;
      let out: number;
      if (spec.block === 'basic') {
        out = planes;
        conv(`${key}.conv1.weight`, `${p}/conv1/kernel`, [planes, channels, 3, 3]);
        bn(`${key}.bn1`, `${p}/bn1`, planes);
        conv(`${key}.conv2.weight`, `${p}/conv2/kernel`, [planes, planes, 3, 3]);
        bn(`${key}.bn2`, `${p}/bn2`, planes);
      } else {
        out = planes * 4;
        conv(`${key}.conv1.weight`, `${p}/conv1/kernel`, [planes, channels, 1, 1]);
        bn(`${key}.bn1`, `${p}/bn1`, planes);
        conv(`${key}.conv2.weight`, `${p}/conv2/kernel`, [planes, planes, 3, 3]);
        bn(`${key}.bn2`, `${p}/bn2`, planes);
        conv(`${key}.conv3.weight`, `${p}/conv3/kernel`, [out, planes, 1, 1]);
        bn(`${key}.bn3`, `${p}/bn3`, out);
      }
      // torchvision projects the shortcut when the first block of a stage changes shape (every stage
      // but layer1 of basic-block nets); PCB's stride-1 layer4 keeps that projection.
      if (b === 0 && (s > 0 || channels !== out)) {
        conv(`${key}.downsample.0.weight`, `${p}/downsample/conv/kernel`, [out, channels, 1, 1]);
        bn(`${key}.downsample.1`, `${p}/downsample/bn`, out);
      }
      channels = out;
    }
  }
  return maps;
}

function lastStageChannels(depth: ResNetDepth, width: number): number {
  return scaledChannels(512, width) * (RESNET_DEPTHS[depth].block === 'basic' ? 1 : 4);
}

function headMappings(layout: TorchLayout, root: string, d: Dimensions): Mapping[] {
  const c = lastStageChannels(d.depth, d.width);
  const maps: Mapping[] = [];
  const add = (torchKey: string, retexPath: string, shape: Array<number | null>, transform: Transform): void => {
    maps.push({ torchKey, retexPath: `${root}/${retexPath}`, shape, transform });
  };
  const bn = (key: string, p: string, channels: number | null): void => {
    for (const [t, r] of BN_FIELDS) add(`${key}.${t}`, `${p}/${r}`, [channels], 'copy');
  };
  if (layout === 'pcb-layumi') {
    for (let i = 0; i < d.stripes; i++) {
      add(`classifier${i}.add_block.0.weight`, `stripe${i}/reduce/kernel`, [d.localDim, c], 'linear');
      add(`classifier${i}.add_block.0.bias`, `stripe${i}/reduce/bias`, [d.localDim], 'copy');
      bn(`classifier${i}.add_block.1`, `stripe${i}/reduce_bn`, d.localDim);
      add(`classifier${i}.classifier.0.weight`, `classifier${i}/kernel`, [d.numClasses, d.localDim], 'linear');
      add(`classifier${i}.classifier.0.bias`, `classifier${i}/bias`, [d.numClasses], 'copy');
    }
  } else if (layout === 'pcb-openreid') {
    add('local_conv.weight', 'local_conv/kernel', [d.localDim, c, 1, 1], 'conv');
    bn('feat_bn2d', 'local_bn', d.localDim);
    for (let i = 0; i < d.stripes; i++) {
      add(`instance${i}.weight`, `classifier${i}/kernel`, [d.numClasses, d.localDim], 'linear');
      add(`instance${i}.bias`, `classifier${i}/bias`, [d.numClasses], 'copy');
    }
  } else {
    add('classifier.weight', 'classifier/kernel', [d.numClasses, c], 'linear');
    add('classifier.bias', 'classifier/bias', [d.numClasses], 'copy');
  }
  return maps;
}

/**
 * Keys a layout carries that retex does not use: BatchNorm's `num_batches_tracked` counters, and for the
 * PCB layouts torchvision's ImageNet classifier `fc.*`, which PCB keeps in its trunk but never calls.
 */
function isIgnored(layout: TorchLayout, key: string): boolean {
  if (key.endsWith('.num_batches_tracked')) return true;
  const trunk = LAYOUTS[layout].trunk;
  return LAYOUTS[layout].arch === 'pcb' && (key === `${trunk}fc.weight` || key === `${trunk}fc.bias`);
}

/** Strips DataParallel's `module.` prefix (from every key, possibly nested). */
function stripModulePrefix(state: ReadonlyMap<string, HostTensor>): { state: Map<string, HostTensor>; stripped: boolean } {
  const keys = [...state.keys()];
  if (keys.length === 0 || !keys.every((k) => k.startsWith('module.'))) return { state: new Map(state), stripped: false };
  const out = new Map<string, HostTensor>();
  for (const [k, v] of state) out.set(k.replace(/^(module\.)+/, ''), v);
  return { state: out, stripped: true };
}

const DEPTH_BY_BLOCKS: Record<string, ResNetDepth> = { 'basic:2,2,2,2': 18, 'basic:3,4,6,3': 34, 'bottleneck:3,4,6,3': 50 };
const KNOWN_DEEPER: Record<string, string> = { 'bottleneck:3,4,23,3': 'ResNet-101', 'bottleneck:3,8,36,3': 'ResNet-152' };

/** Reads depth, width, stripes, local size and classes from the keys and shapes present. */
function inferDimensions(layout: TorchLayout, state: ReadonlyMap<string, HostTensor>, notes: string[]): Dimensions {
  const t = LAYOUTS[layout].trunk;
  const conv1 = state.get(`${t}conv1.weight`);
  let width = 1;
  if (conv1 != null && conv1.shape.length === 4 && conv1.shape[0] > 0) {
    width = conv1.shape[0] / 64;
    if (!(width <= 4)) {
      notes.push(`conv1 has ${conv1.shape[0]} output channels (width ${width}); retex builds widths up to 4 (256 channels)`);
      width = 1;
    }
  }
  let depth: ResNetDepth = 50;
  const block = state.has(`${t}layer1.0.conv3.weight`) ? 'bottleneck' : 'basic';
  const blocks = [1, 2, 3, 4].map((s) => {
    let n = 0;
    while (state.has(`${t}layer${s}.${n}.conv1.weight`)) n++;
    return n;
  });
  if (blocks.some((n) => n > 0)) {
    const signature = `${block}:${blocks.join(',')}`;
    const found = DEPTH_BY_BLOCKS[signature];
    if (found != null) depth = found;
    else {
      const name = KNOWN_DEEPER[signature];
      notes.push(
        `the trunk has ${block} blocks ${blocks.join(', ')} per stage${name ? ` (a ${name})` : ''}; retex builds ResNet-18 ` +
          '(basic 2,2,2,2), -34 (basic 3,4,6,3) and -50 (bottleneck 3,4,6,3)',
      );
      depth = block === 'basic' ? 34 : 50;
    }
  }
  let stripes = 0;
  let localDim: number | null = null;
  let numClasses: number | null = null;
  if (layout === 'pcb-layumi') {
    while (state.has(`classifier${stripes}.classifier.0.weight`) || state.has(`classifier${stripes}.add_block.0.weight`)) stripes++;
    localDim = state.get('classifier0.add_block.0.weight')?.shape[0] ?? null;
    numClasses = state.get('classifier0.classifier.0.weight')?.shape[0] ?? null;
  } else if (layout === 'pcb-openreid') {
    while (state.has(`instance${stripes}.weight`)) stripes++;
    localDim = state.get('local_conv.weight')?.shape[0] ?? null;
    numClasses = state.get('instance0.weight')?.shape[0] ?? null;
  } else {
    stripes = 1;
    numClasses = state.get('classifier.weight')?.shape[0] ?? null;
  }
  // With no classifier in the file, expect PCB's 6 so the error lists what is missing.
  if (stripes === 0) stripes = 6;
  return { depth, width, stripes, localDim, numClasses };
}

function formatKeys(keys: readonly string[], max = 10): string {
  const shown = keys.slice(0, max).join(', ');
  return keys.length > max ? `${shown}, ... (${keys.length - max} more)` : shown;
}

/** Compares the file with a layout: missing and unexpected keys, the first shape mismatch. */
interface LayoutCheck {
  readonly dims: Dimensions;
  readonly mappings: Mapping[];
  readonly missing: string[];
  readonly unexpected: string[];
  readonly mismatch: string | null;
  readonly ignored: string[];
  readonly notes: string[];
}

function checkLayout(layout: TorchLayout, state: ReadonlyMap<string, HostTensor>, root: string): LayoutCheck {
  const notes: string[] = [];
  const dims = inferDimensions(layout, state, notes);
  const spec = LAYOUTS[layout];
  const mappings = [...trunkMappings(spec.trunk, root, dims.depth, dims.width), ...headMappings(layout, root, dims)];
  const mapped = new Set(mappings.map((m) => m.torchKey));
  const missing = mappings.filter((m) => !state.has(m.torchKey)).map((m) => m.torchKey);
  const ignored: string[] = [];
  const unexpected: string[] = [];
  for (const key of state.keys()) {
    if (mapped.has(key)) continue;
    if (isIgnored(layout, key)) ignored.push(key);
    else unexpected.push(key);
  }
  let mismatch: string | null = null;
  for (const m of mappings) {
    const t = state.get(m.torchKey);
    if (t == null) continue;
    const fits = t.shape.length === m.shape.length && m.shape.every((d, i) => d == null || d === t.shape[i]);
    if (!fits) {
      const want = m.shape.map((d) => d ?? '?').join(',');
      mismatch = `'${m.torchKey}' is [${t.shape.join(',')}] in the file, the layout expects [${want}]`;
      break;
    }
  }
  return { dims, mappings, missing, unexpected, mismatch, ignored, notes };
}

function isClean(c: LayoutCheck): boolean {
  return c.missing.length === 0 && c.unexpected.length === 0 && c.mismatch == null && c.notes.length === 0;
}

/** Options of an import. */
export interface TorchImportOptions {
  /** [H, W] the network resizes inputs to; default 384x128 for PCB layouts, 256x128 for torchreid. */
  readonly inputSize?: readonly [number, number];
  /** Override the layout's last stride (1 for PCB, 2 for torchreid; weights do not record it). */
  readonly lastStride?: 1 | 2;
  /** Root of the variable paths; default 'reid'. */
  readonly name?: string;
  /** The file the state dict came from, for messages. */
  readonly file?: string;
}

/** A checked state dict, converted to retex's variable paths and layouts. */
export interface TorchImportPlan {
  readonly layout: TorchLayout;
  readonly config: ReidNetworkConfig;
  /** Retex variable path -> data in retex layout (HWIO kernels, [in,out] dense kernels). */
  readonly weights: ReadonlyMap<string, HostTensor>;
  /** Keys of the file that were read but not used (num_batches_tracked, the PCB trunk's unused `fc`). */
  readonly ignoredKeys: readonly string[];
  /** Whether every key carried DataParallel's `module.` prefix (removed). */
  readonly strippedModulePrefix: boolean;
  /** Trainable parameters, as PyTorch's `sum(p.numel() for p in model.parameters())` counts them. */
  readonly parameterCount: number;
}

/** [O,I,kh,kw] (PyTorch) -> [kh,kw,I,O] (TF.js): transpose(2,3,1,0). */
function convToHwio(t: HostTensor): HostTensor {
  const [o, i, h, w] = t.shape;
  const src = t.values;
  const out = new Float32Array(src.length);
  for (let oo = 0; oo < o; oo++) {
    for (let ii = 0; ii < i; ii++) {
      for (let hh = 0; hh < h; hh++) {
        for (let ww = 0; ww < w; ww++) out[((hh * w + ww) * i + ii) * o + oo] = src[((oo * i + ii) * h + hh) * w + ww];
      }
    }
  }
  return { shape: [h, w, i, o], values: out, dtype: t.dtype };
}

/** [out,in] (PyTorch Linear) -> [in,out]. */
function linearToInOut(t: HostTensor): HostTensor {
  const [o, i] = t.shape;
  const out = new Float32Array(t.values.length);
  for (let oo = 0; oo < o; oo++) for (let ii = 0; ii < i; ii++) out[ii * o + oo] = t.values[oo * i + ii];
  return { shape: [i, o], values: out, dtype: t.dtype };
}

/**
 * Checks a PyTorch state dict against a layout and maps it to a ReidNetwork config and weights. Depth
 * (18/34/50), width (conv1's output channels / 64), stripes, local size and identities are read from the
 * file, so narrow test networks of the same layout import too.
 * @throws ModelFileError ('weights-mismatch') listing, in one message, the missing keys, the unexpected
 *   keys and the first shape mismatch, naming the layout and the file (and a layout that fits, if one does).
 */
export function planTorchImport(
  stateDict: ReadonlyMap<string, HostTensor>,
  layout: TorchLayout,
  options: TorchImportOptions = {},
): TorchImportPlan {
  const spec = LAYOUTS[layout];
  if (spec == null) throw new Error(`unknown checkpoint layout '${layout}': use one of ${TORCH_LAYOUTS.join(', ')}`);
  const file = options.file ?? 'the checkpoint';
  const root = options.name ?? 'reid';
  const { state, stripped } = stripModulePrefix(stateDict);
  const check = checkLayout(layout, state, root);
  if (!isClean(check)) {
    const total = check.mappings.length;
    const lines = [`${file} does not match the '${layout}' layout it was read as (${spec.description}):`];
    for (const n of check.notes) lines.push(`  ${n}`);
    if (check.missing.length > 0) lines.push(`  missing ${check.missing.length} of ${total} expected keys: ${formatKeys(check.missing)}`);
    if (check.unexpected.length > 0) lines.push(`  unexpected ${check.unexpected.length} keys: ${formatKeys(check.unexpected)}`);
    if (check.mismatch != null) lines.push(`  first shape mismatch: ${check.mismatch}`);
    const fits = TORCH_LAYOUTS.filter((other) => other !== layout && isClean(checkLayout(other, state, root)));
    if (fits.length > 0) lines.push(`  the file matches the '${fits[0]}' layout: use --format ${fits[0]}`);
    else lines.push(`  layouts retex reads: ${TORCH_LAYOUTS.join(', ')}`);
    throw new ModelFileError('weights-mismatch', lines.join('\n'), options.file);
  }
  const d = check.dims;
  let config: ReidNetworkConfig;
  try {
    config = validateReidConfig({
      arch: spec.arch,
      depth: d.depth,
      width: d.width,
      lastStride: options.lastStride ?? spec.lastStride,
      stripes: spec.arch === 'pcb' ? d.stripes : 6,
      localDim: d.localDim ?? 256,
      head: spec.head,
      numClasses: d.numClasses ?? 0,
      inputSize: [...(options.inputSize ?? spec.inputSize)] as [number, number],
      normalize: 'imagenet',
      name: root,
    });
  } catch (err) {
    throw new ModelFileError('unsupported', `${file} (read as '${layout}'): ${(err as Error).message}`, options.file, { cause: err });
  }
  const weights = new Map<string, HostTensor>();
  let parameterCount = 0;
  for (const m of check.mappings) {
    const t = state.get(m.torchKey)!;
    for (let i = 0; i < t.values.length; i++) {
      if (!Number.isFinite(t.values[i])) {
        throw new ModelFileError(
          'malformed',
          `${file}: '${m.torchKey}' holds a non-finite value (${t.values[i]} at element ${i}): the checkpoint is damaged or diverged`,
          options.file,
        );
      }
    }
    weights.set(m.retexPath, m.transform === 'conv' ? convToHwio(t) : m.transform === 'linear' ? linearToInOut(t) : t);
    if (!/(running_mean|running_var)$/.test(m.torchKey)) parameterCount += shapeSize(t.shape);
  }
  return { layout, config, weights, ignoredKeys: check.ignored, strippedModulePrefix: stripped, parameterCount };
}

/**
 * Builds the ReidNetwork a plan describes and assigns its weights (checking that the plan covers every
 * variable the network has, and nothing else).
 */
export function buildImportedNetwork(plan: TorchImportPlan): ReidNetwork {
  const net = new ReidNetwork(plan.config);
  try {
    const paths = net.namedVariables().map((v) => v.path);
    const extra = [...plan.weights.keys()].filter((p) => !paths.includes(p));
    const absent = paths.filter((p) => !plan.weights.has(p));
    if (extra.length > 0 || absent.length > 0) {
      // The mapping table and the network's constructor disagree: a retex bug, not a user error.
      throw new Error(
        `internal: the '${plan.layout}' mapping does not cover the network's variables ` +
          `(unmapped: ${formatKeys(absent, 5)}; unknown: ${formatKeys(extra, 5)})`,
      );
    }
    const tensors = new Map<string, tf.Tensor>();
    try {
      for (const [p, t] of plan.weights) tensors.set(p, tf.tensor(t.values, [...t.shape], 'float32'));
      net.setWeights(tensors);
    } finally {
      tf.dispose([...tensors.values()]);
    }
    return net;
  } catch (err) {
    net.dispose();
    throw err;
  }
}

/** What {@link importTorchCheckpoint} read and built. */
export interface TorchImport {
  readonly net: ReidNetwork;
  readonly plan: TorchImportPlan;
  /** How the file was stored. */
  readonly fileFormat: TensorArchiveFormat;
  /** Tensors in the file. */
  readonly tensorCount: number;
}

/**
 * Reads a `.safetensors` or `.npz` export of a PyTorch state dict (see scripts/torch-to-safetensors.py),
 * checks it against `layout` and returns the ReidNetwork with its weights; the caller disposes `net`.
 */
export async function importTorchCheckpoint(file: string, layout: TorchLayout, options: TorchImportOptions = {}): Promise<TorchImport> {
  const archive = await readTensorArchive(file);
  const plan = planTorchImport(archive.tensors, layout, { ...options, file });
  return { net: buildImportedNetwork(plan), plan, fileFormat: archive.format, tensorCount: archive.tensors.size };
}
