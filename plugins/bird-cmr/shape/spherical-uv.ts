/**
 * UVs from the sphere's spherical coordinates (CMR's texture parametrisation), with the seam along
 * the belly's midline and the poles at the beak tip (v = 1) and the tail tip (v = 0):
 *   u = (angle around the long axis z, measured from straight down (-y), turning towards the bird's
 *        left (+x)) / 2 pi, so u = 1/4 is the left flank, 1/2 the back, 3/4 the right flank;
 *   v = 1 - theta / pi, theta the polar angle from +z.
 * The mirror x -> -x maps u to 1 - u, so the left and right halves of the texture mirror each other.
 */

/** A mesh's UV layout: the values and one UV triangle per face. */
export interface UvLayout {
  /** float32 [T*2] in [0,1]. */
  readonly uvs: Float32Array;
  /** int32 [F*3] indices into uvs. */
  readonly uvFaces: Int32Array;
}

/**
 * Faces that straddle the seam get the corners on the far side unwrapped by one turn; where the seam
 * cuts through a face instead of along its edges (unavoidable on an icosphere), the unwrapped u
 * overshoots [0,1] by a fraction of a face and is clamped, which squeezes the texture on that face.
 * Pole corners take the mean u of the face's other corners, so pole faces are not degenerate in UV.
 * @param sphere float [V*3] unit-sphere positions
 * @param faces int32 [F*3]
 */
export function sphericalUvs(sphere: ArrayLike<number>, faces: Int32Array): UvLayout {
  const nv = sphere.length / 3;
  const baseU = new Float64Array(nv);
  const baseV = new Float64Array(nv);
  const pole = new Uint8Array(nv);
  for (let i = 0; i < nv; i++) {
    const x = sphere[3 * i];
    const y = sphere[3 * i + 1];
    const z = Math.max(-1, Math.min(1, sphere[3 * i + 2]));
    pole[i] = Math.hypot(x, y) < 1e-9 ? 1 : 0;
    // Angle from -y towards +x: atan2(x, -y) is 0 straight down, +pi/2 at +x.
    let a = Math.atan2(x, -y) / (2 * Math.PI);
    if (a < 0) a += 1;
    // Vertices on the seam itself (x = 0, y < 0) start at u = 0; faces that need u = 1 unwrap them.
    baseU[i] = a >= 1 ? 0 : a;
    baseV[i] = 1 - Math.acos(z) / Math.PI;
  }
  const uvIndex = new Map<string, number>();
  const uvs: number[] = [];
  const uvFaces = new Int32Array(faces.length);
  for (let f = 0; f < faces.length; f += 3) {
    const corners = [faces[f], faces[f + 1], faces[f + 2]];
    const us = corners.map((v) => baseU[v]);
    const regular = corners.map((v, k) => (pole[v] ? -1 : k)).filter((k) => k >= 0);
    const span = Math.max(...regular.map((k) => us[k])) - Math.min(...regular.map((k) => us[k]));
    if (span > 0.5) for (const k of regular) if (us[k] < 0.5) us[k] += 1;
    const mean = regular.reduce((sum, k) => sum + us[k], 0) / regular.length;
    for (let k = 0; k < 3; k++) {
      if (pole[corners[k]]) us[k] = mean;
      const u = Math.min(1, us[k]);
      const v = baseV[corners[k]];
      const key = `${corners[k]}:${u}`;
      let index = uvIndex.get(key);
      if (index === undefined) {
        index = uvs.length / 2;
        uvs.push(u, v);
        uvIndex.set(key, index);
      }
      uvFaces[f + k] = index;
    }
  }
  return { uvs: Float32Array.from(uvs), uvFaces };
}
