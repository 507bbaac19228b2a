import * as path from 'path';
import { Command } from 'commander';
import { writeGlb } from '../../export/gltf-writer';
import { plannedObjOutputs, writeTexturedObj } from '../../export/obj-writer';
import { checkOutputs } from '../../io/file-guard';
import { printJson, printLine } from '../output';
import { readTexturedSource, sourceFiles } from '../textured-mesh-input';

export interface ExportOptions {
  readonly mesh?: string;
  readonly texture?: string;
  readonly run?: string;
  readonly out: string;
  readonly json?: boolean;
}

/** Writes a textured mesh as one .glb (texture embedded) or as .obj + .mtl + .png, by the output's extension. */
export async function runExport(options: ExportOptions): Promise<{ files: string[] }> {
  const ext = path.extname(options.out).toLowerCase();
  if (ext !== '.glb' && ext !== '.obj') {
    throw new Error(`--out must end in .glb (one file, texture embedded) or .obj (with .mtl and .png), got '${options.out}'`);
  }
  // Before reading anything: never write over an input, a folder, or a sibling retex did not write.
  checkOutputs(ext === '.glb' ? [{ file: options.out }] : plannedObjOutputs(options.out), sourceFiles(options));
  const { mesh, texture } = await readTexturedSource(options);
  let files: string[];
  if (ext === '.glb') {
    await writeGlb(options.out, mesh, texture, { name: path.basename(options.out, ext) });
    files = [options.out];
  } else {
    const written = await writeTexturedObj(options.out, mesh, texture);
    files = [written.obj, written.mtl, written.texture];
  }
  if (options.json) printJson({ files });
  else printLine(`wrote ${files.join(', ')}`);
  return { files };
}

export function exportCommand(): Command {
  return new Command('export')
    .description('write a textured mesh (OBJ + texture image) as a .glb or as .obj + .mtl + .png')
    .option('--run <dir>', 'a folder retex run wrote (instead of --mesh and --texture)')
    .option('--mesh <file.obj>', 'mesh with texture coordinates')
    .option('--texture <image>', 'texture image (PNG, JPEG, WebP, TIFF or BMP)')
    .requiredOption('-o, --out <file.glb|file.obj>', 'output; the extension picks the format')
    .option('--json', 'machine-readable output')
    .action(async (options: ExportOptions) => {
      await runExport(options);
    });
}
