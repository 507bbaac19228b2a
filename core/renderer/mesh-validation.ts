import type { Mesh } from '../interfaces/mesh';

/** How far UVs may stray outside [0,1] (float noise from exporters) before they count as bad. */
export const UV_TOLERANCE = 1e-4;

/** A mesh that breaks the `Mesh` contract; the message names the offending face, vertex or UV. */
export class MeshError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MeshError';
  }
}

/**
 * Checks a mesh against the `Mesh` contract: array types and lengths, face and UV indices in range,
 * finite vertices, finite UVs inside [0,1].
 * @param what names the mesh in error messages (e.g. a file name)
 * @throws MeshError naming the first offending face / vertex / UV and how to fix it
 */
export function validateMesh(mesh: Mesh, what = 'mesh'): void {
  const { vertices, faces, uvs, uvFaces } = mesh;
  if (!(vertices instanceof Float32Array)) throw new MeshError(`${what}: vertices must be a Float32Array [V*3]`);
  if (!(faces instanceof Int32Array)) throw new MeshError(`${what}: faces must be an Int32Array [F*3]`);
  if (!(uvs instanceof Float32Array)) throw new MeshError(`${what}: uvs must be a Float32Array [T*2]`);
  if (!(uvFaces instanceof Int32Array)) throw new MeshError(`${what}: uvFaces must be an Int32Array [F*3]`);
  if (vertices.length % 3 !== 0) {
    throw new MeshError(`${what}: vertices has ${vertices.length} numbers, not a multiple of 3 (x, y, z per vertex)`);
  }
  if (faces.length % 3 !== 0) {
    throw new MeshError(`${what}: faces has ${faces.length} indices, not a multiple of 3 (triangles only)`);
  }
  if (uvs.length % 2 !== 0) throw new MeshError(`${what}: uvs has ${uvs.length} numbers, not a multiple of 2 (u, v)`);
  if (uvFaces.length !== faces.length) {
    throw new MeshError(
      `${what}: uvFaces has ${uvFaces.length / 3} triangles but faces has ${faces.length / 3}: each face needs one UV triangle`,
    );
  }
  const nv = vertices.length / 3;
  const nt = uvs.length / 2;
  for (let i = 0; i < vertices.length; i++) {
    if (!Number.isFinite(vertices[i])) {
      const v = Math.floor(i / 3);
      throw new MeshError(`${what}: vertex ${v} has a non-finite coordinate ${'xyz'[i % 3]} = ${vertices[i]}`);
    }
  }
  for (let i = 0; i < faces.length; i++) {
    const vi = faces[i];
    if (vi < 0 || vi >= nv) {
      throw new MeshError(
        `${what}: face ${Math.floor(i / 3)} corner ${i % 3} uses vertex ${vi}, but there are ${nv} vertices (0..${nv - 1}); ` +
          'indices are 0-based (OBJ files are 1-based: subtract 1)',
      );
    }
    const ti = uvFaces[i];
    if (ti < 0 || ti >= nt) {
      throw new MeshError(
        `${what}: face ${Math.floor(i / 3)} corner ${i % 3} uses UV ${ti}, but there are ${nt} UVs (0..${nt - 1})`,
      );
    }
  }
  for (let i = 0; i < uvs.length; i++) {
    const u = uvs[i];
    if (!Number.isFinite(u) || u < -UV_TOLERANCE || u > 1 + UV_TOLERANCE) {
      throw new MeshError(
        `${what}: UV ${Math.floor(i / 2)} has ${'uv'[i % 2]} = ${u}, outside [0,1]; ` +
          'UVs must lie in the unit square (wrap tiled UVs with u - floor(u), or rescale the layout)',
      );
    }
  }
}
