import { Command, InvalidArgumentError } from 'commander';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import { writeFileAtomic } from '../../io/atomic-write';
import { checkOutputs } from '../../io/file-guard';
import { renderViews, type ViewSet } from '../../renderer/views';
import { note, printJson, printLine } from '../output';
import { readTexturedSource, sourceFiles } from '../textured-mesh-input';

export interface ViewOptions {
  readonly mesh?: string;
  readonly texture?: string;
  readonly run?: string;
  readonly out: string;
  readonly views: ViewSet;
  readonly size: readonly [number, number];
  readonly json?: boolean;
}

function parseViews(value: string): ViewSet {
  if (value === 'front-side-back') return value;
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 64) {
    throw new InvalidArgumentError(`expected 'front-side-back' or a number of turntable views 1..64, got '${value}'`);
  }
  return n;
}

function parseSize(value: string): readonly [number, number] {
  const m = /^(\d+)x(\d+)$/.exec(value);
  const [h, w] = m ? [Number(m[1]), Number(m[2])] : [0, 0];
  if (!(h >= 16 && w >= 16 && h <= 4096 && w <= 4096)) {
    throw new InvalidArgumentError(`expected HEIGHTxWIDTH between 16 and 4096, e.g. 256x192, got '${value}'`);
  }
  return [h, w];
}

/** Largest image sharp accepts as input (its default `limitInputPixels`, 0x3FFF squared): the grid must fit. */
export const MAX_GRID_PIXELS = 0x3fff * 0x3fff;
/** Largest side per output format (JPEG's 16-bit sizes, WebP's 14-bit ones). */
const MAX_SIDE: Record<string, number> = { png: 0x7fffffff, jpeg: 65535, webp: 16383 };
const VIEW_COLUMNS = 4;
/** Bytes per grid pixel while rendering and encoding (RGB out + the encoder's copy), and per view pixel (fragments, taps). */
const BYTES_PER_GRID_PIXEL = 8;
const BYTES_PER_VIEW_PIXEL = 64;

/** The output format `--out`'s extension asks for. @throws for an extension retex does not write */
export function viewFormat(out: string): 'png' | 'jpeg' | 'webp' {
  const ext = path.extname(out).toLowerCase();
  if (ext === '.png') return 'png';
  if (ext === '.jpg' || ext === '.jpeg') return 'jpeg';
  if (ext === '.webp') return 'webp';
  throw new Error(`--out must end in .png, .jpg, .jpeg or .webp (the extension picks the format), got '${out}'`);
}

/** Grid size of `views` views of [h, w] (as renderViews lays them out). */
export function gridSize(views: ViewSet, size: readonly [number, number]): [number, number] {
  const n = views === 'front-side-back' ? 3 : views;
  const columns = Math.min(n, VIEW_COLUMNS);
  return [Math.ceil(n / columns) * size[0], columns * size[1]];
}

/**
 * Checks that the grid fits the encoder and memory before any rendering.
 * @throws saying what fits: the most views at this size, or the largest square view size for these views
 */
export function checkViewBudget(views: ViewSet, size: readonly [number, number], format: 'png' | 'jpeg' | 'webp', memory = os.totalmem()): void {
  const [gh, gw] = gridSize(views, size);
  const n = views === 'front-side-back' ? 3 : views;
  const maxSide = MAX_SIDE[format];
  const budget = Math.min(MAX_GRID_PIXELS, Math.floor((memory / 2 - BYTES_PER_VIEW_PIXEL * size[0] * size[1]) / BYTES_PER_GRID_PIXEL));
  if (gh * gw <= budget && gh <= maxSide && gw <= maxSide) return;
  const fits = (k: number, s: readonly [number, number]): boolean => {
    const [h, w] = gridSize(k, s);
    const b = Math.min(MAX_GRID_PIXELS, Math.floor((memory / 2 - BYTES_PER_VIEW_PIXEL * s[0] * s[1]) / BYTES_PER_GRID_PIXEL));
    return h * w <= b && h <= maxSide && w <= maxSide;
  };
  let most = 0;
  for (let k = 1; k <= 64 && fits(k, size); k++) most = k;
  let side = 16;
  while (side * 2 <= 4096 && fits(n, [side * 2, side * 2])) side *= 2;
  while (side + 16 <= 4096 && fits(n, [side + 16, side + 16])) side += 16;
  const why = gh * gw > MAX_GRID_PIXELS ? `over the ${(MAX_GRID_PIXELS / 1e6).toFixed(0)} MP an image may have` : gh > maxSide || gw > maxSide ? `over ${format.toUpperCase()}'s ${maxSide}-pixel side limit` : `more than half this machine's ${(memory / 2 ** 30).toFixed(1)} GiB of memory would hold`;
  throw new Error(
    `${n} views of ${size[0]}x${size[1]} make a ${gh}x${gw} grid (${((gh * gw) / 1e6).toFixed(0)} MP), ${why}: ` +
      (most > 0 ? `at ${size[0]}x${size[1]} at most ${most} views fit; ` : `one view of ${size[0]}x${size[1]} does not fit; `) +
      `${n} views fit at up to ${side}x${side} each`,
  );
}

/** Renders a textured mesh from several views into one shaded grid (PNG, JPEG or WebP by `--out`'s extension). */
export async function runView(options: ViewOptions): Promise<{ out: string; height: number; width: number }> {
  const format = viewFormat(options.out);
  checkViewBudget(options.views, options.size, format);
  checkOutputs([{ file: options.out }], sourceFiles(options));
  const { mesh, texture } = await readTexturedSource(options);
  note(`rendering ${mesh.faces.length / 3} faces, ${options.views} views of ${options.size[0]}x${options.size[1]}`);
  const grid = renderViews(mesh, texture, { views: options.views, viewSize: options.size });
  const raw = sharp(Buffer.from(grid.pixels.buffer, grid.pixels.byteOffset, grid.pixels.byteLength), {
    raw: { width: grid.width, height: grid.height, channels: 3 },
    limitInputPixels: MAX_GRID_PIXELS,
  });
  const bytes = await (format === 'png' ? raw.png() : format === 'jpeg' ? raw.jpeg({ quality: 92 }) : raw.webp({ quality: 92 })).toBuffer();
  await writeFileAtomic(options.out, bytes);
  const result = { out: options.out, height: grid.height, width: grid.width };
  if (options.json) printJson(result);
  else printLine(`wrote ${options.out} (${grid.width}x${grid.height})`);
  return result;
}

export function viewCommand(): Command {
  return new Command('view')
    .description('render a textured mesh (OBJ + texture image) from several views into a PNG, JPEG or WebP grid')
    .option('--run <dir>', 'a folder retex run wrote (instead of --mesh and --texture)')
    .option('--mesh <file.obj>', 'mesh with texture coordinates (y up, front facing +z)')
    .option('--texture <image>', 'texture image (PNG, JPEG, WebP, TIFF or BMP; row 0 is v = 1)')
    .requiredOption('-o, --out <file.png|.jpg|.webp>', 'where to write the grid; the extension picks the format')
    .option('--views <n|front-side-back>', 'a turntable of n views, or front, side and back', parseViews, 'front-side-back' as ViewSet)
    .option('--size <HxW>', 'size of each view', parseSize, [256, 192] as const)
    .option('--json', 'machine-readable output')
    .action(async (options: ViewOptions) => {
      await runView(options);
    });
}
