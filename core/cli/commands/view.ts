import { Command, InvalidArgumentError } from 'commander';
import { writeViews, type ViewSet } from '../../renderer/views';
import { note, printJson, printLine } from '../output';
import { readTexturedSource } from '../textured-mesh-input';

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
  const n = Number(value);
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

/** Renders a textured mesh from several views into one shaded PNG grid. */
export async function runView(options: ViewOptions): Promise<{ out: string; height: number; width: number }> {
  const { mesh, texture } = await readTexturedSource(options);
  note(`rendering ${mesh.faces.length / 3} faces, ${options.views} views of ${options.size[0]}x${options.size[1]}`);
  const grid = await writeViews(options.out, mesh, texture, { views: options.views, viewSize: options.size });
  const result = { out: options.out, height: grid.height, width: grid.width };
  if (options.json) printJson(result);
  else printLine(`wrote ${options.out} (${grid.width}x${grid.height})`);
  return result;
}

export function viewCommand(): Command {
  return new Command('view')
    .description('render a textured mesh (OBJ + texture image) from several views into a PNG grid')
    .option('--run <dir>', 'a folder retex run wrote (instead of --mesh and --texture)')
    .option('--mesh <file.obj>', 'mesh with texture coordinates (y up, front facing +z)')
    .option('--texture <image>', 'texture image (PNG, JPEG, WebP, TIFF or BMP; row 0 is v = 1)')
    .requiredOption('-o, --out <file.png>', 'where to write the grid')
    .option('--views <n|front-side-back>', 'a turntable of n views, or front, side and back', parseViews, 'front-side-back' as ViewSet)
    .option('--size <HxW>', 'size of each view', parseSize, [256, 192] as const)
    .option('--json', 'machine-readable output')
    .action(async (options: ViewOptions) => {
      await runView(options);
    });
}
