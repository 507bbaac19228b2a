import type { Mesh } from '../interfaces/mesh';

/**
 * Per-face cross products (b - a) x (c - a), float64 [F*3]: the face normal scaled by twice its area,
 * pointing outwards for counter-clockwise faces.
 */
export function faceCrossProducts(mesh: Mesh): Float64Array {
  const { vertices: v, faces } = mesh;
  const out = new Float64Array(faces.length);
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
    out[f] = uy * wz - uz * wy;
    out[f + 1] = uz * wx - ux * wz;
    out[f + 2] = ux * wy - uy * wx;
  }
  return out;
}

/** Normalises consecutive 3-vectors into float32 (zero vectors stay zero). */
function unit3(vectors: Float64Array): Float32Array {
  const out = new Float32Array(vectors.length);
  for (let i = 0; i < vectors.length; i += 3) {
    const n = Math.hypot(vectors[i], vectors[i + 1], vectors[i + 2]);
    if (n > 0) {
      out[i] = vectors[i] / n;
      out[i + 1] = vectors[i + 1] / n;
      out[i + 2] = vectors[i + 2] / n;
    }
  }
  return out;
}

/** Unit normals of the faces, float32 [F*3] (zero for degenerate faces). */
export function faceNormals(mesh: Mesh): Float32Array {
  return unit3(faceCrossProducts(mesh));
}

/**
 * Smooth vertex normals, float32 [V*3]: the area-weighted sum of the adjacent faces' normals, normalised
 * (zero for isolated vertices).
 */
export function vertexNormals(mesh: Mesh): Float32Array {
  const { vertices, faces } = mesh;
  const cross = faceCrossProducts(mesh);
  const acc = new Float64Array(vertices.length);
  for (let f = 0; f < faces.length; f++) {
    const i = 3 * faces[f];
    const k = 3 * Math.floor(f / 3);
    acc[i] += cross[k];
    acc[i + 1] += cross[k + 1];
    acc[i + 2] += cross[k + 2];
  }
  return unit3(acc);
}
