import * as path from 'path';
import type { Mesh } from '../interfaces/mesh';
import * as fs from 'fs';
import { writeFilesAtomic } from '../io/atomic-write';
import type { PlannedOutput } from '../io/file-guard';
import { encodePng, type PixelBuffer } from '../io/image-io';
import { validateMesh } from '../renderer/mesh-validation';

/** 9 significant digits: enough for every float32 to parse back to the same value. */
const num = (x: number): string => String(+x.toPrecision(9));

/**
 * Wavefront OBJ text for a mesh: `v` positions, `vt` UVs (v upwards, as in OBJ), and `f v/vt` faces
 * (1-based), with the material library and material named when given.
 */
export function formatObj(mesh: Mesh, options: { mtllib?: string; material?: string; name?: string } = {}): string {
  validateMesh(mesh);
  const { vertices, faces, uvs, uvFaces } = mesh;
  const lines: string[] = ['# written by retex'];
  if (options.mtllib !== undefined) lines.push(`mtllib ${options.mtllib}`);
  lines.push(`o ${options.name ?? 'mesh'}`);
  for (let i = 0; i < vertices.length; i += 3) lines.push(`v ${num(vertices[i])} ${num(vertices[i + 1])} ${num(vertices[i + 2])}`);
  for (let i = 0; i < uvs.length; i += 2) lines.push(`vt ${num(uvs[i])} ${num(uvs[i + 1])}`);
  if (options.material !== undefined) lines.push(`usemtl ${options.material}`);
  for (let i = 0; i < faces.length; i += 3) {
    lines.push(`f ${faces[i] + 1}/${uvFaces[i] + 1} ${faces[i + 1] + 1}/${uvFaces[i + 1] + 1} ${faces[i + 2] + 1}/${uvFaces[i + 2] + 1}`);
  }
  return lines.join('\n') + '\n';
}

/** A material library with one diffuse-textured, unlit-looking material. */
export function formatMtl(material: string, textureFile: string): string {
  return [
    '# written by retex',
    `newmtl ${material}`,
    'Ka 1 1 1',
    'Kd 1 1 1',
    'Ks 0 0 0',
    'd 1',
    'illum 1',
    `map_Kd ${textureFile}`,
    '',
  ].join('\n');
}

/** Paths written by {@link writeTexturedObj}. */
export interface ObjFiles {
  readonly obj: string;
  readonly mtl: string;
  readonly texture: string;
}

/** The .obj, .mtl and .png that {@link writeTexturedObj} writes for `objPath`. */
export function objFilesFor(objPath: string): ObjFiles {
  const dir = path.dirname(objPath);
  const stem = path.basename(objPath, path.extname(objPath));
  return { obj: objPath, mtl: path.join(dir, `${stem}.mtl`), texture: path.join(dir, `${stem}.png`) };
}

const MTL_HEADER = '# written by retex';

/** Whether `mtl` is a material library retex wrote (optionally one that names `textureFile`). */
function isRetexMtl(mtl: string, textureFile?: string): boolean {
  try {
    const fd = fs.openSync(mtl, 'r');
    try {
      const head = Buffer.alloc(512);
      const n = fs.readSync(fd, head, 0, head.length, 0);
      const text = head.subarray(0, n).toString('utf8');
      return text.startsWith(MTL_HEADER) && (textureFile === undefined || text.includes(`map_Kd ${textureFile}\n`));
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false;
  }
}

/**
 * The outputs of {@link writeTexturedObj} as `checkOutputs` takes them: the .obj the user named may be
 * replaced; the derived .mtl only when retex wrote it, and the .png only when such an .mtl names it.
 */
export function plannedObjOutputs(objPath: string): PlannedOutput[] {
  const files = objFilesFor(objPath);
  const png = path.basename(files.texture);
  return [
    { file: files.obj },
    { file: files.mtl, mayReplace: (f) => isRetexMtl(f), ownerHint: '(an .mtl that retex writes starts with "# written by retex")' },
    { file: files.texture, mayReplace: () => isRetexMtl(files.mtl, png), ownerHint: `(no retex-written ${path.basename(files.mtl)} names it)` },
  ];
}

/**
 * Writes `<name>.obj`, `<name>.mtl` and `<name>.png` side by side, all three in one step (temp files
 * renamed into place only when all are written), the OBJ referring to the MTL and the MTL to the PNG by
 * relative file name so the three can be moved together.
 * @param objPath path of the .obj file
 * @param texture 8-bit RGB(A) texture image, row 0 at v = 1
 */
export async function writeTexturedObj(objPath: string, mesh: Mesh, texture: PixelBuffer): Promise<ObjFiles> {
  const files = objFilesFor(objPath);
  const stem = path.basename(objPath, path.extname(objPath));
  const material = 'texture';
  const obj = formatObj(mesh, { mtllib: path.basename(files.mtl), material, name: stem });
  const png = await encodePng(texture.pixels, texture.height, texture.width, texture.channels);
  await writeFilesAtomic([
    { target: files.texture, data: png },
    { target: files.mtl, data: formatMtl(material, path.basename(files.texture)) },
    { target: files.obj, data: obj },
  ]);
  return files;
}
