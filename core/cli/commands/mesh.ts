import { Command } from 'commander';
import * as fs from 'fs';
import * as path from 'path';
import { encodeGlb } from '../../export/gltf-writer';
import { formatObj } from '../../export/obj-writer';
import { writeFileAtomic } from '../../io/atomic-write';
import type { Mesh } from '../../interfaces/mesh';
import type { PixelBuffer } from '../../io/image-io';
import { cameraRecord } from '../../prepare/prepare-processor';
import { disposeFitted, fitPhoto } from '../../run/photo-runner';
import { cameraAlignedMesh } from '../../run/run-outputs';
import { initBackend } from '../../backend/backend';
import { parseBox } from '../arg-parsers';
import { printJson, printLine } from '../output';
import { loadRunParts, runConfig } from '../run-parts';
import type { CliServices } from '../services';

export interface MeshCommandOptions {
  readonly category: string;
  readonly image?: string;
  readonly out: string;
  readonly box?: [number, number, number, number];
  readonly heading?: string;
  readonly config?: string;
  readonly backend?: string;
  readonly json?: boolean;
}

/** A plain grey texture for a mesh written without one (glTF needs an image). */
function greyTexture(): PixelBuffer {
  return { pixels: new Uint8Array(4 * 4 * 3).fill(200), height: 4, width: 4, channels: 3 };
}

async function writeMesh(out: string, mesh: Mesh): Promise<void> {
  const ext = path.extname(out).toLowerCase();
  if (ext === '.obj') await writeFileAtomic(out, formatObj(mesh, { name: path.basename(out, ext) }));
  else await writeFileAtomic(out, await encodeGlb(mesh, greyTexture(), { name: path.basename(out, ext) }));
}

/**
 * `retex mesh`: the category's template mesh, or the mesh fitted to a photo (posed as the photo shows
 * it, with the fit's camera in a JSON file beside it).
 */
export async function runMesh(services: CliServices, o: MeshCommandOptions): Promise<Record<string, unknown>> {
  const out = path.resolve(o.out);
  const ext = path.extname(out).toLowerCase();
  if (ext !== '.obj' && ext !== '.glb') throw new Error(`--out must end in .obj or .glb, got '${o.out}'`);
  if (fs.existsSync(out) && fs.statSync(out).isDirectory()) throw new Error(`--out ${o.out} is a folder: give a file name ending in .obj or .glb`);
  if (o.image == null) {
    const config = await runConfig(services, o);
    await initBackend(config.backend);
    const mesh = await services.templateMesh(config);
    await writeMesh(out, mesh);
    const result = { out, category: config.category, vertices: mesh.vertices.length / 3, faces: mesh.faces.length / 3 };
    if (o.json) printJson(result);
    else printLine(`wrote the ${config.category} template mesh (${result.vertices} vertices, ${result.faces} faces) to ${out}`);
    return result;
  }
  if (path.resolve(o.image) === out) throw new Error('--out is the photo itself: give a new .obj or .glb file');
  const parts = await loadRunParts(services, { ...o, cossim: false });
  try {
    const name = path.basename(o.image);
    const fitted = await fitPhoto(parts, o.image, { box: o.box, hints: o.heading != null ? { heading: o.heading } : undefined });
    try {
      const { aligned, located } = fitted;
      const cameraFile = out.slice(0, -ext.length) + '.camera.json';
      const record = {
        photo: path.resolve(o.image),
        crop: { ...located.window, size: parts.imageSize },
        subject: { box: located.box, score: located.score },
        camera: cameraRecord(aligned.camera),
        parameters: aligned.parameters ?? null,
        note: `the mesh file holds the fitted mesh turned to face the viewer (y up); the camera maps the fitted mesh's model space to the ${parts.imageSize.join('x')} crop`,
      };
      await writeMesh(out, cameraAlignedMesh(aligned.mesh, aligned.camera));
      await writeFileAtomic(cameraFile, `${JSON.stringify(record, null, 1)}\n`);
      const result = { out, camera: cameraFile, vertices: aligned.mesh.vertices.length / 3, faces: aligned.mesh.faces.length / 3 };
      if (o.json) printJson(result);
      else printLine(`wrote the mesh fitted to ${name} to ${out}, its camera to ${cameraFile}`);
      return result;
    } finally {
      disposeFitted(fitted);
    }
  } finally {
    parts.dispose();
  }
}

export function meshCommand(services: CliServices): Command {
  return new Command('mesh')
    .description("write the category's template mesh, or the mesh fitted to a photo (with its camera), as .obj or .glb")
    .requiredOption('-c, --category <name>', 'category (human, bird)')
    .option('-i, --image <photo>', 'fit the mesh to this photo')
    .requiredOption('-o, --out <file>', 'output .obj or .glb')
    .option('--box <x,y,w,h>', "the subject's box in photo pixels (skips the detector)", parseBox)
    .option('--heading <way>', 'which way the subject faces (birds: left or right; people: front or back)')
    .option('--config <file>', 'config file')
    .option('--backend <name>', 'auto, tensorflow, wasm or cpu')
    .option('--json', 'machine-readable output')
    .action(async (options: MeshCommandOptions) => {
      await runMesh(services, options);
    });
}
