import type { Mesh } from '../interfaces/mesh';
import { latLongMesh } from './primitives';

/** SMPL's sizes, which a closed genus-0 triangle mesh with V vertices meets exactly (F = 2V - 4). */
export const SMPL_VERTEX_COUNT = 6890;
export const SMPL_FACE_COUNT = 13776;

/** Half-width (x) of the body at height fraction t from the top (0 = crown, 1 = soles), metres. */
const WIDTH_PROFILE: readonly (readonly [number, number])[] = [
  [0, 0], [0.015, 0.05], [0.05, 0.085], [0.09, 0.08], [0.12, 0.055], [0.135, 0.05], [0.16, 0.1],
  [0.19, 0.21], [0.24, 0.2], [0.3, 0.17], [0.4, 0.14], [0.48, 0.17], [0.55, 0.17], [0.7, 0.13],
  [0.85, 0.11], [0.95, 0.1], [0.985, 0.08], [1, 0],
];
const STATURE = 1.7;

function profile(t: number): number {
  for (let i = 1; i < WIDTH_PROFILE.length; i++) {
    const [t1, r1] = WIDTH_PROFILE[i];
    if (t <= t1) {
      const [t0, r0] = WIDTH_PROFILE[i - 1];
      // Smoothstep between control points keeps the silhouette free of kinks.
      const s = (t - t0) / (t1 - t0);
      return r0 + (r1 - r0) * s * s * (3 - 2 * s);
    }
  }
  return 0;
}

/**
 * A synthetic standing-body-like closed surface with SMPL's vertex and face counts (6,890 / 13,776), for
 * benchmarks and previews: a deformed latitude-longitude sphere (82 segments x 84 rings + 2 poles) with
 * a head, neck, shoulders, waist, hips and two legs joined by a thin web (the topology stays a sphere).
 * y is up (0 at the soles, 1.7 at the crown), the front faces +z. It is not SMPL: there are no arms and
 * the UV layout is cylindrical (u around the body starting at the back, v up), with a seam at the back.
 */
export function bodyLikeMesh(): Mesh {
  const rings = 84;
  const segments = 82;
  return latLongMesh(rings, segments, (t, phi) => {
    const rx = profile(t);
    const head = t < 0.13;
    let rz = rx * (head ? 0.95 : 0.6);
    const c = Math.cos(phi);
    const s = Math.sin(phi);
    // Legs: pinch front and back together at the body's mid-line below the hips.
    const legs = Math.min(1, Math.max(0, (t - 0.52) / 0.06));
    rz *= 1 - 0.85 * legs * Math.exp(-(c * c) / 0.04);
    // phi = 0 points to -z (the back) so the UV seam is out of sight in a front view; phi turns
    // counter-clockwise seen from above, as latLongMesh requires.
    return [-rx * s, STATURE * (1 - t), -rz * c];
  });
}
