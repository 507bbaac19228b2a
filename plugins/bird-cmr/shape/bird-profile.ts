/**
 * The bird's outline as a loft along its long axis: for every position z (forward, towards the beak)
 * a cross-section spanning [bottom, top] vertically (y up) and [-halfWidth, halfWidth] sideways (x,
 * the bird's left at +x). The body, head, beak, tail and folded wings each give such a slice where
 * they exist, and the bird's slice is their smooth union.
 *
 * Model units: the bird is about 2 long (tail tip z = -1, beak tip z = 0.9), the body centred near
 * the origin. Proportions follow a generic perching bird seen from the side.
 */

/** One cross-section of the loft. */
export interface Slice {
  readonly bottom: number;
  readonly top: number;
  readonly halfWidth: number;
}

/** Where the loft starts and ends along z. */
export const BEAK_TIP_Z = 0.88;
export const TAIL_TIP_Z = -1.0;

/** Placement of the head, used to put the eye, crown and forehead keypoints. */
export const HEAD = { z: 0.5, y: 0.3, radius: 0.19, halfWidth: 0.165 } as const;
/** Placement of the body (an ellipsoid tilted head-up by `tilt` radians). */
export const BODY = { z: -0.08, y: 0, length: 0.52, height: 0.28, halfWidth: 0.26, tilt: 0.3 } as const;
/** The neck: a tilted ellipsoid bridging the body's front and the back of the head, so the nape is smooth. */
export const NECK = { z: 0.35, y: 0.22, length: 0.2, height: 0.15, halfWidth: 0.16, tilt: 0.6 } as const;
/** The beak: a cone from inside the head to the tip, tilted slightly down. */
export const BEAK = { baseZ: 0.6, baseY: 0.28, tipY: 0.25, halfHeight: 0.08, halfWidth: 0.068 } as const;
/** The tail: a thin fan from under the wings back to the tail tip, sloping down. */
export const TAIL = { baseZ: -0.4, baseY: -0.1, tipY: -0.3, baseHalfHeight: 0.07, tipHalfHeight: 0.03, baseHalfWidth: 0.13, tipHalfWidth: 0.17 } as const;
/** A folded wing: an elongated ellipse on the upper flank, from the shoulder back over the tail. */
export const WING = { frontZ: 0.28, frontY: 0.1, tipZ: -0.78, tipY: -0.12, halfHeight: 0.13, halfWidth: 0.25, tipHalfWidth: 0.11 } as const;

/**
 * Outward push of a folded wing's surface over the flank at z, in model units: zero outside the
 * wing, largest over the middle of the body. Makes the wing's lower edge a visible step.
 */
export function wingBulge(z: number): number {
  if (z > WING.frontZ || z < WING.tipZ) return 0;
  const t = (WING.frontZ - z) / (WING.frontZ - WING.tipZ);
  return 0.045 * Math.sin(Math.PI * Math.min(1, t * 1.6)) ** 0.5 * (t < 0.625 ? 1 : 1 - (t - 0.625) / 0.375);
}

/** Sharpness of the smooth union, in model units (how rounded the joins between parts are). */
const BLEND = 0.03;

/** Vertical chord of the ellipse centred (cz, cy), semi-axes a (along `tilt`) and b, at abscissa z. */
function tiltedEllipseChord(z: number, cz: number, cy: number, a: number, b: number, tilt: number): [number, number] | null {
  const c = Math.cos(tilt);
  const s = Math.sin(tilt);
  const dz = z - cz;
  // ((dz c + dy s)/a)^2 + ((-dz s + dy c)/b)^2 = 1, a quadratic in dy.
  const qa = (s * s) / (a * a) + (c * c) / (b * b);
  const qb = 2 * dz * c * s * (1 / (a * a) - 1 / (b * b));
  const qc = dz * dz * ((c * c) / (a * a) + (s * s) / (b * b)) - 1;
  const disc = qb * qb - 4 * qa * qc;
  if (disc <= 0) return null;
  const root = Math.sqrt(disc);
  return [cy + (-qb - root) / (2 * qa), cy + (-qb + root) / (2 * qa)];
}

/** An ellipsoid's slice: the chord from `tiltedEllipseChord`, the width scaled like the chord. */
function ellipsoidSlice(z: number, cz: number, cy: number, a: number, b: number, halfWidth: number, tilt: number): Slice | null {
  const chord = tiltedEllipseChord(z, cz, cy, a, b, tilt);
  if (!chord) return null;
  const centre = tiltedEllipseChord(cz, cz, cy, a, b, tilt) as [number, number];
  const ratio = (chord[1] - chord[0]) / (centre[1] - centre[0]);
  return { bottom: chord[0], top: chord[1], halfWidth: halfWidth * Math.sqrt(ratio) };
}

function lerp(a: number, b: number, t: number): number {
  return a + (b - a) * t;
}

function bodySlice(z: number): Slice | null {
  return ellipsoidSlice(z, BODY.z, BODY.y, BODY.length, BODY.height, BODY.halfWidth, BODY.tilt);
}

function headSlice(z: number): Slice | null {
  return ellipsoidSlice(z, HEAD.z, HEAD.y, HEAD.radius * 1.05, HEAD.radius, HEAD.halfWidth, 0);
}

function neckSlice(z: number): Slice | null {
  return ellipsoidSlice(z, NECK.z, NECK.y, NECK.length, NECK.height, NECK.halfWidth, NECK.tilt);
}

function beakSlice(z: number): Slice | null {
  if (z < BEAK.baseZ || z > BEAK_TIP_Z) return null;
  const t = (z - BEAK.baseZ) / (BEAK_TIP_Z - BEAK.baseZ);
  const y = lerp(BEAK.baseY, BEAK.tipY, t);
  // Slightly convex sides (power < 1) so the beak is a cone with a full base, not a needle.
  const taper = (1 - t) ** 0.7;
  const h = BEAK.halfHeight * taper;
  return { bottom: y - h, top: y + h, halfWidth: BEAK.halfWidth * taper };
}

function tailSlice(z: number): Slice | null {
  if (z > TAIL.baseZ || z < TAIL_TIP_Z) return null;
  const t = (TAIL.baseZ - z) / (TAIL.baseZ - TAIL_TIP_Z);
  const y = lerp(TAIL.baseY, TAIL.tipY, t);
  // The last stretch rounds off like a fan's edge.
  const round = 0.12;
  const fromTip = z - TAIL_TIP_Z;
  const edge = fromTip < round ? Math.sqrt(Math.max(0, 1 - ((round - fromTip) / round) ** 2)) : 1;
  const h = lerp(TAIL.baseHalfHeight, TAIL.tipHalfHeight, t) * edge;
  // The fan stays wide to its end: a square-ish tail seen from above, not an arrow head.
  const w = lerp(TAIL.baseHalfWidth, TAIL.tipHalfWidth, t) * edge ** 0.35;
  return { bottom: y - h, top: y + h, halfWidth: w };
}

function wingSlice(z: number): Slice | null {
  if (z > WING.frontZ || z < WING.tipZ) return null;
  const t = (WING.frontZ - z) / (WING.frontZ - WING.tipZ);
  const y = lerp(WING.frontY, WING.tipY, t);
  // Rounded at the shoulder, tapering to a point at the tip.
  const profile = Math.sqrt(Math.min(1, t / 0.25)) * (1 - t) ** 0.6 * 1.2;
  const h = WING.halfHeight * Math.min(1, profile);
  const w = lerp(WING.halfWidth, WING.tipHalfWidth, t ** 1.5);
  return { bottom: y - h, top: y + h, halfWidth: w * Math.min(1, profile * 1.5) };
}

function smoothMax(values: number[], k: number): number {
  const m = Math.max(...values);
  let sum = 0;
  for (const v of values) sum += Math.exp((v - m) / k);
  return m + k * Math.log(sum);
}

/** The bird's cross-section at z (BEAK_TIP_Z >= z >= TAIL_TIP_Z); zero-sized at the tips. */
export function birdSlice(z: number): Slice {
  const parts = [bodySlice(z), neckSlice(z), headSlice(z), beakSlice(z), tailSlice(z), wingSlice(z)].filter(
    (p): p is Slice => p !== null,
  );
  if (parts.length === 0) return { bottom: 0, top: 0, halfWidth: 0 };
  if (parts.length === 1) return parts[0];
  return {
    bottom: -smoothMax(parts.map((p) => -p.bottom), BLEND),
    top: smoothMax(parts.map((p) => p.top), BLEND),
    halfWidth: smoothMax(parts.map((p) => p.halfWidth), BLEND),
  };
}
