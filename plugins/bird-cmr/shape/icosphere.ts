/** A unit icosphere as float64 positions and counter-clockwise (seen from outside) triangles. */
export interface Icosphere {
  /** float64 [V*3] unit vectors. */
  readonly positions: Float64Array;
  /** int32 [F*3] vertex indices, counter-clockwise seen from outside. */
  readonly faces: Int32Array;
}

/** Vertex and face counts of an icosphere of `level` subdivisions: V = 10*4^level + 2, F = 20*4^level. */
export function icosphereCounts(level: number): { vertices: number; faces: number } {
  const f = 20 * 4 ** level;
  return { vertices: f / 2 + 2, faces: f };
}

/**
 * The icosahedron subdivided `level` times (each triangle into four, new vertices pushed onto the unit
 * sphere), oriented for a bird: one vertex at each pole (0,0,+-1) of the long axis z, and mirror
 * symmetric about the plane x = 0 (the mirror image of every vertex is a vertex). Level 3 gives CMR's
 * 642 vertices and 1,280 faces.
 */
export function icosphere(level: number): Icosphere {
  if (!Number.isInteger(level) || level < 0 || level > 7) {
    throw new Error(`icosphere level must be an integer in 0..7, got ${level}`);
  }
  const phi = (1 + Math.sqrt(5)) / 2;
  // The golden-rectangle icosahedron is symmetric under every coordinate sign flip; a rotation about x
  // that takes the vertex (0, 1, phi) to +z keeps the x = 0 mirror and puts vertices on both poles.
  const base: [number, number, number][] = [];
  for (const a of [-1, 1]) {
    for (const b of [-phi, phi]) {
      base.push([a, b, 0], [0, a, b], [b, 0, a]);
    }
  }
  const norm = Math.hypot(1, phi);
  const cos = phi / norm;
  const sin = 1 / norm;
  const positions: number[] = [];
  for (const [x, y, z] of base) {
    const yr = y * cos - z * sin;
    const zr = y * sin + z * cos;
    positions.push(x / norm, yr / norm, zr / norm);
  }
  // Faces are the triples of mutually adjacent vertices (edge length 2/norm on the unit sphere).
  const edge2 = (2 / norm) ** 2;
  const adjacent = (i: number, j: number): boolean => {
    const d = Math.hypot(
      positions[3 * i] - positions[3 * j],
      positions[3 * i + 1] - positions[3 * j + 1],
      positions[3 * i + 2] - positions[3 * j + 2],
    );
    return Math.abs(d * d - edge2) < 1e-9;
  };
  let faces: number[] = [];
  for (let i = 0; i < 12; i++) {
    for (let j = i + 1; j < 12; j++) {
      if (!adjacent(i, j)) continue;
      for (let k = j + 1; k < 12; k++) {
        if (adjacent(i, k) && adjacent(j, k)) faces.push(...orientOutward(positions, i, j, k));
      }
    }
  }
  for (let l = 0; l < level; l++) faces = subdivide(positions, faces);
  return { positions: Float64Array.from(positions), faces: Int32Array.from(faces) };
}

/** [i, j, k] or [i, k, j], whichever is counter-clockwise seen from outside a sphere centred at 0. */
function orientOutward(p: number[], i: number, j: number, k: number): [number, number, number] {
  const e1 = [p[3 * j] - p[3 * i], p[3 * j + 1] - p[3 * i + 1], p[3 * j + 2] - p[3 * i + 2]];
  const e2 = [p[3 * k] - p[3 * i], p[3 * k + 1] - p[3 * i + 1], p[3 * k + 2] - p[3 * i + 2]];
  const n = [e1[1] * e2[2] - e1[2] * e2[1], e1[2] * e2[0] - e1[0] * e2[2], e1[0] * e2[1] - e1[1] * e2[0]];
  const out = n[0] * p[3 * i] + n[1] * p[3 * i + 1] + n[2] * p[3 * i + 2];
  return out > 0 ? [i, j, k] : [i, k, j];
}

/** Splits each triangle into four; midpoints are shared between the two faces of an edge. */
function subdivide(positions: number[], faces: number[]): number[] {
  const midpoints = new Map<number, number>();
  const midpoint = (a: number, b: number): number => {
    const key = a < b ? a * 1_000_003 + b : b * 1_000_003 + a;
    const known = midpoints.get(key);
    if (known !== undefined) return known;
    const x = positions[3 * a] + positions[3 * b];
    const y = positions[3 * a + 1] + positions[3 * b + 1];
    const z = positions[3 * a + 2] + positions[3 * b + 2];
    const n = Math.hypot(x, y, z);
    const index = positions.length / 3;
    positions.push(x / n, y / n, z / n);
    midpoints.set(key, index);
    return index;
  };
  const out: number[] = [];
  for (let f = 0; f < faces.length; f += 3) {
    const [a, b, c] = [faces[f], faces[f + 1], faces[f + 2]];
    const ab = midpoint(a, b);
    const bc = midpoint(b, c);
    const ca = midpoint(c, a);
    out.push(a, ab, ca, ab, b, bc, ca, bc, c, ab, bc, ca);
  }
  return out;
}
