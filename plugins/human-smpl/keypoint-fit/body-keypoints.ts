import type { BodyModelData } from '../body/body-model-types';
import { smplJointIndex } from '../body/smpl-skeleton';

/** Names of the 33 BlazePose landmarks, in the model's output order (the person's left/right). */
export const BLAZEPOSE_NAMES = [
  'nose', 'left_eye_inner', 'left_eye', 'left_eye_outer', 'right_eye_inner', 'right_eye', 'right_eye_outer',
  'left_ear', 'right_ear', 'mouth_left', 'mouth_right', 'left_shoulder', 'right_shoulder', 'left_elbow',
  'right_elbow', 'left_wrist', 'right_wrist', 'left_pinky', 'right_pinky', 'left_index', 'right_index',
  'left_thumb', 'right_thumb', 'left_hip', 'right_hip', 'left_knee', 'right_knee', 'left_ankle', 'right_ankle',
  'left_heel', 'right_heel', 'left_foot_index', 'right_foot_index',
] as const;

/**
 * A point of the body that a detected keypoint constrains: a joint, or a point rigidly attached to a joint
 * (`offset` from the joint in the rest pose, e.g. the nose on the head).
 */
export interface BodyKeypoint {
  readonly name: string;
  /** Index of the BlazePose landmark that observes it. */
  readonly landmark: number;
  readonly joint: number;
  /** Rest-pose offset from the joint, metres (zero for the joint itself). */
  readonly offset: readonly [number, number, number];
  /** Index of the keypoint playing the mirrored role (left <-> right), itself for midline points. */
  mirror: number;
}

const JOINT_KEYPOINTS: ReadonlyArray<[string, Parameters<typeof smplJointIndex>[0]]> = [
  ['left_shoulder', 'left_shoulder'],
  ['right_shoulder', 'right_shoulder'],
  ['left_elbow', 'left_elbow'],
  ['right_elbow', 'right_elbow'],
  ['left_wrist', 'left_wrist'],
  ['right_wrist', 'right_wrist'],
  ['left_hip', 'left_hip'],
  ['right_hip', 'right_hip'],
  ['left_knee', 'left_knee'],
  ['right_knee', 'right_knee'],
  ['left_ankle', 'left_ankle'],
  ['right_ankle', 'right_ankle'],
  ['left_foot_index', 'left_foot'],
  ['right_foot_index', 'right_foot'],
  ['left_index', 'left_hand'],
  ['right_index', 'right_hand'],
];

/** Share of skinning weight on a joint above which a vertex counts as rigidly attached to it. */
const HEAD_WEIGHT = 0.9;

/**
 * The keypoints fitting uses: 16 joints (shoulders, elbows, wrists, hips, knees, ankles, toes, hands) and
 * points found on the template: nose and ears (the most forward head vertex, the head vertices furthest left
 * and right; SMPL axes: facing +z, left +x) and heels (the rearmost vertex rigid with each ankle).
 * @param restJoints the rest joints float32 [J*3] at zero shape (J_regressor v_template)
 */
export function bodyKeypoints(data: BodyModelData, restJoints: Float32Array): BodyKeypoint[] {
  const out: BodyKeypoint[] = JOINT_KEYPOINTS.map(([landmark, joint]) => ({
    name: landmark,
    landmark: BLAZEPOSE_NAMES.indexOf(landmark as (typeof BLAZEPOSE_NAMES)[number]),
    joint: smplJointIndex(joint),
    offset: [0, 0, 0],
    mirror: -1,
  }));
  const head = smplJointIndex('head');
  const nj = data.parents.length;
  const nv = data.vTemplate.length / 3;
  let nose = -1;
  let left = -1;
  let right = -1;
  const v = data.vTemplate;
  for (let i = 0; i < nv; i++) {
    if (data.weights[i * nj + head] < HEAD_WEIGHT) continue;
    if (nose < 0 || v[3 * i + 2] > v[3 * nose + 2]) nose = i;
    if (left < 0 || v[3 * i] > v[3 * left]) left = i;
    if (right < 0 || v[3 * i] < v[3 * right]) right = i;
  }
  if (nose < 0) throw new Error(`body '${data.source}': no vertex is skinned rigidly to the head; cannot place nose and ears`);
  const hj = [restJoints[3 * head], restJoints[3 * head + 1], restJoints[3 * head + 2]];
  const off = (i: number): [number, number, number] => [v[3 * i] - hj[0], v[3 * i + 1] - hj[1], v[3 * i + 2] - hj[2]];
  out.push({ name: 'nose', landmark: 0, joint: head, offset: off(nose), mirror: -1 });
  out.push({ name: 'left_ear', landmark: 7, joint: head, offset: off(left), mirror: -1 });
  out.push({ name: 'right_ear', landmark: 8, joint: head, offset: off(right), mirror: -1 });
  for (const [name, landmark, joint] of [
    ['left_heel', 29, smplJointIndex('left_ankle')],
    ['right_heel', 30, smplJointIndex('right_ankle')],
  ] as const) {
    let heel = -1;
    for (let i = 0; i < nv; i++) {
      if (data.weights[i * nj + joint] < HEAD_WEIGHT) continue;
      if (heel < 0 || v[3 * i + 2] < v[3 * heel + 2]) heel = i;
    }
    if (heel < 0) continue;
    const jp = [restJoints[3 * joint], restJoints[3 * joint + 1], restJoints[3 * joint + 2]];
    out.push({ name, landmark, joint, offset: [v[3 * heel] - jp[0], v[3 * heel + 1] - jp[1], v[3 * heel + 2] - jp[2]], mirror: -1 });
  }
  for (const k of out) {
    const other = k.name.startsWith('left_') ? k.name.replace('left_', 'right_') : k.name.replace('right_', 'left_');
    k.mirror = out.findIndex((x) => x.name === other);
  }
  return out;
}
