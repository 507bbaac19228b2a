import * as fs from 'fs';
import { parseObj } from '../export/obj-reader';
import type { Mesh } from '../interfaces/mesh';
import { readPixels } from '../io/image-decode';
import type { PixelBuffer } from '../io/image-io';

/** A mesh read from an OBJ (with `vt` UVs) and its texture image, as `view` and `export` take them. */
export async function readTexturedMesh(meshPath: string, texturePath: string): Promise<{ mesh: Mesh; texture: PixelBuffer }> {
  if (!fs.existsSync(meshPath)) throw new Error(`mesh file ${meshPath} does not exist`);
  if (!meshPath.toLowerCase().endsWith('.obj')) {
    throw new Error(`mesh file ${meshPath}: only Wavefront OBJ with texture coordinates (vt, f v/vt) is read`);
  }
  const mesh = parseObj(await fs.promises.readFile(meshPath, 'utf8'), meshPath);
  return { mesh, texture: await readPixels(texturePath) };
}
