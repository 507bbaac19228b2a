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
