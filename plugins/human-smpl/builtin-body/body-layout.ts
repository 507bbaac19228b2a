import { smplJointIndex as J } from '../body/smpl-skeleton';
import type { TubeSpec, TubeStation } from './tube';
import type { Vec3 } from './vec3';

/**
 * The built-in body's design, in metres with the floor at y = 0 (the builder moves the pelvis joint to the
 * origin, as SMPL's template has its root near the origin). SMPL's conventions: y up, facing +z, the
 * person's left at +x, rest pose a T-pose with palms down.
 *
 * Proportions follow a 50th-percentile adult (Huston's table in FACTS.md, between the male and female
 * figures): stature about 1.71 m, chin 1.48, shoulder joints 1.42, hip joints 0.89, knees 0.49, ankles 0.08;
 * upper arm 0.27 and forearm 0.25 joint to joint, thigh 0.40, shank 0.41.
 */
export const FLOOR_PELVIS_HEIGHT = 0.95;

const FRONT: Vec3 = [0, 0, 1];
const BACK: Vec3 = [0, 0, -1];
const UP: Vec3 = [0, 1, 0];
const DOWN: Vec3 = [0, -1, 0];

const st = (center: Vec3, side: number, front: number, back = front, joint?: number): TubeStation => ({
  center,
  side,
  front,
  back,
  joint,
});

function torso(): TubeSpec {
  return {
    name: 'torso',
    stations: [
      st([0, 0.8, 0.0], 0.12, 0.065, 0.08),
      st([0, 0.89, 0.0], 0.165, 0.085, 0.11),
      st([0, 0.95, 0.0], 0.16, 0.09, 0.1, J('pelvis')),
      st([0, 1.06, -0.01], 0.14, 0.1, 0.09, J('spine1')),
      st([0, 1.19, -0.005], 0.15, 0.112, 0.095, J('spine2')),
      st([0, 1.31, 0.0], 0.165, 0.12, 0.1, J('spine3')),
      st([0, 1.4, -0.01], 0.18, 0.085, 0.09),
      st([0, 1.435, -0.015], 0.17, 0.07, 0.075),
    ],
    frontRef: FRONT,
    seamDirection: [1, 0, 0],
    segments: 48,
    spacing: 0.02,
    caps: [0.45, 0.55],
    capRings: 4,
    exponent: 2.5,
    owners: [J('pelvis'), J('pelvis'), J('pelvis'), J('pelvis'), J('spine1'), J('spine2'), J('spine3'), J('spine3'), J('spine3')],
    blend: 0.35,
    uvDensity: 1,
  };
}

function neck(): TubeSpec {
  return {
    name: 'neck',
    stations: [st([0, 1.4, -0.015], 0.058, 0.055), st([0, 1.5, -0.015], 0.055, 0.052, 0.052, J('neck')), st([0, 1.54, -0.01], 0.05, 0.05)],
    frontRef: FRONT,
    seamDirection: BACK,
    segments: 24,
    spacing: 0.02,
    caps: [0.5, 0.5],
    capRings: 2,
    exponent: 2,
    owners: [J('spine3'), J('spine3'), J('neck'), J('neck')],
    blend: 0.5,
    uvDensity: 1,
  };
}

function head(): TubeSpec {
  return {
    name: 'head',
    stations: [
      st([0, 1.5, 0.01], 0.045, 0.055, 0.05),
      st([0, 1.535, 0.01], 0.064, 0.085, 0.07),
      st([0, 1.575, 0.005], 0.072, 0.092, 0.088, J('head')),
      st([0, 1.62, 0.0], 0.077, 0.096, 0.1),
      st([0, 1.655, -0.005], 0.074, 0.09, 0.098),
    ],
    frontRef: FRONT,
    seamDirection: BACK,
    segments: 32,
    spacing: 0.015,
    caps: [0.35, 0.7],
    capRings: 4,
    exponent: 2,
    owners: [J('neck'), J('head'), J('head'), J('head'), J('head'), J('head')],
    blend: 0.4,
    uvDensity: 1.8,
  };
}

function arm(sign: 1 | -1): TubeSpec {
  const s = sign;
  const left = s > 0;
  const jn = (l: Parameters<typeof J>[0], r: Parameters<typeof J>[0]) => J(left ? l : r);
  return {
    name: left ? 'leftArm' : 'rightArm',
    stations: [
      st([s * 0.075, 1.415, -0.015], 0.06, 0.06, 0.06, jn('left_collar', 'right_collar')),
      st([s * 0.18, 1.415, -0.02], 0.06, 0.058, 0.058, jn('left_shoulder', 'right_shoulder')),
      st([s * 0.3, 1.415, -0.025], 0.05, 0.049, 0.049),
      st([s * 0.45, 1.415, -0.03], 0.037, 0.037, 0.037, jn('left_elbow', 'right_elbow')),
      st([s * 0.54, 1.415, -0.028], 0.043, 0.042, 0.042),
      st([s * 0.7, 1.415, -0.025], 0.024, 0.033, 0.033, jn('left_wrist', 'right_wrist')),
    ],
    frontRef: FRONT,
    seamDirection: DOWN,
    segments: 20,
    spacing: 0.025,
    caps: [0.6, 0.4],
    capRings: 3,
    exponent: 2,
    owners: [
      jn('left_collar', 'right_collar'),
      jn('left_collar', 'right_collar'),
      jn('left_shoulder', 'right_shoulder'),
      jn('left_shoulder', 'right_shoulder'),
      jn('left_elbow', 'right_elbow'),
      jn('left_elbow', 'right_elbow'),
      jn('left_wrist', 'right_wrist'),
    ],
    blend: 0.9,
    uvDensity: 1,
  };
}

function hand(sign: 1 | -1): TubeSpec {
  const s = sign;
  const left = s > 0;
  const jn = (l: Parameters<typeof J>[0], r: Parameters<typeof J>[0]) => J(left ? l : r);
  return {
    name: left ? 'leftHand' : 'rightHand',
    stations: [
      st([s * 0.69, 1.415, -0.025], 0.02, 0.036),
      st([s * 0.74, 1.412, -0.022], 0.02, 0.044),
      st([s * 0.79, 1.41, -0.02], 0.017, 0.046, 0.046, jn('left_hand', 'right_hand')),
      st([s * 0.84, 1.408, -0.02], 0.013, 0.04),
    ],
    frontRef: FRONT,
    seamDirection: DOWN,
    segments: 16,
    spacing: 0.02,
    caps: [0.4, 0.6],
    capRings: 3,
    exponent: 2.4,
    owners: [jn('left_wrist', 'right_wrist'), jn('left_wrist', 'right_wrist'), jn('left_wrist', 'right_wrist'), jn('left_hand', 'right_hand'), jn('left_hand', 'right_hand')],
    blend: 0.8,
    uvDensity: 1.3,
  };
}

function leg(sign: 1 | -1): TubeSpec {
  const s = sign;
  const left = s > 0;
  const jn = (l: Parameters<typeof J>[0], r: Parameters<typeof J>[0]) => J(left ? l : r);
  return {
    name: left ? 'leftLeg' : 'rightLeg',
    stations: [
      st([s * 0.075, 1.0, 0.0], 0.085, 0.08, 0.085),
      st([s * 0.085, 0.89, 0.0], 0.092, 0.09, 0.1, jn('left_hip', 'right_hip')),
      st([s * 0.09, 0.72, 0.005], 0.078, 0.08, 0.08),
      st([s * 0.093, 0.58, 0.01], 0.063, 0.062, 0.062),
      st([s * 0.095, 0.49, 0.01], 0.05, 0.053, 0.048, jn('left_knee', 'right_knee')),
      st([s * 0.097, 0.37, -0.008], 0.052, 0.046, 0.065),
      st([s * 0.1, 0.2, -0.018], 0.038, 0.038, 0.04),
      st([s * 0.1, 0.08, -0.02], 0.032, 0.034, 0.034, jn('left_ankle', 'right_ankle')),
    ],
    frontRef: FRONT,
    seamDirection: [-s, 0, 0],
    segments: 24,
    spacing: 0.025,
    caps: [0.5, 0.6],
    capRings: 3,
    exponent: 2,
    owners: [
      J('pelvis'),
      J('pelvis'),
      jn('left_hip', 'right_hip'),
      jn('left_hip', 'right_hip'),
      jn('left_hip', 'right_hip'),
      jn('left_knee', 'right_knee'),
      jn('left_knee', 'right_knee'),
      jn('left_knee', 'right_knee'),
      jn('left_ankle', 'right_ankle'),
    ],
    blend: 0.7,
    uvDensity: 1,
  };
}

function foot(sign: 1 | -1): TubeSpec {
  const s = sign;
  const left = s > 0;
  const jn = (l: Parameters<typeof J>[0], r: Parameters<typeof J>[0]) => J(left ? l : r);
  return {
    name: left ? 'leftFoot' : 'rightFoot',
    stations: [
      st([s * 0.1, 0.045, -0.06], 0.032, 0.035, 0.04),
      st([s * 0.1, 0.05, -0.01], 0.04, 0.045, 0.045),
      st([s * 0.105, 0.04, 0.05], 0.045, 0.03, 0.036),
      st([s * 0.11, 0.03, 0.1], 0.045, 0.022, 0.028, jn('left_foot', 'right_foot')),
      st([s * 0.115, 0.025, 0.15], 0.038, 0.015, 0.022),
    ],
    frontRef: UP,
    seamDirection: DOWN,
    segments: 16,
    spacing: 0.02,
    caps: [0.6, 0.8],
    capRings: 3,
    exponent: 2.4,
    owners: [
      jn('left_ankle', 'right_ankle'),
      jn('left_ankle', 'right_ankle'),
      jn('left_ankle', 'right_ankle'),
      jn('left_ankle', 'right_ankle'),
      jn('left_foot', 'right_foot'),
      jn('left_foot', 'right_foot'),
    ],
    blend: 0.6,
    uvDensity: 1,
  };
}

/** Every part of the built-in body, each a closed tube with its own UV chart. */
export function builtinBodyParts(): TubeSpec[] {
  return [torso(), neck(), head(), arm(1), arm(-1), hand(1), hand(-1), leg(1), leg(-1), foot(1), foot(-1)];
}
