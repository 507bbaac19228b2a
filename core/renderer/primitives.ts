import type { Mesh } from '../interfaces/mesh';

type Vec3 = readonly [number, number, number];

/**
 * A quad as two triangles (0,1,2), (0,2,3) with the UV square on it.
 * @param corners top-left, bottom-left, bottom-right, top-right (counter-clockwise seen from the front)
 * UVs: top-left (0,1), bottom-left (0,0), bottom-right (1,0), top-right (1,1), so a texture image appears
 * upright on it.
 */
export function quadMesh(corners: readonly [Vec3, Vec3, Vec3, Vec3]): Mesh {
  return {
    vertices: Float32Array.from(corners.flat()),
    faces: Int32Array.of(0, 1, 2, 0, 2, 3),
    uvs: Float32Array.of(0, 1, 0, 0, 1, 0, 1, 1),
    uvFaces: Int32Array.of(0, 1, 2, 0, 2, 3),
  };
}

/**
 * Axis-aligned cube of side 2*half centred at the origin: 8 shared vertices, 12 faces counter-clockwise
 * seen from outside, and a 3x2 UV atlas with one cell per side (24 UVs: seams on every edge).
 * Side order (atlas cells left to right, top row first): +x, -x, +y, -y, +z, -z. Side faces have
 * v pointing along +y; the +y side has v along -z, the -y side v along +z.
 */
export function cubeMesh(half = 1): Mesh {
  // [normal, tangent u, tangent v] with u x v = normal, so corners c-u-v, c+u-v, c+u+v, c-u+v are CCW.
  const sides: [Vec3, Vec3, Vec3][] = [
    [[1, 0, 0], [0, 0, -1], [0, 1, 0]],
    [[-1, 0, 0], [0, 0, 1], [0, 1, 0]],
    [[0, 1, 0], [1, 0, 0], [0, 0, -1]],
    [[0, -1, 0], [1, 0, 0], [0, 0, 1]],
    [[0, 0, 1], [1, 0, 0], [0, 1, 0]],
    [[0, 0, -1], [-1, 0, 0], [0, 1, 0]],
  ];
  const vertices = new Float32Array(24);
  for (let i = 0; i < 8; i++) {
    vertices[3 * i] = i & 1 ? half : -half;
    vertices[3 * i + 1] = i & 2 ? half : -half;
    vertices[3 * i + 2] = i & 4 ? half : -half;
  }
  const vertexAt = (p: Vec3): number => (p[0] > 0 ? 1 : 0) + (p[1] > 0 ? 2 : 0) + (p[2] > 0 ? 4 : 0);
  const faces: number[] = [];
  const uvs: number[] = [];
  const uvFaces: number[] = [];
  sides.forEach(([n, u, v], s) => {
    const corner = (su: number, sv: number): Vec3 => [
      n[0] + su * u[0] + sv * v[0],
      n[1] + su * u[1] + sv * v[1],
      n[2] + su * u[2] + sv * v[2],
    ];
    const quad = [corner(-1, -1), corner(1, -1), corner(1, 1), corner(-1, 1)].map(vertexAt);
    const u0 = (s % 3) / 3;
    const v1 = 1 - Math.floor(s / 3) / 2;
    const t0 = uvs.length / 2;
    uvs.push(u0, v1 - 0.5, u0 + 1 / 3, v1 - 0.5, u0 + 1 / 3, v1, u0, v1);
    faces.push(quad[0], quad[1], quad[2], quad[0], quad[2], quad[3]);
    uvFaces.push(t0, t0 + 1, t0 + 2, t0, t0 + 2, t0 + 3);
  });
  return {
    vertices,
    faces: Int32Array.from(faces),
    uvs: Float32Array.from(uvs),
    uvFaces: Int32Array.from(uvFaces),
  };
}

/**
 * A closed genus-0 surface on a latitude-longitude grid: `rings` rings of `segments` vertices plus two
 * poles (V = rings*segments + 2, F = 2*rings*segments). `position(t, phi)` gives the point at
 * t in (0,1) from the top pole (t=0) to the bottom pole (t=1) and longitude phi in [0, 2pi); it must
 * wind so that increasing phi turns counter-clockwise seen from above (+y), e.g.
 * (r sin(pi t) cos(phi), cos(pi t), -r sin(pi t) sin(phi)).
 * UVs: u = phi / 2pi with the seam column duplicated at u = 1, v = 1 - t; each pole triangle gets its own
 * pole UV at the middle of its column, so the layout has no degenerate UV triangles.
 */
export function latLongMesh(
  rings: number,
  segments: number,
  position: (t: number, phi: number) => Vec3,
): Mesh {
  if (!Number.isInteger(rings) || !Number.isInteger(segments) || rings < 1 || segments < 3) {
    throw new Error(`lat-long mesh needs rings >= 1 and segments >= 3 (integers), got ${rings}, ${segments}`);
  }
  const nv = rings * segments + 2;
  const vertices = new Float32Array(nv * 3);
  const put = (i: number, p: Vec3): void => {
    vertices[3 * i] = p[0];
    vertices[3 * i + 1] = p[1];
    vertices[3 * i + 2] = p[2];
  };
  const top = rings * segments;
  const bottom = top + 1;
  put(top, position(0, 0));
  put(bottom, position(1, 0));
  for (let r = 0; r < rings; r++) {
    const t = (r + 1) / (rings + 1);
    for (let s = 0; s < segments; s++) put(r * segments + s, position(t, (2 * Math.PI * s) / segments));
  }
  // UV grid: (segments + 1) columns per ring, then one pole UV per column at the top and the bottom.
  const cols = segments + 1;
  const uvs = new Float32Array((rings * cols + 2 * segments) * 2);
  for (let r = 0; r < rings; r++) {
    for (let s = 0; s < cols; s++) {
      uvs[2 * (r * cols + s)] = s / segments;
      uvs[2 * (r * cols + s) + 1] = 1 - (r + 1) / (rings + 1);
    }
  }
  const topUv = rings * cols;
  const bottomUv = topUv + segments;
  for (let s = 0; s < segments; s++) {
    uvs[2 * (topUv + s)] = (s + 0.5) / segments;
    uvs[2 * (topUv + s) + 1] = 1;
    uvs[2 * (bottomUv + s)] = (s + 0.5) / segments;
    uvs[2 * (bottomUv + s) + 1] = 0;
  }
  const nf = 2 * rings * segments;
  const faces = new Int32Array(nf * 3);
  const uvFaces = new Int32Array(nf * 3);
  let f = 0;
  const tri = (a: number, b: number, c: number, ta: number, tb: number, tc: number): void => {
    faces.set([a, b, c], 3 * f);
    uvFaces.set([ta, tb, tc], 3 * f);
    f++;
  };
  const vid = (r: number, s: number): number => r * segments + (s % segments);
  const tid = (r: number, s: number): number => r * cols + s;
  for (let s = 0; s < segments; s++) {
    tri(top, vid(0, s), vid(0, s + 1), topUv + s, tid(0, s), tid(0, s + 1));
    for (let r = 0; r + 1 < rings; r++) {
      tri(vid(r, s), vid(r + 1, s), vid(r + 1, s + 1), tid(r, s), tid(r + 1, s), tid(r + 1, s + 1));
      tri(vid(r, s), vid(r + 1, s + 1), vid(r, s + 1), tid(r, s), tid(r + 1, s + 1), tid(r, s + 1));
    }
    const last = rings - 1;
    tri(vid(last, s), bottom, vid(last, s + 1), tid(last, s), bottomUv + s, tid(last, s + 1));
  }
  return { vertices, faces, uvs, uvFaces };
}

/** A UV sphere of `radius` (see `latLongMesh` for the layout). */
export function uvSphereMesh(rings = 16, segments = 32, radius = 1): Mesh {
  return latLongMesh(rings, segments, (t, phi) => {
    const s = Math.sin(Math.PI * t);
    return [radius * s * Math.cos(phi), radius * Math.cos(Math.PI * t), -radius * s * Math.sin(phi)];
  });
}

/** Signed volume of a closed mesh: positive when faces are counter-clockwise seen from outside. */
export function signedVolume(mesh: Mesh): number {
  const { vertices: v, faces } = mesh;
  let vol = 0;
  for (let f = 0; f < faces.length; f += 3) {
    const a = 3 * faces[f];
    const b = 3 * faces[f + 1];
    const c = 3 * faces[f + 2];
    vol +=
      v[a] * (v[b + 1] * v[c + 2] - v[b + 2] * v[c + 1]) -
      v[a + 1] * (v[b] * v[c + 2] - v[b + 2] * v[c]) +
      v[a + 2] * (v[b] * v[c + 1] - v[b + 1] * v[c]);
  }
  return vol / 6;
}
