import type { BodyModelData } from './body-model-types';
import { checkParents } from './smpl-skeleton';

/** A body model whose arrays do not fit together; the message names the SMPL key and the expected shape. */
export class BodyModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BodyModelError';
  }
}

function expectLength(source: string, key: string, actual: number, expected: number, shape: string): void {
  if (actual !== expected) {
    throw new BodyModelError(
      `${source}: '${key}' has ${actual} numbers but the expected shape ${shape} needs ${expected}`,
    );
  }
}

/**
 * Checks that the arrays of a body model agree with each other (sizes, index ranges, finite values,
 * skinning weights summing to 1).
 * @throws BodyModelError naming the key (SMPL's names) and the expected shape
 */
export function validateBodyModelData(data: BodyModelData): void {
  const src = data.source;
  if (data.vTemplate.length === 0 || data.vTemplate.length % 3 !== 0) {
    throw new BodyModelError(`${src}: 'v_template' must have shape [V,3] with V > 0, got ${data.vTemplate.length} numbers`);
  }
  const nv = data.vTemplate.length / 3;
  const nj = data.parents.length;
  try {
    checkParents(data.parents, `${src}: 'kintree_table'`);
  } catch (err) {
    throw new BodyModelError((err as Error).message);
  }
  if (data.jointNames.length !== nj) {
    throw new BodyModelError(`${src}: ${data.jointNames.length} joint names for ${nj} joints`);
  }
  if (data.faces.length === 0 || data.faces.length % 3 !== 0) {
    throw new BodyModelError(`${src}: 'f' must have shape [F,3] with F > 0, got ${data.faces.length} numbers`);
  }
  const nf = data.faces.length / 3;
  for (let i = 0; i < data.faces.length; i++) {
    if (data.faces[i] < 0 || data.faces[i] >= nv) {
      throw new BodyModelError(`${src}: 'f' face ${Math.floor(i / 3)} uses vertex ${data.faces[i]}, outside 0..${nv - 1}`);
    }
  }
  expectLength(src, 'uv faces', data.uvFaces.length, nf * 3, `[F,3] = [${nf},3]`);
  const nt = data.uvs.length / 2;
  for (let i = 0; i < data.uvFaces.length; i++) {
    if (data.uvFaces[i] < 0 || data.uvFaces[i] >= nt) {
      throw new BodyModelError(`${src}: UV face ${Math.floor(i / 3)} uses UV ${data.uvFaces[i]}, outside 0..${nt - 1}`);
    }
  }
  expectLength(src, 'J_regressor', data.jointRegressor.length, nj * nv, `[J,V] = [${nj},${nv}]`);
  expectLength(src, 'weights', data.weights.length, nv * nj, `[V,J] = [${nv},${nj}]`);
  expectLength(src, 'shapedirs', data.shapeDirs.length, nv * 3 * data.shapeCount, `[V,3,S] = [${nv},3,${data.shapeCount}]`);
  if (data.poseDirs) {
    const np = 9 * (nj - 1);
    expectLength(src, 'posedirs', data.poseDirs.length, nv * 3 * np, `[V,3,9(J-1)] = [${nv},3,${np}]`);
  }
  const arrays: Array<[string, Float32Array | null]> = [
    ['v_template', data.vTemplate],
    ['J_regressor', data.jointRegressor],
    ['weights', data.weights],
    ['shapedirs', data.shapeDirs],
    ['posedirs', data.poseDirs],
    ['uvs', data.uvs],
  ];
  for (const [key, arr] of arrays) {
    if (!arr) continue;
    for (let i = 0; i < arr.length; i++) {
      if (!Number.isFinite(arr[i])) throw new BodyModelError(`${src}: '${key}' holds a non-finite value at flat index ${i}`);
    }
  }
  for (let v = 0; v < nv; v++) {
    let sum = 0;
    for (let j = 0; j < nj; j++) sum += data.weights[v * nj + j];
    if (Math.abs(sum - 1) > 1e-3) {
      throw new BodyModelError(`${src}: 'weights' row of vertex ${v} sums to ${sum}; skinning weights must sum to 1 per vertex`);
    }
  }
  for (const [name, flags] of Object.entries(data.regions)) {
    expectLength(src, `region '${name}'`, flags.length, nf, `[F] = [${nf}]`);
  }
}
