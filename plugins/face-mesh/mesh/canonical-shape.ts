import * as fs from 'fs';
import * as path from 'path';
import type { Mesh } from '../../../core/interfaces/mesh';
import { packageRoot } from '../../../core/paths';
import { faceMesh } from './face-mesh';
import { FACE_VERTEX_COUNT, loadFaceTopology } from './face-topology';

/**
 * The face at rest: 468 vertices (y up, facing +z, about unit half-height), made by
 * `plugins/face-mesh/tools/canonical-shape.ts` from FaceMesh's landmarks of the sample face `@vladmandic/human`
 * ships, made exactly left-right symmetric. Stored beside this file as canonical-shape.json (read from the package root, not dist/).
 */
export function canonicalShapeFile(): string {
  return path.join(packageRoot(), 'plugins', 'face-mesh', 'mesh', 'canonical-shape.json');
}

/** Averages each vertex with its mirror image (x negated) so the shape is exactly symmetric. */
export function symmetrize(vertices: Float32Array, mirror: Int32Array): Float32Array {
  const out = new Float32Array(vertices.length);
  for (let i = 0; i < mirror.length; i++) {
    const j = mirror[i];
    out[3 * i] = (vertices[3 * i] - vertices[3 * j]) / 2;
    out[3 * i + 1] = (vertices[3 * i + 1] + vertices[3 * j + 1]) / 2;
    out[3 * i + 2] = (vertices[3 * i + 2] + vertices[3 * j + 2]) / 2;
  }
  return out;
}

/** The canonical face mesh (template shape, canonical topology). */
export function canonicalFaceMesh(): Mesh {
  const file = canonicalShapeFile();
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: rebuild it with node dist/plugins/face-mesh/tools/canonical-shape.js`);
  const data = JSON.parse(fs.readFileSync(file, 'utf8')) as { vertices: number[] };
  if (!Array.isArray(data.vertices) || data.vertices.length !== FACE_VERTEX_COUNT * 3) throw new Error(`${file}: vertices must hold ${FACE_VERTEX_COUNT * 3} numbers`);
  return faceMesh(symmetrize(Float32Array.from(data.vertices), loadFaceTopology().mirror));
}
