import { mkdtempSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { zipSync } from 'fflate';
import type { BodyModelData } from '../../../../plugins/human-smpl/body/body-model-types';
import { encodeNpy, type NpyDtype } from '../../../../plugins/human-smpl/io/npy';

/** One array of a fixture export. */
export interface FixtureArray {
  shape: number[];
  values: ArrayLike<number>;
  dtype: NpyDtype;
}

/** The SMPL-named arrays of a body, in the dtypes the official export uses (uint32 kintree, float64 arrays). */
export function smplArraysOf(d: BodyModelData): Record<string, FixtureArray> {
  const nv = d.vTemplate.length / 3;
  const nj = d.parents.length;
  const kintree = [...Array.from(d.parents, (p) => (p < 0 ? 4294967295 : p)), ...Array.from({ length: nj }, (_, j) => j)];
  return {
    v_template: { shape: [nv, 3], values: d.vTemplate, dtype: '<f8' },
    shapedirs: { shape: [nv, 3, d.shapeCount], values: d.shapeDirs, dtype: '<f8' },
    posedirs: { shape: [nv, 3, 9 * (nj - 1)], values: d.poseDirs ?? new Float32Array(nv * 27 * (nj - 1)), dtype: '<f4' },
    J_regressor: { shape: [nj, nv], values: d.jointRegressor, dtype: '<f8' },
    weights: { shape: [nv, nj], values: d.weights, dtype: '<f4' },
    kintree_table: { shape: [2, nj], values: kintree, dtype: '<u4' },
    f: { shape: [d.faces.length / 3, 3], values: d.faces, dtype: '<i8' },
  };
}

/** A fresh temp directory for one spec. */
export function tempDir(prefix = 'retex-smpl-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Writes arrays as an .npz (deflated like np.savez_compressed when `compress`). */
export function writeNpz(file: string, arrays: Record<string, FixtureArray | Uint8Array>, compress = true): void {
  const entries: Record<string, Uint8Array> = {};
  for (const [k, a] of Object.entries(arrays)) entries[`${k}.npy`] = a instanceof Uint8Array ? a : encodeNpy(a.values, a.shape, a.dtype);
  writeFileSync(file, zipSync(entries, { level: compress ? 6 : 0 }));
}

/** Writes the UV layout OBJ of a body (vertices, `vt`, `f v/vt`). */
export function writeUvObj(file: string, d: BodyModelData, faces: Int32Array = d.faces): void {
  const lines: string[] = [];
  for (let v = 0; v < d.vTemplate.length; v += 3) lines.push(`v ${d.vTemplate[v]} ${d.vTemplate[v + 1]} ${d.vTemplate[v + 2]}`);
  for (let t = 0; t < d.uvs.length; t += 2) lines.push(`vt ${d.uvs[t]} ${d.uvs[t + 1]}`);
  for (let f = 0; f < faces.length; f += 3) {
    lines.push(`f ${[0, 1, 2].map((k) => `${faces[f + k] + 1}/${d.uvFaces[f + k] + 1}`).join(' ')}`);
  }
  writeFileSync(file, lines.join('\n') + '\n');
}

/** Nests a flat C-order array into JSON arrays of `shape`. */
export function nest(values: ArrayLike<number>, shape: number[]): unknown {
  if (shape.length <= 1) return Array.from(values);
  const step = shape.slice(1).reduce((a, b) => a * b, 1);
  return Array.from({ length: shape[0] }, (_, i) =>
    nest(Array.prototype.slice.call(values, i * step, (i + 1) * step) as number[], shape.slice(1)),
  );
}
