import { BEAK_TIP_Z, TAIL_TIP_Z, birdSlice, wingBulge } from './bird-profile';

/**
 * How the sphere's polar angle is spent along the bird: knots (s, z) with s = theta / pi from the
 * +z pole (the beak tip) to the -z pole (the tail tip). The beak and head get more rings of vertices
 * than their length alone would give them, because their outline bends most.
 */
const RING_KNOTS: readonly (readonly [number, number])[] = [
  [0, BEAK_TIP_Z],
  [0.1, 0.64],
  [0.3, 0.33],
  [0.75, -0.45],
  // The last ring sits close to the tail tip so the pole fan is short and the tail ends square.
  [0.92, -0.96],
  [1, TAIL_TIP_Z],
];

/** Exponent of the cross-section's superellipse (2 is an ellipse; larger is boxier). */
const SECTION_POWER = 2.2;

/** z along the bird for a polar fraction s in [0,1] (piecewise linear through RING_KNOTS). */
export function ringPosition(s: number): number {
  for (let i = 1; i < RING_KNOTS.length; i++) {
    const [s1, z1] = RING_KNOTS[i];
    if (s <= s1 || i === RING_KNOTS.length - 1) {
      const [s0, z0] = RING_KNOTS[i - 1];
      return z0 + ((z1 - z0) * (s - s0)) / (s1 - s0);
    }
  }
  return TAIL_TIP_Z;
}

function smoothstep(e0: number, e1: number, v: number): number {
  const t = Math.max(0, Math.min(1, (v - e0) / (e1 - e0)));
  return t * t * (3 - 2 * t);
}

function superPow(v: number): number {
  return Math.sign(v) * Math.abs(v) ** (2 / SECTION_POWER);
}

/**
 * Moves a unit-sphere point onto the bird: its polar angle from +z picks the cross-section, its
 * angle around the z axis picks the point on that section. Commutes with the mirror x -> -x, so a
 * symmetric sphere gives a symmetric bird.
 * @returns [x, y, z] in model units (x the bird's left, y up, z forward)
 */
export function sphereToBird(px: number, py: number, pz: number): [number, number, number] {
  const theta = Math.acos(Math.max(-1, Math.min(1, pz)));
  const z = ringPosition(theta / Math.PI);
  const slice = birdSlice(z);
  const angle = Math.atan2(py, px);
  const mid = (slice.top + slice.bottom) / 2;
  const half = (slice.top - slice.bottom) / 2;
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  const x = slice.halfWidth * superPow(c);
  const y = mid + half * superPow(s);
  // The folded wing covers the flank from just above the widest line to near the back: a step up at
  // its lower edge, fading towards the spine.
  const elevation = Math.atan2(s, Math.abs(c));
  const cover = smoothstep(-0.05, 0.2, elevation) * (1 - smoothstep(0.7, 1.35, elevation));
  const push = wingBulge(z) * cover;
  return [x + Math.sign(c) * push * Math.cos(elevation), y + push * Math.sin(elevation), z];
}
