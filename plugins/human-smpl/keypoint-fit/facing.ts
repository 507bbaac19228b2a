/** Which way a person faces the camera: towards it (`front`, the face seen) or away from it (`back`). */
export type Facing = 'front' | 'back';

export const FACINGS: readonly Facing[] = ['front', 'back'];

/**
 * The body's forward direction (+z of the body frame: SMPL faces +z) in camera axes (x right, y down, z
 * away from the camera), from the root rotation of a pose.
 * @param pose axis-angle [72] (or at least the root's 3 numbers) with the root in camera axes
 */
export function bodyForward(pose: ArrayLike<number>): [number, number, number] {
  const [ax, ay, az] = [pose[0], pose[1], pose[2]];
  const angle = Math.hypot(ax, ay, az);
  if (angle < 1e-12) return [0, 0, 1];
  const [x, y, z] = [ax / angle, ay / angle, az / angle];
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  // third column of Rodrigues' rotation matrix
  return [x * z * (1 - c) + y * s, y * z * (1 - c) - x * s, c + z * z * (1 - c)];
}

/**
 * The body's heading about the vertical, radians in (-pi, pi]: 0 faces the camera, +-pi faces away,
 * pi/2 faces the image's right... as `retex synth` draws it (root = Rx(pi) Ry(heading)).
 */
export function bodyHeading(pose: ArrayLike<number>): number {
  const [fx, , fz] = bodyForward(pose);
  return Math.atan2(fx, -fz);
}

/** `front` when the body's forward direction points towards the camera. */
export function bodyFacing(pose: ArrayLike<number>): Facing {
  return bodyForward(pose)[2] < 0 ? 'front' : 'back';
}

/** Smallest angle between two headings, radians in [0, pi]. */
export function headingDifference(a: number, b: number): number {
  const d = Math.abs(a - b) % (2 * Math.PI);
  return d > Math.PI ? 2 * Math.PI - d : d;
}

/** Left/right landmark pixels a detector gives for a facing vote (the person's own left and right). */
export interface SidePoints {
  readonly leftShoulder: readonly [number, number];
  readonly rightShoulder: readonly [number, number];
  readonly leftHip: readonly [number, number];
  readonly rightHip: readonly [number, number];
}

/** Torso widths (in torso lengths) over which an ordering vote goes from 0 to about 0.76 (tanh 1). */
const ORDER_SCALE = 0.25;

/**
 * A detector's facing vote from the left/right order of its shoulders and hips in the image: seen from the
 * front, the person's left side is on the image's right. In (-1, 1): > 0 front, < 0 back, near 0 side-on
 * (the order tells nothing). It is only as good as the detector's left/right labels.
 */
export function orderingVote(p: SidePoints): number {
  const dx = p.leftShoulder[0] - p.rightShoulder[0] + (p.leftHip[0] - p.rightHip[0]);
  const midShoulder = [(p.leftShoulder[0] + p.rightShoulder[0]) / 2, (p.leftShoulder[1] + p.rightShoulder[1]) / 2];
  const midHip = [(p.leftHip[0] + p.rightHip[0]) / 2, (p.leftHip[1] + p.rightHip[1]) / 2];
  const torso = Math.max(1e-6, Math.hypot(midShoulder[0] - midHip[0], midShoulder[1] - midHip[1]));
  return Math.tanh(dx / 2 / torso / ORDER_SCALE);
}
