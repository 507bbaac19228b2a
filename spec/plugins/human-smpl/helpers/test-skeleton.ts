import type { BodyModelData } from '../../../../plugins/human-smpl/body/body-model-types';
import { SMPL_JOINT_NAMES, SMPL_PARENTS } from '../../../../plugins/human-smpl/body/smpl-skeleton';

/** Rest joint offsets from the parent (metres) of a tiny SMPL-shaped skeleton, y up. */
const OFFSETS: ReadonlyArray<readonly [number, number, number]> = [
  [0, 0, 0], // pelvis
  [0.1, -0.05, 0], // left_hip
  [-0.1, -0.05, 0], // right_hip
  [0, 0.1, 0], // spine1
  [0, -0.4, 0], // left_knee
  [0, -0.4, 0], // right_knee
  [0, 0.12, 0], // spine2
  [0, -0.4, 0], // left_ankle
  [0, -0.4, 0], // right_ankle
  [0, 0.12, 0], // spine3
  [0, -0.05, 0.1], // left_foot
  [0, -0.05, 0.1], // right_foot
  [0, 0.2, 0], // neck
  [0.07, 0.15, 0], // left_collar
  [-0.07, 0.15, 0], // right_collar
  [0, 0.1, 0], // head
  [0.1, 0.02, 0], // left_shoulder
  [-0.1, 0.02, 0], // right_shoulder
  [0.28, 0, 0], // left_elbow
  [-0.28, 0, 0], // right_elbow
  [0.25, 0, 0], // left_wrist
  [-0.25, 0, 0], // right_wrist
  [0.08, 0, 0], // left_hand
  [-0.08, 0, 0], // right_hand
];

/** Rest joint positions [24*3] of the test skeleton. */
export function testJointPositions(): Float32Array {
  const out = new Float32Array(72);
  for (let j = 0; j < 24; j++) {
    const p = SMPL_PARENTS[j];
    for (let c = 0; c < 3; c++) out[3 * j + c] = (p >= 0 ? out[3 * p + c] : 0) + OFFSETS[j][c];
  }
  return out;
}

/**
 * A tiny body on SMPL's 24-joint tree: vertex 2j sits on joint j, vertex 2j+1 at joint j + (0, 0, 0.05);
 * both are skinned rigidly to joint j (or, with `blend`, 70% to j and 30% to its parent). The joint
 * regressor picks vertex 2j, so the regressed rest joints are `testJointPositions()`.
 * @param options.shapeCount number of shape directions (pseudo-random, deterministic)
 * @param options.poseDirs whether to add pseudo-random pose blend shapes
 */
export function testBodyData(options: { shapeCount?: number; poseDirs?: boolean; blend?: boolean } = {}): BodyModelData {
  const nj = 24;
  const nv = 2 * nj;
  const ns = options.shapeCount ?? 2;
  const joints = testJointPositions();
  const vTemplate = new Float32Array(nv * 3);
  const weights = new Float32Array(nv * nj);
  const jointRegressor = new Float32Array(nj * nv);
  for (let j = 0; j < nj; j++) {
    for (let c = 0; c < 3; c++) {
      vTemplate[6 * j + c] = joints[3 * j + c];
      vTemplate[6 * j + 3 + c] = joints[3 * j + c] + (c === 2 ? 0.05 : 0);
    }
    jointRegressor[j * nv + 2 * j] = 1;
    const p = SMPL_PARENTS[j];
    for (const v of [2 * j, 2 * j + 1]) {
      if (options.blend && p >= 0) {
        weights[v * nj + j] = 0.7;
        weights[v * nj + p] = 0.3;
      } else {
        weights[v * nj + j] = 1;
      }
    }
  }
  let seed = 12345;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648 - 0.5;
  };
  const shapeDirs = new Float32Array(nv * 3 * ns).map(() => 0.05 * rand());
  const poseDirs = options.poseDirs ? new Float32Array(nv * 3 * 9 * (nj - 1)).map(() => 0.01 * rand()) : null;
  const nf = nj - 1;
  const faces = new Int32Array(nf * 3);
  for (let f = 0; f < nf; f++) faces.set([2 * f, 2 * f + 1, 2 * f + 2], 3 * f);
  return {
    vTemplate,
    faces,
    uvs: new Float32Array([0, 0, 1, 0, 0, 1]),
    uvFaces: new Int32Array(nf * 3).map((_, i) => i % 3),
    jointRegressor,
    weights,
    shapeDirs,
    shapeCount: ns,
    poseDirs,
    parents: Int32Array.from(SMPL_PARENTS),
    jointNames: [...SMPL_JOINT_NAMES],
    regions: {},
    source: 'test skeleton',
  };
}
