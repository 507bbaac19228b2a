import type { Mesh } from '../interfaces/mesh';
import { MeshError, validateMesh } from '../renderer/mesh-validation';

/**
 * Parses Wavefront OBJ text into a `Mesh`: `v` and `vt` records, and `f` records with `v/vt` or
 * `v/vt/vn` corners (1-based or negative, relative indices); polygons are split into triangle fans.
 * Normals, groups, materials and other records are ignored.
 * @param source names the text in error messages (e.g. the file path)
 * @throws MeshError naming the line when a face has no UV index or a record is malformed, and the
 *   usual mesh-contract errors (indices out of range, bad UVs)
 */
export function parseObj(text: string, source = 'OBJ'): Mesh {
  const vertices: number[] = [];
  const uvs: number[] = [];
  const faces: number[] = [];
  const uvFaces: number[] = [];
  const lines = text.split(/\r?\n/);
  for (let ln = 0; ln < lines.length; ln++) {
    const line = lines[ln].trim();
    if (line === '' || line.startsWith('#')) continue;
    const parts = line.split(/\s+/);
    const where = `${source} line ${ln + 1}`;
    if (parts[0] === 'v') {
      const xyz = parts.slice(1, 4).map(Number);
      if (xyz.length !== 3 || !xyz.every(Number.isFinite)) throw new MeshError(`${where}: a vertex needs 3 finite numbers: '${line}'`);
      vertices.push(...xyz);
    } else if (parts[0] === 'vt') {
      const uv = parts.slice(1, 3).map(Number);
      if (uv.length !== 2 || !uv.every(Number.isFinite)) throw new MeshError(`${where}: a texture coordinate needs u and v: '${line}'`);
      uvs.push(...uv);
    } else if (parts[0] === 'f') {
      const corners = parts.slice(1).map((c) => {
        const [vi, ti] = c.split('/');
        if (ti === undefined || ti === '') {
          throw new MeshError(`${where}: face corner '${c}' has no UV index; retex needs a UV layout (f v/vt ...)`);
        }
        const resolve = (s: string, count: number): number => {
          const k = Number(s);
          if (!Number.isInteger(k) || k === 0) throw new MeshError(`${where}: bad index '${s}' in '${line}'`);
          return k > 0 ? k - 1 : count + k;
        };
        return [resolve(vi, vertices.length / 3), resolve(ti, uvs.length / 2)];
      });
      if (corners.length < 3) throw new MeshError(`${where}: a face needs at least 3 corners: '${line}'`);
      for (let k = 1; k + 1 < corners.length; k++) {
        for (const c of [corners[0], corners[k], corners[k + 1]]) {
          faces.push(c[0]);
          uvFaces.push(c[1]);
        }
      }
    }
  }
  const mesh: Mesh = {
    vertices: Float32Array.from(vertices),
    faces: Int32Array.from(faces),
    uvs: Float32Array.from(uvs),
    uvFaces: Int32Array.from(uvFaces),
  };
  validateMesh(mesh, source);
  return mesh;
}
