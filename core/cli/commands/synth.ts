import { Command, InvalidArgumentError } from 'commander';
import * as fs from 'fs';
import * as v8 from 'v8';
import { nonNegativeInt, parseImageSize, positiveInt } from '../arg-parsers';
import { checkSynthInputs, type InputFingerprints } from '../../synth/synth-inputs';
import { SingleBar } from 'cli-progress';
import * as path from 'path';
import { describeBackend, initBackend } from '../../backend/backend';
import type { SynthSummary } from '../../plugin';
import { note, printJson, printLine } from '../output';
import type { CliServices } from '../services';

export interface SynthOptions {
  readonly category: string;
  readonly out: string;
  /** Humans: identities; birds: species. */
  readonly identities?: number;
  readonly species?: number;
  readonly imagesPerIdentity?: number;
  readonly imagesPerSpecies?: number;
  readonly size?: readonly [number, number];
  readonly seed?: number;
  readonly backgrounds?: string;
  readonly textures?: string;
  readonly json?: boolean;
  /** Show a progress bar on stderr (default: when stderr is a terminal). */
  readonly progress?: boolean;
}

/** A seed: decimal 0..4294967295 (no `0x10`, no `1e3`). */
function seedNumber(value: string): number {
  const n = nonNegativeInt(value);
  if (n > 0xffffffff) throw new InvalidArgumentError(`expected a whole number 0..4294967295, got '${value}'`);
  return n;
}

/**
 * Which subject flags a category takes: the CLI names subjects per category (people have identities,
 * birds species); a category not listed here takes either.
 */
const SUBJECT_FLAGS: Readonly<Record<string, { subjects: string; perSubject: string; textures: boolean }>> = {
  human: { subjects: '--identities', perSubject: '--images-per-identity', textures: true },
  bird: { subjects: '--species', perSubject: '--images-per-species', textures: false },
};

/** Heap bytes per planned image (plan record, annotation tables, summary), measured ~280 B for the plan alone. */
const HEAP_BYTES_PER_IMAGE = 1024;
/** A low estimate of disk bytes per image: JPEG (~0.25 B/pixel), mask PNG, ground-truth JSON. */
const diskBytesPerImage = (size: readonly [number, number]): number => size[0] * size[1] * 0.25 + 1500;

const gb = (bytes: number): string => `${(bytes / 1e9).toFixed(bytes < 1e10 ? 1 : 0)} GB`;

/** Free bytes where `out` will be (its nearest existing ancestor), or undefined when unknown. */
function freeBytes(out: string): number | undefined {
  let d = path.resolve(out);
  while (!fs.existsSync(d) && path.dirname(d) !== d) d = path.dirname(d);
  try {
    const s = fs.statfsSync(d);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return undefined;
  }
}

/**
 * Checks the flags against the category and the run's size against the heap and the disk, before any work.
 * @throws naming the flag, and saying what fits
 */
export function checkSynthRequest(
  options: SynthOptions,
  defaults: { subjects: number; imagesPerSubject: number; size: readonly [number, number] },
  limits: { heapBytes?: number; diskBytes?: number } = {},
): { subjects: number; perSubject: number; images: number } {
  const flags = SUBJECT_FLAGS[options.category];
  const humanish = options.identities !== undefined || options.imagesPerIdentity !== undefined;
  const birdish = options.species !== undefined || options.imagesPerSpecies !== undefined;
  if (humanish && birdish) throw new Error('give --identities/--images-per-identity (people) or --species/--images-per-species (birds), not both');
  if (flags) {
    const wrong = flags.subjects === '--identities' ? birdish : humanish;
    if (wrong) {
      const given = flags.subjects === '--identities' ? '--species/--images-per-species' : '--identities/--images-per-identity';
      throw new Error(`${given} do not apply to category '${options.category}': use ${flags.subjects} and ${flags.perSubject}`);
    }
    if (options.textures !== undefined && !flags.textures) throw new Error(`--textures is for --category human: it does not apply to category '${options.category}'`);
  }
  const subjects = options.identities ?? options.species ?? defaults.subjects;
  const perSubject = options.imagesPerIdentity ?? options.imagesPerSpecies ?? defaults.imagesPerSubject;
  const images = subjects * perSubject;
  const size = options.size ?? defaults.size;
  const heap = limits.heapBytes ?? v8.getHeapStatistics().heap_size_limit;
  const maxByHeap = Math.floor(heap / 2 / HEAP_BYTES_PER_IMAGE);
  const disk = limits.diskBytes ?? freeBytes(options.out);
  const perImage = diskBytesPerImage(size);
  const maxByDisk = disk === undefined ? Infinity : Math.floor(disk / perImage);
  const most = Math.min(maxByHeap, maxByDisk);
  if (images > most) {
    const sf = flags?.subjects ?? '--identities/--species';
    const pf = flags?.perSubject ?? '--images-per-identity/--images-per-species';
    const why =
      most === maxByDisk
        ? `about ${gb(images * perImage)} of disk, and ${gb(disk ?? 0)} is free where ${options.out} goes`
        : `about ${gb(images * HEAP_BYTES_PER_IMAGE)} of memory to plan, over half of node's ${gb(heap)} heap`;
    throw new Error(
      `${subjects} x ${perSubject} = ${images} images at ${size[0]}x${size[1]} need ${why}: at most ${most} images fit ` +
        `(e.g. ${sf} ${subjects} ${pf} ${Math.max(1, Math.floor(most / subjects))}, or ${sf} ${Math.max(1, Math.floor(most / perSubject))} ${pf} ${perSubject})`,
    );
  }
  return { subjects, perSubject, images };
}

/**
 * Writes a synthetic data set of the category with the plugin's writer (a rerun with the same options
 * completes a partial folder) and reports what is there.
 */
export async function runSynth(services: CliServices, options: SynthOptions): Promise<SynthSummary> {
  const writer = services.pluginSynth(options.category);
  checkSynthRequest(options, writer.defaults);
  // Every input image is decoded and hashed before the folder is touched; the plan records the hashes.
  let inputs: InputFingerprints | undefined;
  if (options.backgrounds !== undefined || options.textures !== undefined) {
    note('checking the input images');
    inputs = await checkSynthInputs({ backgrounds: options.backgrounds, textures: options.textures });
  }
  // The writers' tensor work is a small body forward pass: the cpu backend keeps the bytes the same
  // on every machine (a seed must give the same files).
  note(describeBackend(await initBackend('cpu')));
  note(writer.description);
  const bar =
    options.progress ?? process.stderr.isTTY
      ? new SingleBar({ format: 'synth [{bar}] {percentage}% | {value}/{total} images | ETA {eta_formatted}', stream: process.stderr, hideCursor: true })
      : undefined;
  let started = false;
  try {
    const summary = await writer.run({
      out: path.resolve(options.out),
      subjects: options.identities ?? options.species,
      imagesPerSubject: options.imagesPerIdentity ?? options.imagesPerSpecies,
      size: options.size,
      seed: options.seed ?? 0,
      backgrounds: options.backgrounds,
      textures: options.textures,
      inputs,
      onProgress: (done, total) => {
        if (!bar) return;
        if (!started) {
          bar.start(total, done);
          started = true;
        } else bar.update(done);
      },
    });
    bar?.stop();
    if (options.json) printJson(summary);
    else {
      printLine(
        `${summary.out}: ${summary.layout}, ${summary.subjects} subjects, ${summary.images} images ` +
          `(${summary.written} written now), ${summary.size[0]}x${summary.size[1]}, ` +
          Object.entries(summary.splits).map(([k, v]) => `${k} ${v}`).join(', '),
      );
    }
    return summary;
  } catch (err) {
    bar?.stop();
    throw err;
  }
}

export function synthCommand(services: CliServices): Command {
  return new Command('synth')
    .description('write a synthetic data set with ground truth: Market-1501-style people or CUB-200-2011-style birds (see README "retex synth")')
    .requiredOption('-c, --category <name>', 'category (human, bird)')
    .requiredOption('-o, --out <dir>', 'output folder (a rerun with the same options completes it)')
    .option('--identities <n>', 'human: number of identities', positiveInt)
    .option('--images-per-identity <n>', 'human: images of each identity', positiveInt)
    .option('--species <n>', 'bird: number of species', positiveInt)
    .option('--images-per-species <n>', 'bird: images of each species', positiveInt)
    .option('--size <HxW>', 'image size (human default 128x64, bird 256x256)', parseImageSize)
    .option('--seed <n>', 'random seed: the same seed and options give the same files', seedNumber, 0)
    .option('--backgrounds <dir>', 'crop backgrounds from these photos instead of procedural scenes')
    .option('--textures <dir>', 'human: render these UV textures (one identity per file) instead of procedural outfits')
    .option('--no-progress', 'no progress bar')
    .option('--json', 'print the summary as JSON')
    .action(async (options: SynthOptions) => {
      await runSynth(services, options);
    });
}
