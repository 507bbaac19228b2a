import * as fs from 'fs';
import * as path from 'path';
import { parseGlb } from '../export/glb-reader';
import { readObjFile } from '../export/obj-reader';
import type { Mesh } from '../interfaces/mesh';
import { describeFsError, FileError, resolveInside } from '../io/file-guard';
import { readPixels } from '../io/image-decode';
import { RUN_FILES } from '../run/run-outputs';
import type { PixelBuffer } from '../io/image-io';

/** Where `view` and `export` read a textured mesh: an OBJ and its texture image, or a `retex run` folder. */
export interface TexturedMeshSource {
  readonly mesh?: string;
  readonly texture?: string;
  /** A folder `retex run` wrote (its model.glb). */
  readonly run?: string;
}

/** Largest model.glb read from a run folder. */
const MAX_GLB_BYTES = 1024 * 1024 * 1024;

/** A mesh read from an OBJ (with `vt` UVs) and its texture image, as `view` and `export` take them. */
export async function readTexturedMesh(meshPath: string, texturePath: string): Promise<{ mesh: Mesh; texture: PixelBuffer }> {
  if (!fs.existsSync(meshPath)) throw new FileError('not-found', `mesh file ${meshPath} does not exist: check the path`, meshPath);
  if (!meshPath.toLowerCase().endsWith('.obj')) {
    throw new FileError('other', `mesh file ${meshPath}: only Wavefront OBJ with texture coordinates (vt, f v/vt) is read`, meshPath);
  }
  const mesh = await readObjFile(meshPath);
  return { mesh, texture: await readPixels(texturePath) };
}

/** The textured mesh of a run folder (its model.glb, which must lie inside the folder, symlinks included). */
export async function readRunFolder(dir: string): Promise<{ mesh: Mesh; texture: PixelBuffer }> {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch (err) {
    throw describeFsError(err, dir, 'open the run folder');
  }
  if (!stat.isDirectory()) throw new FileError('not-directory', `--run ${dir} is a file, not a folder retex run wrote`, dir);
  if (!fs.existsSync(path.join(dir, RUN_FILES.record)) || !fs.existsSync(path.join(dir, RUN_FILES.model))) {
    throw new FileError('not-found', `${dir} is not a finished retex run folder (it needs run.json and model.glb): make one with retex run`, dir);
  }
  const glb = resolveInside(dir, RUN_FILES.model, 'the run folder model');
  const glbStat = fs.statSync(glb);
  if (!glbStat.isFile() || glbStat.size > MAX_GLB_BYTES) {
    throw new FileError('too-large', `${glb} is not a regular file under ${MAX_GLB_BYTES / 2 ** 20} MiB: it is not what retex run writes`, glb);
  }
  let bytes: Buffer;
  try {
    bytes = await fs.promises.readFile(glb);
  } catch (err) {
    throw describeFsError(err, glb, 'read');
  }
  return parseGlb(bytes, path.join(dir, RUN_FILES.model));
}

/** The files a textured source reads, for checking that outputs never overwrite them. */
export function sourceFiles(s: TexturedMeshSource): string[] {
  if (s.run != null) return [RUN_FILES.model, RUN_FILES.record, RUN_FILES.texture].map((f) => path.join(s.run as string, f));
  return [s.mesh, s.texture].filter((f): f is string => f != null);
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
