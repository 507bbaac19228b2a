/** Row-major 3x3 matrices as plain arrays (pose generation only; the forward pass has its own Rodrigues). */
export type Matrix3 = readonly number[];

export function rotationX(a: number): Matrix3 {
  const c = Math.cos(a);
  const s = Math.sin(a);
  return [1, 0, 0, 0, c, -s, 0, s, c];
}

export function rotationY(a: number): Matrix3 {
  const c = Math.cos(a);
  const s = Math.sin(a);
  return [c, 0, s, 0, 1, 0, -s, 0, c];
}

export function rotationZ(a: number): Matrix3 {
  const c = Math.cos(a);
  const s = Math.sin(a);
  return [c, -s, 0, s, c, 0, 0, 0, 1];
}

/** a b: the rotation that applies b first, then a. */
export function compose(a: Matrix3, b: Matrix3): Matrix3 {
  const out = new Array<number>(9).fill(0);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) for (let k = 0; k < 3; k++) out[3 * r + c] += a[3 * r + k] * b[3 * k + c];
  return out;
}

/** Axis-angle (radians) of a rotation matrix; exact near 0 and near π. */
export function matrixToAxisAngle(m: Matrix3): [number, number, number] {
  const cos = Math.min(1, Math.max(-1, (m[0] + m[4] + m[8] - 1) / 2));
  const angle = Math.acos(cos);
  if (angle < 1e-8) return [0, 0, 0];
  if (Math.PI - angle < 1e-4) {
    // sin ~ 0: read the axis from the diagonal of (R + I) / 2 = a a^T
    const xx = Math.sqrt(Math.max(0, (m[0] + 1) / 2));
    const yy = Math.sqrt(Math.max(0, (m[4] + 1) / 2));
    const zz = Math.sqrt(Math.max(0, (m[8] + 1) / 2));
    let axis: [number, number, number];
    if (xx >= yy && xx >= zz) axis = [xx, (m[1] + m[3]) / (4 * xx), (m[2] + m[6]) / (4 * xx)];
    else if (yy >= zz) axis = [(m[1] + m[3]) / (4 * yy), yy, (m[5] + m[7]) / (4 * yy)];
    else axis = [(m[2] + m[6]) / (4 * zz), (m[5] + m[7]) / (4 * zz), zz];
    const n = Math.hypot(...axis);
    return [(axis[0] / n) * angle, (axis[1] / n) * angle, (axis[2] / n) * angle];
  }
  const k = angle / (2 * Math.sin(angle));
  return [(m[7] - m[5]) * k, (m[2] - m[6]) * k, (m[3] - m[1]) * k];
}
