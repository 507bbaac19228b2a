import { Command, InvalidArgumentError } from 'commander';
import { parseImageSize } from '../arg-parsers';
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

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive whole number, got '${value}'`);
  return n;
}

function wholeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new InvalidArgumentError(`expected a whole number 0..4294967295, got '${value}'`);
  return n;
}

/** Parses `HxW` (e.g. `128x64`). */
/**
 * Writes a synthetic data set of the category with the plugin's writer (a rerun with the same options
 * completes a partial folder) and reports what is there.
 */
export async function runSynth(services: CliServices, options: SynthOptions): Promise<SynthSummary> {
  const writer = services.pluginSynth(options.category);
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
    .option('--identities <n>', 'human: number of identities', positiveInteger)
    .option('--images-per-identity <n>', 'human: images of each identity', positiveInteger)
    .option('--species <n>', 'bird: number of species', positiveInteger)
    .option('--images-per-species <n>', 'bird: images of each species', positiveInteger)
    .option('--size <HxW>', 'image size (human default 128x64, bird 256x256)', parseImageSize)
    .option('--seed <n>', 'random seed: the same seed and options give the same files', wholeNumber, 0)
    .option('--backgrounds <dir>', 'crop backgrounds from these photos instead of procedural scenes')
    .option('--textures <dir>', 'human: render these UV textures (one identity per file) instead of procedural outfits')
    .option('--no-progress', 'no progress bar')
    .option('--json', 'print the summary as JSON')
    .action(async (options: SynthOptions) => {
      await runSynth(services, options);
    });
}
