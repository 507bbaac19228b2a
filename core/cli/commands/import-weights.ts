import * as fs from 'fs';
import * as path from 'path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { initBackend } from '../../backend/backend';
import { WEIGHTS_FORMAT } from '../../io/weights-file';
import { describeTorchLayout, importTorchCheckpoint, TORCH_LAYOUTS, type TorchLayout } from '../../nn/torch-import';
import { NETWORK_WEIGHTS_STEM } from '../../nn/weights-io';
import { printJson, printLine } from '../output';

export interface ImportWeightsOptions {
  readonly format: TorchLayout;
  readonly in: string;
  readonly out: string;
  readonly inputSize?: readonly [number, number];
  readonly lastStride?: 1 | 2;
  readonly json?: boolean;
}

/** What `retex import-weights` reports. */
export interface ImportWeightsResult {
  readonly format: TorchLayout;
  readonly input: string;
  readonly inputFormat: 'safetensors' | 'npz';
  readonly out: string;
  readonly arch: 'pcb' | 'resnet';
  readonly depth: number;
  readonly width: number;
  readonly lastStride: number;
  /** PCB only. */
  readonly stripes: number | null;
  readonly localDim: number | null;
  readonly head: string | null;
  readonly classes: number;
  readonly inputSize: readonly [number, number];
  readonly parameters: number;
  readonly tensorsRead: number;
  readonly ignoredKeys: readonly string[];
  /** The config section that uses the folder. */
  readonly identityNetwork: { readonly type: string; readonly weights: string };
}

function parseInputSize(value: string): readonly [number, number] {
  const m = /^(\d+)x(\d+)$/.exec(value);
  const [h, w] = m ? [Number(m[1]), Number(m[2])] : [0, 0];
  if (!(h >= 32 && w >= 32 && h <= 1024 && w <= 1024)) {
    throw new InvalidArgumentError(`expected HEIGHTxWIDTH between 32 and 1024, e.g. 384x128, got '${value}'`);
  }
  return [h, w];
}

function parseLastStride(value: string): 1 | 2 {
  if (value !== '1' && value !== '2') throw new InvalidArgumentError(`expected 1 or 2, got '${value}'`);
  return Number(value) as 1 | 2;
}

function realOrResolved(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

const RETEX_WEIGHT_FILE = new RegExp(`^(${NETWORK_WEIGHTS_STEM}\\.json|${NETWORK_WEIGHTS_STEM}-[0-9a-f]{16}\\.bin|\\.${NETWORK_WEIGHTS_STEM}.*\\.tmp)$`);

/**
 * The output must be a new or empty folder, or one that holds a previous retex weights folder and nothing
 * else, and must not be (or contain as a file retex rewrites) the input.
 */
function checkOutput(input: string, out: string): void {
  const inReal = realOrResolved(input);
  const outReal = realOrResolved(out);
  if (inReal === outReal) throw new Error(`--out ${out} is the input file: give a folder for the converted weights`);
  if (path.dirname(inReal) === outReal && RETEX_WEIGHT_FILE.test(path.basename(inReal))) {
    throw new Error(`--out ${out} would overwrite the input ${input}: choose another folder`);
  }
  let stat: fs.Stats;
  try {
    stat = fs.statSync(out);
  } catch {
    return; // a new folder
  }
  if (!stat.isDirectory()) throw new Error(`--out ${out} is a file: give a folder (it is created if missing)`);
  const entries = fs.readdirSync(out);
  if (entries.length === 0) return;
  const foreign = entries.filter((e) => !RETEX_WEIGHT_FILE.test(e));
  let isRetex = false;
  try {
    isRetex = JSON.parse(fs.readFileSync(path.join(out, `${NETWORK_WEIGHTS_STEM}.json`), 'utf8')).format === WEIGHTS_FORMAT;
  } catch {
    isRetex = false;
  }
  if (foreign.length > 0 || !isRetex) {
    const shown = (foreign.length > 0 ? foreign : entries).slice(0, 5).join(', ');
    throw new Error(
      `--out ${out} already holds other files (${shown}${entries.length > 5 ? ', ...' : ''}): give a new or empty folder, ` +
        'or one written by an earlier retex import-weights',
    );
  }
}

/** Converts a PyTorch re-ID checkpoint (exported as .safetensors or .npz) into a retex weights folder. */
export async function runImportWeights(options: ImportWeightsOptions): Promise<ImportWeightsResult> {
  if (!TORCH_LAYOUTS.includes(options.format)) {
    throw new Error(`--format must be one of ${TORCH_LAYOUTS.join(', ')}, got '${options.format}'`);
  }
  checkOutput(options.in, options.out);
  // Importing only moves data; the pure-JS backend needs no initialisation and gives exact copies.
  await initBackend('cpu');
  const { net, plan, fileFormat, tensorCount } = await importTorchCheckpoint(options.in, options.format, {
    inputSize: options.inputSize,
    lastStride: options.lastStride,
  });
  try {
    await net.save(options.out);
  } finally {
    net.dispose();
  }
  const c = plan.config;
  const pcb = c.arch === 'pcb';
  const out = path.resolve(options.out);
  const result: ImportWeightsResult = {
    format: options.format,
    input: options.in,
    inputFormat: fileFormat,
    out,
    arch: c.arch,
    depth: c.depth,
    width: c.width,
    lastStride: c.lastStride,
    stripes: pcb ? c.stripes : null,
    localDim: pcb ? c.localDim : null,
    head: pcb ? c.head : null,
    classes: c.numClasses,
    inputSize: c.inputSize,
    parameters: plan.parameterCount,
    tensorsRead: tensorCount,
    ignoredKeys: plan.ignoredKeys,
    identityNetwork: { type: c.arch, weights: out },
  };
  if (options.json) {
    printJson(result);
    return result;
  }
  const counters = plan.ignoredKeys.filter((k) => k.endsWith('.num_batches_tracked')).length;
  const others = plan.ignoredKeys.filter((k) => !k.endsWith('.num_batches_tracked')).sort();
  printLine(`read ${options.in} (${fileFormat}, ${tensorCount} tensors) as ${options.format}`);
  printLine(
    `  ${c.arch === 'pcb' ? 'PCB' : 'global-pool ResNet'}: ResNet-${c.depth}, width ${c.width}, last stride ${c.lastStride}` +
      (pcb ? `, ${c.stripes} stripes x ${c.localDim} (${c.head} head)` : '') +
      `, ${c.numClasses} classes, input ${c.inputSize[0]}x${c.inputSize[1]}`,
  );
  printLine(`  parameters: ${plan.parameterCount.toLocaleString('en-US')}`);
  if (plan.strippedModulePrefix) printLine("  removed DataParallel's 'module.' prefix from every key");
  if (plan.ignoredKeys.length > 0) {
    const parts = [];
    if (others.length > 0) parts.push(`${others.join(', ')} (torchvision's ImageNet classifier, unused by PCB)`);
    if (counters > 0) parts.push(`${counters} BatchNorm num_batches_tracked counters`);
    printLine(`  ignored: ${parts.join('; ')}`);
  }
  printLine(`wrote ${out}`);
  printLine(`use it: in a retex config, "identityNetwork": { "type": "${c.arch}", "weights": ${JSON.stringify(out)} }`);
  return result;
}

export function importWeightsCommand(): Command {
  return new Command('import-weights')
    .description('convert a PyTorch re-ID checkpoint (exported to .safetensors or .npz) into a retex weights folder')
    .addOption(
      new Option('--format <layout>', 'layout of the checkpoint\'s state dict:\n' + TORCH_LAYOUTS.map((l) => `  ${l}: ${describeTorchLayout(l)}`).join('\n'))
        .choices([...TORCH_LAYOUTS])
        .makeOptionMandatory(),
    )
    .requiredOption('--in <file>', '.safetensors or .npz (a .pth converts with scripts/torch-to-safetensors.py)')
    .requiredOption('--out <dir>', 'folder to write weights.json + weights-<hash>.bin into (new, empty, or an earlier import)')
    .option('--input-size <HxW>', 'size the network resizes images to (default 384x128 for PCB; layumi trains at 384x192; 256x128 for torchreid)', parseInputSize)
    .option('--last-stride <1|2>', 'stride of layer4 (default 1 for PCB, 2 for torchreid)', parseLastStride)
    .option('--json', 'machine-readable output')
    .action(async (options: ImportWeightsOptions) => {
      await runImportWeights(options);
    });
}
