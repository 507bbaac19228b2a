import type { AlignedMesh, Mesh } from '../../../core/interfaces/mesh';
import { WeakPerspectiveCamera } from '../../../core/renderer/weak-perspective-camera';
import { FACE_VERTEX_COUNT, loadFaceTopology } from './face-topology';

/** The model-to-view rotation of a face seen from the front: model y up and z towards the viewer; view y down. */
export const FRONT_QUATERNION: readonly [number, number, number, number] = [0, 1, 0, 0];

/** The face mesh with the canonical topology around `vertices` (float32 [468*3], model space). */
export function faceMesh(vertices: Float32Array): Mesh {
  if (vertices.length !== FACE_VERTEX_COUNT * 3) throw new Error(`a face mesh has ${FACE_VERTEX_COUNT} vertices, got ${vertices.length / 3}`);
  const t = loadFaceTopology();
  return { vertices, faces: t.faces, uvs: t.uvs, uvFaces: t.faces };
}

/**
 * The face mesh aligned with an image from its landmarks: the landmarks are the vertices. Model space is
 * the landmarks centred and scaled to about unit half-size (y up, z towards the viewer), seen by a
 * weak-perspective camera with the front rotation; the camera reprojects every vertex onto its landmark.
 * @param points float32 [468*3] image pixels x, y and depth in pixel units (smaller nearer)
 */
export function meshFromLandmarks(points: Float32Array, height: number, width: number, score: number): AlignedMesh {
  const n = FACE_VERTEX_COUNT;
  const nx = new Float64Array(n);
  const ny = new Float64Array(n);
  const nz = new Float64Array(n);
  let cx = 0;
  let cy = 0;
  let cz = 0;
  for (let i = 0; i < n; i++) {
    nx[i] = (2 * points[3 * i]) / width - 1;
    ny[i] = (2 * points[3 * i + 1]) / height - 1;
    nz[i] = (2 * points[3 * i + 2]) / width;
    cx += nx[i] / n;
    cy += ny[i] / n;
    cz += nz[i] / n;
  }
  let extent = 0;
  for (let i = 0; i < n; i++) extent = Math.max(extent, Math.abs(nx[i] - cx), Math.abs(ny[i] - cy));
  const s = extent > 0 ? extent : 1;
  const vertices = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) {
    vertices[3 * i] = (nx[i] - cx) / s;
    vertices[3 * i + 1] = -(ny[i] - cy) / s;
    vertices[3 * i + 2] = -(nz[i] - cz) / s;
  }
  const camera = new WeakPerspectiveCamera({ scale: s, translation: [cx, cy], quaternion: FRONT_QUATERNION });
  return {
    mesh: faceMesh(vertices),
    camera,
    parameters: { camera: { kind: 'weak-perspective', scale: s, translation: [cx, cy], quaternion: FRONT_QUATERNION }, landmarkScore: score },
  };
}
