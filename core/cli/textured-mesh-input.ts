import * as fs from 'fs';
import * as path from 'path';
import { parseGlb } from '../export/glb-reader';
import { parseObj } from '../export/obj-reader';
import type { Mesh } from '../interfaces/mesh';
import { readPixels } from '../io/image-decode';
import type { PixelBuffer } from '../io/image-io';

/** Where `view` and `export` read a textured mesh: an OBJ and its texture image, or a `retex run` folder. */
export interface TexturedMeshSource {
  readonly mesh?: string;
  readonly texture?: string;
  /** A folder `retex run` wrote (its model.glb). */
  readonly run?: string;
}

/** A mesh read from an OBJ (with `vt` UVs) and its texture image, as `view` and `export` take them. */
export async function readTexturedMesh(meshPath: string, texturePath: string): Promise<{ mesh: Mesh; texture: PixelBuffer }> {
  if (!fs.existsSync(meshPath)) throw new Error(`mesh file ${meshPath} does not exist`);
  if (!meshPath.toLowerCase().endsWith('.obj')) {
    throw new Error(`mesh file ${meshPath}: only Wavefront OBJ with texture coordinates (vt, f v/vt) is read`);
  }
  const mesh = parseObj(await fs.promises.readFile(meshPath, 'utf8'), meshPath);
  return { mesh, texture: await readPixels(texturePath) };
}

/** The textured mesh of a run folder (its model.glb). */
export async function readRunFolder(dir: string): Promise<{ mesh: Mesh; texture: PixelBuffer }> {
  const glb = path.join(dir, 'model.glb');
  if (!fs.existsSync(path.join(dir, 'run.json')) || !fs.existsSync(glb)) {
    throw new Error(`${dir} is not a finished retex run folder (it needs run.json and model.glb): make one with retex run`);
  }
  return parseGlb(await fs.promises.readFile(glb), glb);
}

/** Reads `--run DIR`, or `--mesh X.obj --texture T.png`; exactly one of the two. */
export async function readTexturedSource(s: TexturedMeshSource): Promise<{ mesh: Mesh; texture: PixelBuffer }> {
  if (s.run != null) {
    if (s.mesh != null || s.texture != null) throw new Error('give either --run DIR or --mesh and --texture, not both');
    return readRunFolder(s.run);
  }
  if (s.mesh == null || s.texture == null) throw new Error('give --run DIR (a folder retex run wrote), or both --mesh FILE.obj and --texture IMAGE');
  return readTexturedMesh(s.mesh, s.texture);
}
