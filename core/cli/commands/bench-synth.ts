import { Command, InvalidArgumentError } from 'commander';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describeBackend, initBackend } from '../../backend/backend';
import { note, printFittedTable, printJson } from '../output';
import type { CliServices } from '../services';

/** One row of `retex bench synth`. */
export interface BenchSynthRow {
  readonly category: string;
  /** Image size `HxW` (the writer's default). */
  readonly size: string;
  readonly images: number;
  /** Images per second, whole run (planning, rendering, encoding, writing, annotation files). */
  readonly images_per_s: number;
  /**
   * Images per second of this process's CPU time (all its threads: rendering, encoding, file writes):
   * the rate on one dedicated core, robust to other processes sharing the machine.
   */
  readonly images_per_cpu_s: number;
  /** Mean size of an image file (JPEG), bytes. */
  readonly bytes_per_image: number;
  /** Mean size of everything written (images and ground truth) per image, bytes. */
  readonly bytes_per_image_with_truth: number;
}

export interface BenchSynthOptions {
  /** Images per category (rounded up to whole subjects). Default 800. */
  readonly images?: number;
  readonly category?: string;
  readonly json?: boolean;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive whole number, got '${value}'`);
  return n;
}

function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    total += entry.isDirectory() ? folderBytes(p) : fs.statSync(p).size;
  }
  return total;
}

/**
 * Times `retex synth` for each category that has a synthetic data writer, at its default image size,
 * into a temporary folder (removed afterwards), on this process's one thread plus libuv's encoders.
 */
export async function runBenchSynth(services: CliServices, options: BenchSynthOptions = {}): Promise<BenchSynthRow[]> {
  note(describeBackend(await initBackend('cpu')));
  const wanted = options.images ?? 800;
  const categories = options.category ? [options.category] : services.plugins().map((p) => p.categories[0]);
  const rows: BenchSynthRow[] = [];
  for (const category of categories) {
    let writer;
    try {
      writer = services.pluginSynth(category);
    } catch (err) {
      if (options.category) throw err;
      note(`${category}: no synthetic data writer, skipped`);
      continue;
    }
    const { subjects, size } = writer.defaults;
    const perSubject = Math.max(2, Math.ceil(wanted / subjects));
    const out = fs.mkdtempSync(path.join(os.tmpdir(), `retex-bench-synth-${category}-`));
    try {
      const t0 = process.hrtime.bigint();
      const cpu0 = process.cpuUsage();
      const summary = await writer.run({ out, subjects, imagesPerSubject: perSubject, size, seed: 1 });
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const cpu = process.cpuUsage(cpu0);
      const cpuSeconds = (cpu.user + cpu.system) / 1e6;
      const row: BenchSynthRow = {
        category,
        size: `${size[0]}x${size[1]}`,
        images: summary.images,
        images_per_s: Number((summary.images / seconds).toFixed(1)),
        images_per_cpu_s: Number((summary.images / cpuSeconds).toFixed(1)),
        bytes_per_image: Math.round(summary.imageBytes / summary.images),
        bytes_per_image_with_truth: Math.round(folderBytes(out) / summary.images),
      };
      note(`${category}: ${row.images} images in ${seconds.toFixed(2)} s (${cpuSeconds.toFixed(2)} s of CPU)`);
      rows.push(row);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }
  if (options.json) printJson(rows);
  else {
    const keys = ['category', 'size', 'images', 'images_per_s', 'images_per_cpu_s', 'bytes_per_image', 'bytes_per_image_with_truth'] as const;
    printFittedTable([...keys], rows.map((row) => keys.map((k) => String(row[k]))));
  }
  return rows;
}

/** `retex bench synth`: synthetic data throughput per category (goal: 200 images/s for humans at 128x64). */
export function benchSynthCommand(services: CliServices): Command {
  return new Command('synth')
    .description('images per second and bytes per image of `retex synth` for each category at its default size')
    .option('--images <n>', 'images per category (default 800)', positiveInteger)
    .option('-c, --category <name>', 'only this category')
    .option('--json', 'print an array, one object per category')
    .action(async (options: BenchSynthOptions) => {
      await runBenchSynth(services, options);
    });
}
