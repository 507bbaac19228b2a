import type { Mesh } from '../../../core/interfaces/mesh';

/** A point on a mesh's surface: a face and barycentric weights of its three corners (summing to 1). */
export interface SurfacePoint {
  readonly face: number;
  readonly barycentric: readonly [number, number, number];
}

/** Position of a surface point on `vertices` (float [V*3]) with `faces` (int32 [F*3]). */
export function surfacePosition(vertices: ArrayLike<number>, faces: Int32Array, p: SurfacePoint): [number, number, number] {
  const out: [number, number, number] = [0, 0, 0];
  for (let k = 0; k < 3; k++) {
    const v = faces[3 * p.face + k];
    for (let d = 0; d < 3; d++) out[d] += p.barycentric[k] * vertices[3 * v + d];
  }
  return out;
}

/** Closest point of triangle (a, b, c) to p, as barycentric weights (Ericson, Real-Time Collision Detection 5.1.5). */
function closestOnTriangle(p: number[], a: number[], b: number[], c: number[]): [number, number, number] {
  const sub = (u: number[], v: number[]) => [u[0] - v[0], u[1] - v[1], u[2] - v[2]];
  const dot = (u: number[], v: number[]) => u[0] * v[0] + u[1] * v[1] + u[2] * v[2];
  const ab = sub(b, a);
  const ac = sub(c, a);
  const ap = sub(p, a);
  const d1 = dot(ab, ap);
  const d2 = dot(ac, ap);
  if (d1 <= 0 && d2 <= 0) return [1, 0, 0];
  const bp = sub(p, b);
  const d3 = dot(ab, bp);
  const d4 = dot(ac, bp);
  if (d3 >= 0 && d4 <= d3) return [0, 1, 0];
  const vc = d1 * d4 - d3 * d2;
  if (vc <= 0 && d1 >= 0 && d3 <= 0) {
    const v = d1 / (d1 - d3);
    return [1 - v, v, 0];
  }
  const cp = sub(p, c);
  const d5 = dot(ab, cp);
  const d6 = dot(ac, cp);
  if (d6 >= 0 && d5 <= d6) return [0, 0, 1];
  const vb = d5 * d2 - d1 * d6;
  if (vb <= 0 && d2 >= 0 && d6 <= 0) {
    const w = d2 / (d2 - d6);
    return [1 - w, 0, w];
  }
  const va = d3 * d6 - d5 * d4;
  if (va <= 0 && d4 - d3 >= 0 && d5 - d6 >= 0) {
    const w = (d4 - d3) / (d4 - d3 + (d5 - d6));
    return [0, 1 - w, w];
  }
  const denom = 1 / (va + vb + vc);
  const v = vb * denom;
  const w = vc * denom;
  return [1 - v - w, v, w];
}

/** The point of `mesh`'s surface closest to `target` (brute force over faces: meant for a few points). */
export function closestSurfacePoint(mesh: Pick<Mesh, 'vertices' | 'faces'>, target: readonly number[]): SurfacePoint {
  const { vertices, faces } = mesh;
  const corner = (i: number) => [vertices[3 * i], vertices[3 * i + 1], vertices[3 * i + 2]];
  let best: SurfacePoint = { face: 0, barycentric: [1, 0, 0] };
  let bestDist = Infinity;
  for (let f = 0; f < faces.length / 3; f++) {
    const bary = closestOnTriangle([...target], corner(faces[3 * f]), corner(faces[3 * f + 1]), corner(faces[3 * f + 2]));
    const p = surfacePosition(vertices, faces, { face: f, barycentric: bary });
    const d = Math.hypot(p[0] - target[0], p[1] - target[1], p[2] - target[2]);
    if (d < bestDist) {
      bestDist = d;
      best = { face: f, barycentric: bary };
    }
  }
  return best;
}

/**
 * The mirror image of a surface point on a symmetric mesh: the face whose corners are the mirrors of
 * the original's corners, with the weights carried over corner by corner.
 * @param pairs int32 [V] vertex -> mirror vertex
 * @throws when the mesh has no such face (it is not symmetric)
 */
export function mirrorSurfacePoint(faces: Int32Array, pairs: Int32Array, p: SurfacePoint): SurfacePoint {
  const mirrored = [0, 1, 2].map((k) => pairs[faces[3 * p.face + k]]);
  for (let f = 0; f < faces.length / 3; f++) {
    const corners = [faces[3 * f], faces[3 * f + 1], faces[3 * f + 2]];
    if (!mirrored.every((v) => corners.includes(v))) continue;
    const w: [number, number, number] = [0, 0, 0];
    mirrored.forEach((v, k) => {
      w[corners.indexOf(v)] = p.barycentric[k];
    });
    return { face: f, barycentric: w };
  }
  throw new Error(`face ${p.face} has no mirror face: the mesh is not left-right symmetric`);
}
