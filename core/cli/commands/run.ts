import { Command } from 'commander';
import * as fs from 'fs';
import * as path from 'path';
import { writeFileAtomic } from '../../io/atomic-write';
import { disposeRun, runPhoto, type PhotoRunOptions } from '../../run/photo-runner';
import { RUN_FILES, checkOutFolder, writeRunFolder } from '../../run/run-outputs';
import {
  DEFAULT_TEXTURE_METHOD,
  DEFAULT_OPTIMIZE_ANCHOR,
  DEFAULT_OPTIMIZE_LEARNING_RATE,
  DEFAULT_OPTIMIZE_STEPS,
  OPTIMIZE_STARTS,
  TEXTURE_METHODS,
  type OptimizeStart,
  type TextureMethod,
} from '../../run/texture-methods';
import { checkApart } from '../../train/run-folder';
import { nonNegativeInt, nonNegativeNumber, oneOf, parseBox, positiveNumber } from '../arg-parsers';
import { note, outputTable, printJson, printLine } from '../output';
import { progressBar } from '../progress-bar';
import { loadRunParts, type RunParts } from '../run-parts';
import type { CliServices } from '../services';

/** File extensions `--images` takes as photos. */
const PHOTO_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.tif', '.tiff', '.bmp'];

export interface RunCommandOptions {
  readonly category: string;
  readonly image?: string;
  readonly images?: string;
  readonly out?: string;
  readonly method: TextureMethod;
  readonly model?: string;
  readonly steps: number;
  readonly start: OptimizeStart;
  readonly lr: number;
  readonly anchor: number;
  readonly box?: [number, number, number, number];
  readonly heading?: string;
  readonly keypoints?: string;
  readonly predictor?: string;
  readonly obj?: boolean;
  readonly config?: string;
  readonly backend?: string;
  readonly progress?: boolean;
  readonly json?: boolean;
}

/** One photo's outcome in a summary. */
interface PhotoOutcome {
  readonly photo: string;
  readonly out: string;
  readonly status: 'done' | 'failed';
  /** Done by an earlier run of the same command (not redone; its figures read from its run.json). */
  readonly earlier?: boolean;
  readonly error?: string;
  readonly metrics?: Readonly<Record<string, unknown>>;
  readonly ms?: number;
}

/** The photos of a folder (by extension, sorted) and a run folder name for each (its stem, unless two share one). */
export function photosOfFolder(dir: string): { photo: string; name: string }[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Error(`--images ${dir} is not a folder`);
  const files = fs
    .readdirSync(dir)
    .filter((f) => PHOTO_EXTENSIONS.includes(path.extname(f).toLowerCase()) && fs.statSync(path.join(dir, f)).isFile())
    .sort();
  if (files.length === 0) throw new Error(`--images ${dir} holds no photo (${PHOTO_EXTENSIONS.join(' ')})`);
  const stems = files.map((f) => path.basename(f, path.extname(f)));
  return files.map((f, i) => ({ photo: path.join(dir, f), name: stems.filter((s) => s === stems[i]).length > 1 ? f : stems[i] }));
}

function photoOptions(o: RunCommandOptions, onStep?: (step: number) => void): PhotoRunOptions {
  const hints = o.heading != null || o.keypoints != null ? { heading: o.heading, keypointsFile: o.keypoints && path.resolve(o.keypoints) } : undefined;
  return {
    method: o.method,
    box: o.box,
    hints,
    optimize: o.method === 'optimize' ? { steps: o.steps, learningRate: o.lr, anchor: o.anchor, start: o.start, onStep } : undefined,
  };
}

/** The figures of a photo an earlier run finished (its run.json, written last), or null when it has none. */
function earlierRunMetrics(folder: string): Record<string, unknown> | null {
  try {
    const record = JSON.parse(fs.readFileSync(path.join(folder, RUN_FILES.record), 'utf8')) as { metrics?: Record<string, unknown> };
    return record.metrics != null && typeof record.metrics === 'object' ? { ...record.metrics } : null;
  } catch {
    return null;
  }
}

function printRunTable(outcomes: readonly PhotoOutcome[]): void {
  const table = outputTable(['photo', 'status', 'SSIM', 'mask-SSIM', 'CosSim', 'seconds', 'folder or error']);
  for (const r of outcomes) {
    const m = (r.metrics ?? {}) as Record<string, number | undefined>;
    const f = (v: number | undefined) => (typeof v === 'number' ? v.toFixed(3) : '-');
    table.push([path.basename(r.photo), r.status, f(m.ssim), f(m.mask_ssim), f(m.cossim), r.ms != null ? (r.ms / 1000).toFixed(1) : '-', r.error ?? r.out]);
  }
  printLine(table.toString());
}

async function runOne(parts: RunParts, o: RunCommandOptions, photo: string, out: string, showSteps: boolean): Promise<PhotoOutcome> {
  const started = Date.now();
  const bar = showSteps && o.method === 'optimize' ? progressBar(true, 'optimizing [{bar}] {value}/{total} steps | ETA {eta_formatted}') : undefined;
  bar?.start(o.steps, 0);
  let run;
  try {
    run = await runPhoto(parts, photo, photoOptions(o, (s) => bar?.update(s)));
  } finally {
    bar?.stop();
  }
  try {
    await writeRunFolder(out, run, { category: parts.config.category, predictor: parts.predictor.id, model: parts.generator ? o.model ?? 'shipped' : null }, o.obj);
  } finally {
    disposeRun(run);
  }
  const { id: _id, ...metrics } = run.metrics;
  return { photo, out, status: 'done', metrics, ms: Date.now() - started };
}

/**
 * `retex run`: one photo (or a folder of them) to a textured 3D model: texture.png, model.glb, views.png,
 * overlay.png and run.json in a folder per photo.
 */
export async function runRun(services: CliServices, o: RunCommandOptions): Promise<Record<string, unknown>> {
  if ((o.image == null) === (o.images == null)) throw new Error('give one photo with --image FILE or a folder of photos with --images DIR');
  if (o.images != null && (o.box != null || o.keypoints != null)) throw new Error('--box and --keypoints describe one photo: use them with --image');
  const input = path.resolve(o.image ?? (o.images as string));
  if (o.image != null && !fs.existsSync(input)) throw new Error(`--image ${o.image} does not exist`);
  const stem = path.basename(input, path.extname(input));
  const out = path.resolve(o.out ?? `${stem}-retex`);
  checkOutFolder(out);
  if (o.images != null) checkApart(out, input, '--out and --images');
  else if (path.resolve(out) === input) throw new Error('--out is the photo itself: give a folder for the results');
  const photos = o.images != null ? photosOfFolder(input) : null;
  const parts = await loadRunParts(services, { ...o, start: o.start });
  try {
    if (photos == null) {
      const result = await runOne(parts, o, input, out, o.progress ?? process.stderr.isTTY === true);
      if (o.json) printJson(result);
      else {
        printRunTable([result]);
        printLine(`wrote ${Object.values(RUN_FILES).join(', ')}${o.obj ? ', model.obj/.mtl/.png' : ''} in ${out}`);
      }
      return result as unknown as Record<string, unknown>;
    }
    const tty = o.progress ?? process.stderr.isTTY === true;
    const bar = progressBar(tty, 'photos [{bar}] {value}/{total} | ETA {eta_formatted} | {photo}');
    bar?.start(photos.length, 0, { photo: '' });
    const outcomes: PhotoOutcome[] = [];
    for (const [i, { photo, name }] of photos.entries()) {
      const folder = path.join(out, name);
      bar?.update(i, { photo: path.basename(photo) });
      const metrics = earlierRunMetrics(folder);
      if (metrics != null) {
        outcomes.push({ photo, out: folder, status: 'done', earlier: true, metrics });
        continue;
      }
      try {
        outcomes.push(await runOne(parts, o, photo, folder, false));
      } catch (err) {
        const message = (err as Error).message;
        const error = message.includes(path.basename(photo)) ? message : `${path.basename(photo)}: ${message}`;
        outcomes.push({ photo, out: folder, status: 'failed', error });
        if (!tty) note(error);
      }
    }
    bar?.update(photos.length, { photo: '' });
    bar?.stop();
    const count = (s: PhotoOutcome['status']) => outcomes.filter((r) => r.status === s).length;
    const earlier = outcomes.filter((r) => r.earlier).length;
    const summary = { out, photos: photos.length, done: count('done'), from_earlier_run: earlier, failed: count('failed'), results: outcomes };
    await writeFileAtomic(path.join(out, 'summary.json'), `${JSON.stringify(summary, null, 1)}\n`);
    if (o.json) printJson(summary);
    else {
      printRunTable(outcomes);
      printLine(`${summary.done} done (${earlier} by an earlier run), ${summary.failed} failed of ${photos.length} photos; summary in ${path.join(out, 'summary.json')}`);
    }
    return summary;
  } finally {
    parts.dispose();
  }
}

export function runCommand(services: CliServices): Command {
  return new Command('run')
    .description('make a textured 3D model from a photo: texture.png, model.glb, views.png, overlay.png and run.json')
    .requiredOption('-c, --category <name>', 'category (human, bird)')
    .option('-i, --image <photo>', 'a photo (JPEG, PNG, WebP, TIFF, BMP); the subject may be anywhere in it')
    .option('--images <dir>', 'a folder of photos: one result folder each under --out (resumable)')
    .option('-o, --out <dir>', 'output folder (default <photo name>-retex)')
    .option('-m, --method <name>', `how the texture is made: ${TEXTURE_METHODS.join(', ')}`, oneOf(TEXTURE_METHODS), DEFAULT_TEXTURE_METHOD)
    .option('--model <dir>', "a generator folder from retex train (<run>/model); default the category's shipped generator")
    .option('--steps <n>', 'optimize: steps', nonNegativeInt, DEFAULT_OPTIMIZE_STEPS)
    .option('--start <from>', `optimize: start from ${OPTIMIZE_STARTS.join(' or ')}`, oneOf(OPTIMIZE_STARTS), 'project' as OptimizeStart)
    .option('--lr <rate>', 'optimize: Adam learning rate', positiveNumber, DEFAULT_OPTIMIZE_LEARNING_RATE)
    .option('--anchor <weight>', 'optimize: weight of the L1 change from the starting texture (0: re-ID loss alone)', nonNegativeNumber, DEFAULT_OPTIMIZE_ANCHOR)
    .option('--box <x,y,w,h>', "the subject's box in photo pixels (skips the detector)", parseBox)
    .option('--heading <way>', 'which way the subject faces (birds: left or right, where the beak points; people: front or back)')
    .option('--keypoints <file>', "keypoints of the subject in the category data set's format (birds: CUB part locations)")
    .option('--predictor <id>', "a mesh predictor instead of the category's photo predictor")
    .option('--obj', 'also write model.obj + model.mtl + model.png')
    .option('--config <file>', 'config file')
    .option('--backend <name>', 'auto, tensorflow, wasm or cpu')
    .option('--no-progress', 'no progress bar')
    .option('--json', 'print the results as JSON')
    .action(async (options: RunCommandOptions) => {
      await runRun(services, options);
    });
}
