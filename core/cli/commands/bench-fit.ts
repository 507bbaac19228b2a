import { Command, InvalidArgumentError } from 'commander';
import { BACKEND_REQUESTS, describeBackend, initBackend } from '../../backend/backend';
import type { BackendRequest } from '../../backend/backend';
import type { SingleBar } from 'cli-progress';
import { note, printFittedTable, printJson } from '../output';
import { progressBar } from '../progress-bar';
import type { CliServices } from '../services';

export interface BenchFitOptions {
  readonly category: string;
  readonly config?: string;
  readonly backend?: string;
  readonly count?: number;
  readonly json?: boolean;
  /** false: no progress (else a bar on a terminal, lines in a log). */
  readonly progress?: boolean;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive whole number, got '${value}'`);
  return n;
}

/**
 * Progress of a benchmark part: a bar on a terminal, else a line at every tenth (a new part restarts it
 * when its count goes back).
 */
function progressReporter(tty: boolean): (done: number, total: number) => void {
  let bar: SingleBar | undefined;
  let last = 0;
  return (done, total) => {
    if (done <= last) {
      bar?.stop();
      bar = undefined;
    }
    last = done;
    if (tty) {
      if (!bar) {
        bar = progressBar(true, 'images [{bar}] {value}/{total} | ETA {eta_formatted}');
        bar?.start(total, 0);
      }
      bar?.update(done);
      if (done === total) bar?.stop();
    } else if (done === total || Math.floor((10 * done) / total) > Math.floor((10 * (done - 1)) / total)) {
      note(`${done}/${total} images`);
    }
  };
}

/** Scores the category's mesh predictors on rendered subjects with known ground truth. */
export async function runBenchFit(services: CliServices, options: BenchFitOptions): Promise<readonly Record<string, unknown>[]> {
  const benchmark = services.pluginBenchmark(options.category, 'fit');
  const { config } = await services.loadConfig({
    category: options.category,
    configPath: options.config,
    overrides: options.backend ? { backend: options.backend } : undefined,
  });
  note(describeBackend(await initBackend(config.backend as BackendRequest)));
  note(benchmark.description);
  const rows = await benchmark.run({ config, count: options.count, onNote: note, onProgress: options.progress === false ? undefined : progressReporter(process.stderr.isTTY === true) });
  if (options.json) {
    printJson(rows);
    return rows;
  }
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r).filter((k) => typeof r[k] !== 'object')))];
  // Figures rounded to what they mean (4 significant digits); columns in groups that fit the terminal.
  const shown = (v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? String(Number(v.toPrecision(4))) : String(v ?? ''));
  printFittedTable(keys, rows.map((row) => keys.map((k) => shown(row[k]))));
  return rows;
}

export function benchFitCommand(services: CliServices): Command {
  return new Command('fit')
    .description("score the category's mesh predictors on rendered subjects with known cameras (IoU, errors, time per image)")
    .requiredOption('-c, --category <name>', 'category (e.g. human, bird)')
    .option('--count <n>', 'rendered subjects to score', positiveInteger)
    .option('--config <file>', 'config file instead of searching for retex.config.* / .retexrc')
    .option('--backend <name>', `compute backend: ${BACKEND_REQUESTS.join('|')}`)
    .option('--json', 'print an array, one object per predictor')
    .option('--no-progress', 'no progress bar')
    .action(async (options: BenchFitOptions) => {
      await runBenchFit(services, options);
    });
}
