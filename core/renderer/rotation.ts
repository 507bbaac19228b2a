/**
 * 3x3 rotation matrices as row-major `Float64Array(9)`: `m[3*r + c]` is row r, column c, and a point
 * rotates as `p' = M p` (column vector).
 */
export type Mat3 = Float64Array;

/** The 3x3 identity. */
export function identityMatrix(): Mat3 {
  return Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1);
}

/**
 * Rodrigues' formula: rotation by |axisAngle| radians about axisAngle / |axisAngle| (right-handed).
 * @param axisAngle [3] axis scaled by the angle in radians (the SMPL / OpenCV `rvec` convention)
 */
export function axisAngleToMatrix(axisAngle: ArrayLike<number>): Mat3 {
  if (axisAngle.length !== 3) throw new Error(`axis-angle must have 3 components, got ${axisAngle.length}`);
  const [x, y, z] = [axisAngle[0], axisAngle[1], axisAngle[2]];
  if (![x, y, z].every(Number.isFinite)) throw new Error(`axis-angle must be finite, got [${x}, ${y}, ${z}]`);
  const angle = Math.hypot(x, y, z);
  if (angle < 1e-12) return identityMatrix();
  const [kx, ky, kz] = [x / angle, y / angle, z / angle];
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  const t = 1 - c;
  return Float64Array.of(
    t * kx * kx + c, t * kx * ky - s * kz, t * kx * kz + s * ky,
    t * kx * ky + s * kz, t * ky * ky + c, t * ky * kz - s * kx,
    t * kx * kz - s * ky, t * ky * kz + s * kx, t * kz * kz + c,
  );
}

/**
 * Rotation of a unit quaternion in scalar-first order [w, x, y, z] (CMR's convention). The quaternion
 * is normalised first, so a predictor's raw output can be passed as is.
 * @throws when the quaternion is zero or not finite
 */
export function quaternionToMatrix(q: ArrayLike<number>): Mat3 {
  if (q.length !== 4) throw new Error(`quaternion must have 4 components [w, x, y, z], got ${q.length}`);
  const n = Math.hypot(q[0], q[1], q[2], q[3]);
  if (!Number.isFinite(n) || n < 1e-12) {
    throw new Error(`quaternion [${Array.from(q).join(', ')}] cannot be normalised: it must be finite and non-zero`);
  }
  const [w, x, y, z] = [q[0] / n, q[1] / n, q[2] / n, q[3] / n];
  return Float64Array.of(
    1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y),
    2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x),
    2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y),
  );
}

/** Product a * b of two row-major 3x3 matrices. */
export function multiplyMatrices(a: Mat3, b: Mat3): Mat3 {
  const out = new Float64Array(9);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      out[3 * r + c] = a[3 * r] * b[c] + a[3 * r + 1] * b[3 + c] + a[3 * r + 2] * b[6 + c];
    }
  }
  return out;
}

/**
 * Checks that `m` is a proper rotation (orthonormal, determinant +1) to within `tol`.
 * @throws naming the defect, so a transposed or scaled matrix is caught where it is passed in
 */
export function checkRotation(m: ArrayLike<number>, what = 'rotation', tol = 1e-4): Mat3 {
  if (m.length !== 9) throw new Error(`${what} must be a 3x3 matrix given as 9 row-major numbers, got ${m.length}`);
  const r = Float64Array.from(m);
  if (!r.every(Number.isFinite)) throw new Error(`${what} has non-finite entries: [${Array.from(r).join(', ')}]`);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      const dot = r[3 * i] * r[3 * j] + r[3 * i + 1] * r[3 * j + 1] + r[3 * i + 2] * r[3 * j + 2];
      if (Math.abs(dot - (i === j ? 1 : 0)) > tol) {
        throw new Error(`${what} is not orthonormal (row ${i} . row ${j} = ${dot.toFixed(6)}): pass a rotation matrix`);
      }
    }
  }
  const det =
    r[0] * (r[4] * r[8] - r[5] * r[7]) - r[1] * (r[3] * r[8] - r[5] * r[6]) + r[2] * (r[3] * r[7] - r[4] * r[6]);
  if (det < 0) throw new Error(`${what} has determinant ${det.toFixed(4)}: it is a reflection, not a rotation`);
  return r;
}
