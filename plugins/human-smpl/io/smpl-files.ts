import { readFile } from 'fs/promises';
import * as path from 'path';
import { unzipSync } from 'fflate';
import type { BodyModelData } from '../body/body-model-types';
import { BodyModelError } from '../body/validate-body-data';
import { parseNpy } from './npy';
import { parseObjUvLayout, type UvLayout } from './obj-uv-layout';
import { bodyDataFromSmplArrays, type NamedArray } from './smpl-arrays';

/** Reads the arrays of an .npz archive (plain or compressed), keyed without the `.npy` suffix. */
export function readNpz(bytes: Uint8Array, source: string): Map<string, NamedArray> {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes);
  } catch (err) {
    throw new BodyModelError(`${source}: not a readable .npz (zip) archive: ${(err as Error).message}`);
  }
  const out = new Map<string, NamedArray>();
  for (const [name, data] of Object.entries(entries)) {
    if (!name.endsWith('.npy')) continue;
    const key = name.slice(0, -4);
    try {
      out.set(key, parseNpy(data, key));
    } catch (err) {
      throw new BodyModelError(`${source}: ${(err as Error).message}`);
    }
  }
  return out;
}

function shapeOf(value: unknown, key: string, source: string): number[] {
  const shape: number[] = [];
  let v = value;
  while (Array.isArray(v)) {
    shape.push(v.length);
    v = v[0];
  }
  if (typeof v !== 'number' && shape.every((d) => d > 0)) {
    throw new BodyModelError(`${source}: '${key}' must be a (nested) array of numbers`);
  }
  return shape;
}

/**
 * Reads the JSON equivalent of an SMPL export: an object with the same keys, each a nested array
 * (`[[x,y,z], ...]`) or `{ "shape": [...], "data": [flat C-order numbers] }`.
 */
export function readSmplJson(text: string, source: string): Map<string, NamedArray> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new BodyModelError(`${source}: not valid JSON: ${(err as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new BodyModelError(`${source}: expected a JSON object keyed by SMPL array names`);
  }
  const out = new Map<string, NamedArray>();
  for (const [key, value] of Object.entries(doc as Record<string, unknown>)) {
    if (value && typeof value === 'object' && !Array.isArray(value) && 'shape' in value && 'data' in value) {
      const { shape, data } = value as { shape: unknown; data: unknown };
      if (!Array.isArray(shape) || !Array.isArray(data)) {
        throw new BodyModelError(`${source}: '${key}' needs "shape" and "data" arrays`);
      }
      out.set(key, { shape: shape as number[], values: data as number[] });
    } else if (Array.isArray(value)) {
      const shape = shapeOf(value, key, source);
      const flat = (value as unknown[]).flat(Infinity) as unknown[];
      if (flat.some((x) => typeof x !== 'number')) throw new BodyModelError(`${source}: '${key}' holds a non-number`);
      if (flat.length !== shape.reduce((a, b) => a * b, 1)) {
        throw new BodyModelError(`${source}: '${key}' is ragged (rows of different lengths); expected a rectangular ${`[${shape.join(',')}]`}`);
      }
      out.set(key, { shape, values: flat as number[] });
    }
  }
  return out;
}

/** Reads a UV layout OBJ file. */
export async function readUvLayout(file: string): Promise<UvLayout> {
  const text = await readFile(file, 'utf8').catch((err: Error) => {
    throw new BodyModelError(`cannot read the UV layout '${file}': ${err.message}`);
  });
  return parseObjUvLayout(text, file);
}

/**
 * Loads a licensed SMPL model exported to `.npz` or `.json` (keys v_template, shapedirs, posedirs,
 * J_regressor, weights, kintree_table, f), with its UV layout from an OBJ (`vt` + `f v/vt`).
 * @throws BodyModelError naming the file, the key and the expected shape
 */
export async function loadSmplFiles(modelFile: string, uvLayoutFile: string): Promise<BodyModelData> {
  const ext = path.extname(modelFile).toLowerCase();
  if (ext !== '.npz' && ext !== '.json') {
    throw new BodyModelError(
      `body model '${modelFile}': expected a .npz or .json export of SMPL (convert the official .pkl with numpy: ` +
        'np.savez(out, v_template=..., shapedirs=..., posedirs=..., J_regressor=J_regressor.toarray(), weights=..., kintree_table=..., f=...))',
    );
  }
  const bytes = await readFile(modelFile).catch((err: Error) => {
    throw new BodyModelError(`cannot read the body model '${modelFile}': ${err.message}`);
  });
  const arrays = ext === '.npz' ? readNpz(bytes, modelFile) : readSmplJson(bytes.toString('utf8'), modelFile);
  const uv = await readUvLayout(uvLayoutFile);
  return bodyDataFromSmplArrays(arrays, uv, modelFile);
}
