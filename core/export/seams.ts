import type { Mesh } from '../interfaces/mesh';

/** A mesh re-indexed so that each vertex has one position and one UV (what glTF and GPUs need). */
export interface SingleIndexMesh {
  /** float32 [N*3]. */
  readonly positions: Float32Array;
  /** float32 [N*2] in the Mesh convention (v upwards); flip v for glTF. */
  readonly uvs: Float32Array;
  /** uint32 [F*3] into the N vertices. */
  readonly indices: Uint32Array;
  /** int32 [N]: the original vertex each new vertex copies (to share normals across seams). */
  readonly sourceVertex: Int32Array;
}

/**
 * Splits vertices at UV seams: every distinct (vertex, uv) corner pair becomes one vertex, so a vertex
 * with k UVs becomes k vertices at the same position. Faces keep their order and winding.
 */
export function splitAtSeams(mesh: Mesh): SingleIndexMesh {
  const { vertices, faces, uvs, uvFaces } = mesh;
  const nt = uvs.length / 2;
  const index = new Map<number, number>();
  const indices = new Uint32Array(faces.length);
  const source: number[] = [];
  const sourceUv: number[] = [];
  for (let i = 0; i < faces.length; i++) {
    const key = faces[i] * nt + uvFaces[i];
    let n = index.get(key);
    if (n === undefined) {
      n = source.length;
      index.set(key, n);
      source.push(faces[i]);
      sourceUv.push(uvFaces[i]);
    }
    indices[i] = n;
  }
  const count = source.length;
  const positions = new Float32Array(count * 3);
  const outUvs = new Float32Array(count * 2);
  for (let n = 0; n < count; n++) {
    positions.set(vertices.subarray(3 * source[n], 3 * source[n] + 3), 3 * n);
    outUvs.set(uvs.subarray(2 * sourceUv[n], 2 * sourceUv[n] + 2), 2 * n);
  }
  return { positions, uvs: outUvs, indices, sourceVertex: Int32Array.from(source) };
}

/**
 * Smooth vertex normals, float32 [V*3]: the area-weighted sum of the adjacent faces' normals,
 * normalised (zero for isolated vertices). Computed on the original vertices so that normals agree on
 * both sides of a UV seam.
 */
export function vertexNormals(mesh: Mesh): Float32Array {
  const { vertices: v, faces } = mesh;
  const acc = new Float64Array(v.length);
  for (let f = 0; f < faces.length; f += 3) {
    const a = 3 * faces[f];
    const b = 3 * faces[f + 1];
    const c = 3 * faces[f + 2];
    const ux = v[b] - v[a];
    const uy = v[b + 1] - v[a + 1];
    const uz = v[b + 2] - v[a + 2];
    const wx = v[c] - v[a];
    const wy = v[c + 1] - v[a + 1];
    const wz = v[c + 2] - v[a + 2];
    // The cross product's length is twice the face area: exactly the weighting wanted.
    const nx = uy * wz - uz * wy;
    const ny = uz * wx - ux * wz;
    const nz = ux * wy - uy * wx;
    for (const i of [a, b, c]) {
      acc[i] += nx;
      acc[i + 1] += ny;
      acc[i + 2] += nz;
    }
  }
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i += 3) {
    const n = Math.hypot(acc[i], acc[i + 1], acc[i + 2]);
    if (n > 0) {
      out[i] = acc[i] / n;
      out[i + 1] = acc[i + 1] / n;
      out[i + 2] = acc[i + 2] / n;
    }
  }
  return out;
}
