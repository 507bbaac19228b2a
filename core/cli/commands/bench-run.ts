import { spawnSync } from 'child_process';
import { Command } from 'commander';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { benchSetFolder, scoreRunVariants, type RunVariant } from '../../bench/run-methods';
import { median } from '../../bench/step-timing';
import { DEFAULT_OPTIMIZE_ANCHOR, DEFAULT_OPTIMIZE_LEARNING_RATE, DEFAULT_OPTIMIZE_STEPS, type TextureMethod } from '../../run/texture-methods';
import { positiveInt } from '../arg-parsers';
import { note, printFittedTable, printJson, printLine } from '../output';
import { progressBar } from '../progress-bar';
import { loadRunParts } from '../run-parts';
import type { CliServices } from '../services';

export interface BenchRunOptions {
  readonly category?: string;
  readonly count: number;
  readonly repeats: number;
  readonly seed: number;
  readonly data?: string;
  readonly config?: string;
  readonly backend?: string;
  readonly progress?: boolean;
  readonly json?: boolean;
}

/** The splits scored: every category's data set has them. */
const BENCH_SPLITS = ['train', 'test'];

/** The goals, milliseconds per photo including model load. */
const GOAL_MS: Readonly<Record<string, Partial<Record<TextureMethod, number>>>> = {
  human: { generator: 2000, optimize: 20000 },
  bird: { generator: 3000, optimize: 20000 },
};

/** The variants scored: each method, and optimize from each start. */
function variants(): RunVariant[] {
  const optimize = (start: 'generator' | 'project') => ({ steps: DEFAULT_OPTIMIZE_STEPS, learningRate: DEFAULT_OPTIMIZE_LEARNING_RATE, anchor: DEFAULT_OPTIMIZE_ANCHOR, start });
  return [
    { label: 'generator', method: 'generator' },
    { label: 'project', method: 'project' },
    { label: 'optimize (from generator)', method: 'optimize', optimize: optimize('generator') },
    { label: 'optimize (from project)', method: 'optimize', optimize: optimize('project') },
  ];
}

/**
 * Wall time of whole `retex run` processes on one photo (Node start, model load, fit, texture, files),
 * the median of `repeats`, for each method's default settings.
 */
function timeRunCommand(category: string, photo: string, method: TextureMethod, repeats: number, o: BenchRunOptions): { ms: number; runs: number[] } {
  const bin = process.argv[1];
  const runs: number[] = [];
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'retex-bench-run-'));
  try {
    for (let r = 0; r < repeats; r++) {
      const args = [bin, 'run', '-c', category, '--image', photo, '-m', method, '-o', path.join(out, String(r)), '--json', '--no-progress'];
      if (o.config) args.push('--config', o.config);
      if (o.backend) args.push('--backend', o.backend);
      const started = process.hrtime.bigint();
      const p = spawnSync(process.execPath, args, { encoding: 'utf8' });
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (p.status !== 0) throw new Error(`retex run -m ${method} on ${photo} failed: ${(p.stderr || p.stdout).trim().split('\n').pop()}`);
      runs.push(ms);
    }
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
  return { ms: median(runs), runs };
}

/** Makes (or finds) the category's unseen synthetic set. */
async function benchSet(services: CliServices, category: string, o: BenchRunOptions): Promise<string> {
  const writer = services.pluginSynth(category);
  const perSubject = 2;
  const subjects = Math.max(2, Math.ceil(o.count / perSubject));
  const root = o.data != null ? path.resolve(o.data) : benchSetFolder(path.join(os.tmpdir(), 'retex-bench-run'), category, o.seed, subjects, perSubject);
  if (o.data == null) note(`${category}: synthetic set (seed ${o.seed}, never seen in training) in ${root}`);
  await writer.run({ out: root, subjects, imagesPerSubject: perSubject, seed: o.seed });
  return root;
}

/** `retex bench run`: per category and method, time per photo and texture errors on an unseen synthetic set. */
export async function runBenchRun(services: CliServices, o: BenchRunOptions): Promise<Record<string, unknown>[]> {
  const categories = o.category != null ? [o.category] : ['human', 'bird'];
  if (o.data != null && categories.length > 1) throw new Error('--data is one category\'s set: give --category too');
  const rows: Record<string, unknown>[] = [];
  for (const category of categories) {
    const parts = await loadRunParts(services, { category, method: 'all', config: o.config, backend: o.backend, cossim: false, quiet: rows.length > 0 });
    let quality;
    let root: string;
    try {
      root = await benchSet(services, category, o);
      const dataset = await services.loadRole({ ...parts.config, dataset: { ...parts.config.dataset, root } }, 'dataset');
      const bar = progressBar(o.progress ?? process.stderr.isTTY === true, `${category} [{bar}] {value}/{total} photos | ETA {eta_formatted}`);
      bar?.start(o.count, 0);
      quality = await scoreRunVariants(parts, dataset, root, BENCH_SPLITS, o.count, variants(), (d) => bar?.update(d));
      bar?.stop();
    } finally {
      parts.dispose();
    }
    for (const [reason, n] of Object.entries(quality.fit_failures)) note(`${category}: ${n} photo(s) not fitted: ${reason}`);
    const photo = quality.fittedPhotos[0];
    if (photo == null) throw new Error(`no photo of the ${category} set could be fitted: nothing to time`);
    const timed = new Map<TextureMethod, { ms: number; runs: number[] }>();
    for (const method of ['generator', 'project', 'optimize'] as const) {
      note(`${category}: timing retex run -m ${method} (${o.repeats} runs)`);
      timed.set(method, timeRunCommand(category, photo, method, o.repeats, o));
    }
    for (const v of quality.variants) {
      const method = variants().find((x) => x.label === v.label)?.method as TextureMethod;
      const defaultStart = v.label !== 'optimize (from generator)';
      const t = defaultStart ? timed.get(method) : undefined;
      const goal = GOAL_MS[category]?.[method];
      rows.push({
        category,
        method: v.label,
        ms_per_image: t ? Math.round(t.ms) : null,
        goal_ms: defaultStart ? goal ?? null : null,
        texture_error_visible: round(v.texture_error_visible),
        texture_error_unseen: round(v.texture_error_unseen),
        texture_error_all: round(v.texture_error_all),
        texture_ms: Math.round(v.texture_ms),
        images: quality.images,
        fitted: quality.images - Object.values(quality.fit_failures).reduce((a, b) => a + b, 0),
        ...(t ? { runs_ms: t.runs.map(Math.round) } : {}),
      });
    }
  }
  if (o.json) printJson(rows);
  else {
    const keys = ['category', 'method', 'ms_per_image', 'goal_ms', 'texture_error_visible', 'texture_error_unseen', 'texture_error_all', 'fitted', 'images'];
    printFittedTable(keys, rows.map((r) => keys.map((k) => (r[k] == null ? '-' : String(r[k])))));
    printLine('ms_per_image: median wall time of a whole `retex run` process (start, model load, fit, texture, files); texture errors: mean |error| in [0,1] on texels the photo shows / never shows');
  }
  return rows;
}

const round = (x: number) => (Number.isFinite(x) ? Math.round(x * 10000) / 10000 : null);

export function benchRunCommand(services: CliServices): Command {
  return new Command('run')
    .description('time retex run per photo and method (model load included) and score its textures on an unseen synthetic set')
    .option('-c, --category <name>', 'one category (default: human and bird)')
    .option('--count <n>', 'synthetic photos to score per category', positiveInt, 24)
    .option('--repeats <n>', 'timed retex run processes per method (the median is reported)', positiveInt, 3)
    .option('--seed <n>', 'seed of the synthetic set (the shipped generators were trained on seed 0)', positiveInt, 101)
    .option('--data <dir>', 'score this synthetic set (written by retex synth) instead')
    .option('--config <file>', 'config file')
    .option('--backend <name>', 'auto, tensorflow, wasm or cpu')
    .option('--no-progress', 'no progress bar')
    .option('--json', 'print the rows as JSON')
    .action(async (options: BenchRunOptions) => {
      await runBenchRun(services, options);
    });
}
