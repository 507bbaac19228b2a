import type { Mat3 } from '../../../core/renderer/rotation';

/** A unit quaternion in scalar-first order [w, x, y, z] (CMR's and core's convention). */
export type Quaternion = [number, number, number, number];

/**
 * The unit quaternion of a rotation matrix (Shepperd's method: pivot on the largest of w, x, y, z so
 * the square root never nears zero), with w >= 0 so each rotation has one representation.
 * @param m row-major 3x3 rotation
 */
export function matrixToQuaternion(m: ArrayLike<number>): Quaternion {
  const [m00, m01, m02, m10, m11, m12, m20, m21, m22] = Array.from(m);
  const trace = m00 + m11 + m22;
  let q: Quaternion;
  if (trace >= m00 && trace >= m11 && trace >= m22) {
    const s = 2 * Math.sqrt(Math.max(0, 1 + trace));
    q = [s / 4, (m21 - m12) / s, (m02 - m20) / s, (m10 - m01) / s];
  } else if (m00 >= m11 && m00 >= m22) {
    const s = 2 * Math.sqrt(Math.max(0, 1 + m00 - m11 - m22));
    q = [(m21 - m12) / s, s / 4, (m01 + m10) / s, (m02 + m20) / s];
  } else if (m11 >= m22) {
    const s = 2 * Math.sqrt(Math.max(0, 1 + m11 - m00 - m22));
    q = [(m02 - m20) / s, (m01 + m10) / s, s / 4, (m12 + m21) / s];
  } else {
    const s = 2 * Math.sqrt(Math.max(0, 1 + m22 - m00 - m11));
    q = [(m10 - m01) / s, (m02 + m20) / s, (m12 + m21) / s, s / 4];
  }
  const n = Math.hypot(...q) * (q[0] < 0 ? -1 : 1);
  return [q[0] / n, q[1] / n, q[2] / n, q[3] / n];
}

/** Angle in degrees of the rotation taking orientation a to orientation b (0..180). */
export function quaternionAngleDeg(a: readonly number[], b: readonly number[]): number {
  const na = Math.hypot(a[0], a[1], a[2], a[3]);
  const nb = Math.hypot(b[0], b[1], b[2], b[3]);
  const dot = Math.abs(a[0] * b[0] + a[1] * b[1] + a[2] * b[2] + a[3] * b[3]) / (na * nb);
  return (2 * Math.acos(Math.min(1, dot)) * 180) / Math.PI;
}

/** Rotation angle in degrees between two rotation matrices: acos((trace(A^T B) - 1) / 2). */
export function rotationAngleDeg(a: Mat3 | ArrayLike<number>, b: Mat3 | ArrayLike<number>): number {
  let trace = 0;
  for (let i = 0; i < 9; i++) trace += a[i] * b[i];
  return (Math.acos(Math.max(-1, Math.min(1, (trace - 1) / 2))) * 180) / Math.PI;
}
