import { axisAngleToMatrix, multiplyMatrices, quaternionToMatrix } from '../../../core/renderer/rotation';
import type { WeakPerspectiveParams } from '../camera/camera-fit';
import { matrixToQuaternion, type Quaternion } from '../camera/quaternion';

/**
 * Which way a bird faces, from a camera: the model's axes (x the bird's left, y up, z forward, towards
 * the beak) seen in camera axes (x right, y down, z away from the camera).
 */

/** Which way the beak points in the image, as a user says it (`--heading`). */
export type ImageHeading = 'left' | 'right';
/** The headings a user may give, in the order messages list them. */
export const IMAGE_HEADINGS: readonly ImageHeading[] = ['left', 'right'];

/** The bird's forward axis (towards the beak) in camera axes: R(q) [0,0,1], a unit vector. */
export function forwardAxis(quaternion: ArrayLike<number>): [number, number, number] {
  const r = quaternionToMatrix(quaternion);
  return [r[2], r[5], r[8]];
}

/** The bird's up axis (its back) in camera axes: R(q) [0,1,0]; y < 0 is up in the image. */
export function upAxis(quaternion: ArrayLike<number>): [number, number, number] {
  const r = quaternionToMatrix(quaternion);
  return [r[1], r[4], r[7]];
}

/**
 * How far a camera turns the bird away from upright: 0 while its back points up in the image (the up axis's
 * image-down component at most -UPRIGHT_SLACK: any roll up to about 70 degrees, or any view from above or
 * below short of straight down), growing linearly to 1 + UPRIGHT_SLACK for a bird upside down. Perched and
 * flying birds in photos are upright, as every synthetic bird is (elevation -20..50 degrees, roll within 20:
 * that component is at most -0.6 there).
 */
export function upsideDown(quaternion: ArrayLike<number>): number {
  return Math.max(0, upAxis(quaternion)[1] + UPRIGHT_SLACK);
}

/** See {@link upsideDown}. */
export const UPRIGHT_SLACK = 0.3;

/** Which way the beak points across the image (the sign of the forward axis's x). */
export function imageHeading(quaternion: ArrayLike<number>): ImageHeading {
  return forwardAxis(quaternion)[0] < 0 ? 'left' : 'right';
}

/** Below this length of the projected forward axis a bird counts as seen end-on (within about 17 degrees). */
export const END_ON_LENGTH = 0.3;

/**
 * Whether a fitted orientation puts the head on the right end of the bird in the image: the projected
 * forward axes (tail to beak) point the same way across the image; for a bird seen nearly end-on
 * (`truth`'s projected forward axis shorter than END_ON_LENGTH), where both ends overlap, whether it
 * faces the viewer or away. A fit that swaps head and tail fails; one that keeps the ends but mirrors
 * the bird in depth (the silhouette's twin: seen from the front-left instead of the back-left) passes
 * unless the bird is seen end-on (see `sameHeading` for the stricter test).
 */
export function headOnRightEnd(fitted: ArrayLike<number>, truth: ArrayLike<number>): boolean {
  const f = forwardAxis(fitted);
  const t = forwardAxis(truth);
  if (Math.hypot(t[0], t[1]) >= END_ON_LENGTH) return f[0] * t[0] + f[1] * t[1] > 0;
  return f[2] * t[2] > 0;
}

/**
 * Whether two orientations point the bird the same way in 3D: their forward axes less than 90 degrees
 * apart in camera axes. Stricter than `headOnRightEnd`: a bird seen from the front-left fitted as seen
 * from the back-left (same outline, head on the same end of the image) fails.
 */
export function sameHeading(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  const fa = forwardAxis(a);
  const fb = forwardAxis(b);
  return fa[0] * fb[0] + fa[1] * fb[1] + fa[2] * fb[2] > 0;
}

/**
 * The head-tail twin of a camera: the bird turned end for end about the image axis perpendicular to
 * its projected long axis, through `pivot` (model space; e.g. the mesh's centroid), so the head lands
 * where the tail was, the back stays up and the outline is roughly mirrored along the body. A
 * silhouette alone barely tells a camera from its twin.
 */
export function headTailTwin(camera: WeakPerspectiveParams, pivot: ArrayLike<number> = [0, 0, 0]): WeakPerspectiveParams {
  const r = quaternionToMatrix(camera.quaternion);
  let fx = r[2];
  let fy = r[5];
  const n = Math.hypot(fx, fy);
  // Seen end-on the projected long axis is undefined: turn about the image's vertical instead.
  [fx, fy] = n > 1e-6 ? [fx / n, fy / n] : [1, 0];
  // Half-turn about the in-plane axis perpendicular to the body: (-fy, fx, 0).
  const half = axisAngleToMatrix([-fy * Math.PI, fx * Math.PI, 0]);
  const twin = multiplyMatrices(half, r);
  // Keep the pivot where it projected: s R p + t = s R' p + t'.
  const shift = [0, 1].map((row) => camera.scale * [0, 1, 2].reduce((sum, k) => sum + (r[3 * row + k] - twin[3 * row + k]) * pivot[k], 0));
  return {
    scale: camera.scale,
    translation: [camera.translation[0] + shift[0], camera.translation[1] + shift[1]],
    quaternion: matrixToQuaternion(twin) as Quaternion,
  };
}
