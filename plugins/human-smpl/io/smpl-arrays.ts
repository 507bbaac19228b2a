import type { BodyModelData } from '../body/body-model-types';
import { SMPL_JOINT_COUNT, SMPL_JOINT_NAMES } from '../body/smpl-skeleton';
import { BodyModelError } from '../body/validate-body-data';
import { deriveRegionsFromSkinning } from './derive-regions';
import type { UvLayout } from './obj-uv-layout';

/** A named array as read from a file: C-order shape and values. */
export interface NamedArray {
  readonly shape: readonly number[];
  readonly values: ArrayLike<number>;
}

/** The keys an SMPL export must hold (as in the official pickle). */
export const SMPL_KEYS = ['v_template', 'shapedirs', 'posedirs', 'J_regressor', 'weights', 'kintree_table', 'f'] as const;

function shapeText(shape: readonly (number | string)[]): string {
  return `[${shape.join(',')}]`;
}

/**
 * Turns SMPL's named arrays into body-model data, checking every key's shape against the others.
 * Joint names are SMPL's when there are 24 joints, `joint<i>` otherwise.
 * @param uv the UV layout (from the SMPL UV OBJ); its triangles must be the model's `f`, in the same order
 * @throws BodyModelError naming the missing or mis-shaped key and the expected shape
 */
export function bodyDataFromSmplArrays(
  arrays: ReadonlyMap<string, NamedArray>,
  uv: UvLayout,
  source: string,
): BodyModelData {
  const missing = SMPL_KEYS.filter((k) => !arrays.has(k));
  if (missing.length > 0) {
    throw new BodyModelError(
      `${source}: missing key(s) ${missing.map((k) => `'${k}'`).join(', ')}; an SMPL export needs ${SMPL_KEYS.join(', ')} ` +
        `(found: ${[...arrays.keys()].join(', ') || 'nothing'})`,
    );
  }
  const get = (key: string) => arrays.get(key) as NamedArray;
  const expectShape = (key: string, expected: (number | string)[]) => {
    const a = get(key);
    const ok = a.shape.length === expected.length && expected.every((d, i) => typeof d === 'string' || d === a.shape[i]);
    if (!ok) throw new BodyModelError(`${source}: '${key}' has shape ${shapeText(a.shape)}, expected ${shapeText(expected)}`);
    if (a.values.length !== a.shape.reduce((x, y) => x * y, 1)) {
      throw new BodyModelError(`${source}: '${key}' holds ${a.values.length} values, not the ${shapeText(a.shape)} it declares`);
    }
  };
  expectShape('v_template', ['V', 3]);
  const nv = get('v_template').shape[0];
  expectShape('kintree_table', [2, 'J']);
  const nj = get('kintree_table').shape[1];
  expectShape('f', ['F', 3]);
  expectShape('J_regressor', [nj, nv]);
  expectShape('weights', [nv, nj]);
  expectShape('shapedirs', [nv, 3, 'S']);
  expectShape('posedirs', [nv, 3, 9 * (nj - 1)]);
  const ns = get('shapedirs').shape[2];

  const kt = get('kintree_table').values;
  // The official table stores the root's parent as 2^32 - 1 (uint32 -1): anything not a joint index is -1.
  const parents = Int32Array.from({ length: nj }, (_, j) => (j === 0 ? -1 : kt[j]));
  // kintree_table's second row lists the joint ids; SMPL's are 0..J-1 in order.
  for (let j = 0; j < nj; j++) {
    if (kt[nj + j] !== j) {
      throw new BodyModelError(`${source}: 'kintree_table' row 1 must list joints 0..${nj - 1} in order, found ${kt[nj + j]} at column ${j}`);
    }
  }
  const faces = Int32Array.from(get('f').values);
  if (uv.faces.length !== faces.length) {
    throw new BodyModelError(
      `${source}: the UV layout has ${uv.faces.length / 3} triangles but 'f' has ${faces.length / 3}; use the UV OBJ made for this body model`,
    );
  }
  for (let i = 0; i < faces.length; i++) {
    if (uv.faces[i] !== faces[i]) {
      throw new BodyModelError(
        `${source}: UV layout triangle ${Math.floor(i / 3)} uses vertex ${uv.faces[i]} where 'f' has ${faces[i]}; ` +
          'the OBJ must list the same triangles in the same order as the model',
      );
    }
  }
  const vTemplate = Float32Array.from(get('v_template').values);
  const weights = Float32Array.from(get('weights').values);
  const jointRegressor = Float32Array.from(get('J_regressor').values);
  const joints = new Float32Array(nj * 3);
  for (let j = 0; j < nj; j++) {
    for (let v = 0; v < nv; v++) {
      const w = jointRegressor[j * nv + v];
      if (w !== 0) for (let c = 0; c < 3; c++) joints[3 * j + c] += w * vTemplate[3 * v + c];
    }
  }
  const jointNames = nj === SMPL_JOINT_COUNT ? [...SMPL_JOINT_NAMES] : Array.from({ length: nj }, (_, j) => `joint${j}`);
  return {
    vTemplate,
    faces,
    uvs: uv.uvs,
    uvFaces: uv.uvFaces,
    jointRegressor,
    weights,
    shapeDirs: Float32Array.from(get('shapedirs').values),
    shapeCount: ns,
    poseDirs: Float32Array.from(get('posedirs').values),
    parents,
    jointNames,
    regions: nj === SMPL_JOINT_COUNT ? deriveRegionsFromSkinning(vTemplate, weights, faces, joints, jointNames) : {},
    source,
  };
}
