import { SMPL_POSE_SIZE, smplJointIndex as J, type SmplJointName } from '../body/smpl-skeleton';
import { compose, matrixToAxisAngle, rotationX, rotationY, rotationZ, type Matrix3 } from './rotation-math';

const DEG = Math.PI / 180;

/** A pose in SMPL's 72-d axis-angle layout with the root left at zero (the caller adds orientation). */
export type BodyPose = Float32Array;

function setJoint(pose: Float32Array, name: SmplJointName, m: Matrix3): void {
  pose.set(matrixToAxisAngle(m), 3 * J(name));
}

/**
 * Joint angles (degrees) of one pose; positive hip/shoulder `swing` moves the limb forward,
 * positive knee/elbow `bend` flexes it, `armDown` lowers the T-pose arm towards the side.
 */
interface Articulation {
  hipSwing: [number, number]; // left, right
  kneeBend: [number, number];
  ankleLift: [number, number];
  armDown: [number, number];
  armSwing: [number, number];
  elbowBend: [number, number];
  hipSpread: [number, number];
  torsoTwist: number;
  torsoLean: number;
  headTurn: number;
}

function poseFrom(a: Articulation): BodyPose {
  const pose = new Float32Array(SMPL_POSE_SIZE);
  // Legs hang along -y: a rotation about x by -θ swings them forward (+z); +θ at the knee bends the shin back.
  setJoint(pose, 'left_hip', compose(rotationX(-a.hipSwing[0] * DEG), rotationZ(a.hipSpread[0] * DEG)));
  setJoint(pose, 'right_hip', compose(rotationX(-a.hipSwing[1] * DEG), rotationZ(-a.hipSpread[1] * DEG)));
  setJoint(pose, 'left_knee', rotationX(a.kneeBend[0] * DEG));
  setJoint(pose, 'right_knee', rotationX(a.kneeBend[1] * DEG));
  setJoint(pose, 'left_ankle', rotationX(-a.ankleLift[0] * DEG));
  setJoint(pose, 'right_ankle', rotationX(-a.ankleLift[1] * DEG));
  // T-pose arms lie along +-x: lower them about z, then swing the hanging arm about x.
  setJoint(pose, 'left_shoulder', compose(rotationX(-a.armSwing[0] * DEG), rotationZ(-a.armDown[0] * DEG)));
  setJoint(pose, 'right_shoulder', compose(rotationX(-a.armSwing[1] * DEG), rotationZ(a.armDown[1] * DEG)));
  // Elbows bend the forearm forward (+z): about -y on the left arm (+x), +y on the right.
  setJoint(pose, 'left_elbow', rotationY(-a.elbowBend[0] * DEG));
  setJoint(pose, 'right_elbow', rotationY(a.elbowBend[1] * DEG));
  setJoint(pose, 'spine1', compose(rotationY(a.torsoTwist * 0.3 * DEG), rotationX(a.torsoLean * 0.5 * DEG)));
  setJoint(pose, 'spine2', rotationY(a.torsoTwist * 0.3 * DEG));
  setJoint(pose, 'spine3', compose(rotationY(a.torsoTwist * 0.4 * DEG), rotationX(a.torsoLean * 0.5 * DEG)));
  setJoint(pose, 'neck', rotationY(a.headTurn * 0.4 * DEG));
  setJoint(pose, 'head', rotationY(a.headTurn * 0.6 * DEG));
  return pose;
}

/**
 * A walking pose at gait phase `phase` in [0,1) (0: left heel strike), with `stride` scaling the swing
 * amplitudes (1 = normal walk). Arms swing opposite to the legs, the torso counter-rotates.
 */
export function walkingPose(phase: number, stride = 1): BodyPose {
  const w = 2 * Math.PI * phase;
  const swingL = 24 * stride * Math.cos(w);
  const swingR = -swingL;
  // The knee flexes most during swing (the leg moving forward), a little at loading response.
  const knee = (p: number) => 6 + stride * (52 * Math.max(0, Math.sin(p - 0.4)) ** 2 + 10 * Math.max(0, Math.sin(2 * p)));
  return poseFrom({
    hipSwing: [swingL, swingR],
    kneeBend: [knee(w + Math.PI), knee(w)],
    ankleLift: [4 * Math.cos(w), -4 * Math.cos(w)],
    armDown: [76, 76],
    armSwing: [-0.7 * swingL, -0.7 * swingR],
    elbowBend: [18 + 10 * Math.max(0, -Math.cos(w)), 18 + 10 * Math.max(0, Math.cos(w))],
    hipSpread: [2, 2],
    torsoTwist: -6 * stride * Math.cos(w),
    torsoLean: 3,
    headTurn: 0,
  });
}

/** A relaxed standing pose; `variant` (any integer) varies arm angle, weight shift and head turn. */
export function standingPose(variant: number): BodyPose {
  const v = ((variant % 4) + 4) % 4;
  const arm = [80, 74, 84, 70][v];
  return poseFrom({
    hipSwing: [[0, 3, -2, 0][v], [0, -2, 3, 0][v]],
    kneeBend: [[3, 8, 2, 4][v], [3, 2, 8, 4][v]],
    ankleLift: [0, 0],
    armDown: [arm, arm + [0, 4, -4, 2][v]],
    armSwing: [[0, 5, -5, 8][v], [0, -5, 5, 8][v]],
    elbowBend: [[8, 15, 10, 35][v], [8, 10, 15, 35][v]],
    hipSpread: [[3, 5, 2, 6][v], [3, 2, 5, 6][v]],
    torsoTwist: [0, 5, -5, 0][v],
    torsoLean: [0, 2, 2, 4][v],
    headTurn: [0, 10, -10, 0][v],
  });
}

/**
 * The pose set of the `random-pose` predictor (the paper's "no pose alignment" ablation): eight phases of
 * a normal walk, four of a short-stride walk and four standing variants. Roots are zero.
 */
export function defaultPoseSet(): BodyPose[] {
  const walk = Array.from({ length: 8 }, (_, i) => walkingPose(i / 8, 1));
  const slow = Array.from({ length: 4 }, (_, i) => walkingPose(i / 4 + 1 / 16, 0.6));
  const stand = Array.from({ length: 4 }, (_, i) => standingPose(i));
  return [...walk, ...slow, ...stand];
}
