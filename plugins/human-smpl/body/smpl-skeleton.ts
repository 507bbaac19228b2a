/**
 * SMPL's 24-joint kinematic tree, in SMPL's order and with the names its papers and exporters use.
 * Coordinates follow SMPL: y up, the body faces +z, the person's left side is +x.
 */
export const SMPL_JOINT_NAMES = [
  'pelvis',
  'left_hip',
  'right_hip',
  'spine1',
  'left_knee',
  'right_knee',
  'spine2',
  'left_ankle',
  'right_ankle',
  'spine3',
  'left_foot',
  'right_foot',
  'neck',
  'left_collar',
  'right_collar',
  'head',
  'left_shoulder',
  'right_shoulder',
  'left_elbow',
  'right_elbow',
  'left_wrist',
  'right_wrist',
  'left_hand',
  'right_hand',
] as const;

export type SmplJointName = (typeof SMPL_JOINT_NAMES)[number];

/** Number of SMPL joints. */
export const SMPL_JOINT_COUNT = 24;

/** Length of SMPL's pose vector: one axis-angle (3 numbers, radians) per joint, root first. */
export const SMPL_POSE_SIZE = 72;

/** Parent of each joint (-1 for the root), SMPL's `kintree_table[0]`. Parents precede children. */
export const SMPL_PARENTS: readonly number[] = Object.freeze([
  -1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 12, 13, 14, 16, 17, 18, 19, 20, 21,
]);

/** Index of a joint by its SMPL name. */
export function smplJointIndex(name: SmplJointName): number {
  return SMPL_JOINT_NAMES.indexOf(name);
}

/**
 * Checks a parent table: root first with parent -1, every other parent an earlier joint (so one pass in
 * index order visits parents before children).
 * @throws naming the first joint that breaks the rule
 */
export function checkParents(parents: ArrayLike<number>, what = 'kinematic tree'): void {
  if (parents.length < 1) throw new Error(`${what}: needs at least one joint`);
  if (parents[0] !== -1) throw new Error(`${what}: joint 0 must be the root (parent -1), got parent ${parents[0]}`);
  for (let j = 1; j < parents.length; j++) {
    const p = parents[j];
    if (!Number.isInteger(p) || p < 0 || p >= j) {
      throw new Error(`${what}: joint ${j} has parent ${p}; parents must be earlier joints (0..${j - 1})`);
    }
  }
}
