import * as fs from 'fs';
import type { Mesh } from '../interfaces/mesh';
import { describeFsError, FileError } from '../io/file-guard';
import { limit, raiseHint } from '../io/limits';
import { MeshError, UV_TOLERANCE, validateMesh } from '../renderer/mesh-validation';

/** At most this much of a record is shown in an error message. */
const SHOWN = 60;

const show = (line: string): string => (line.length > SHOWN ? `${line.slice(0, SHOWN - 3)}...` : line);

/**
 * Incremental Wavefront OBJ reader: feed it lines (in order), then `finish()`. Holds only the parsed
 * numbers, never the text, so files of any size stream through it.
 */
export class ObjParser {
  private readonly vertices: number[] = [];
  private readonly uvs: number[] = [];
  private readonly faces: number[] = [];
  private readonly uvFaces: number[] = [];
  /** Line number of each triangle, for messages about indices checked at the end (forward references). */
  private readonly faceLines: number[] = [];
  private lineNumber = 0;

  constructor(private readonly source = 'OBJ') {}

  /** Parses the next line of the file. @throws MeshError naming the line */
  line(raw: string): void {
    this.lineNumber++;
    const line = raw.trim();
    if (line === '' || line.charCodeAt(0) === 35 /* # */) return;
    const parts = line.split(/\s+/);
    const where = `${this.source} line ${this.lineNumber}`;
    const tag = parts[0];
    if (tag === 'v') {
      const xyz = parts.slice(1, 4).map(strictNumber);
      if (xyz.length !== 3 || !xyz.every((x) => Number.isFinite(Math.fround(x)))) {
        throw new MeshError(`${where}: a vertex needs 3 finite numbers (within float32 range): '${show(line)}'`);
      }
      this.vertices.push(xyz[0], xyz[1], xyz[2]);
    } else if (tag === 'vt') {
      const uv = parts.slice(1, 3).map(strictNumber);
      if (uv.length !== 2 || !uv.every(Number.isFinite)) throw new MeshError(`${where}: a texture coordinate needs finite u and v: '${show(line)}'`);
      if (!uv.every((x) => x >= -UV_TOLERANCE && x <= 1 + UV_TOLERANCE)) {
        throw new MeshError(`${where}: texture coordinate outside [0,1]: '${show(line)}' (wrap tiled UVs with u - floor(u), or rescale the layout)`);
      }
      this.uvs.push(uv[0], uv[1]);
    } else if (tag === 'f') {
      const nv = this.vertices.length / 3;
      const nt = this.uvs.length / 2;
      const corners = parts.slice(1).map((c) => {
        const [vi, ti] = c.split('/');
        if (ti === undefined || ti === '') {
          throw new MeshError(`${where}: face corner '${show(c)}' has no UV index; retex needs a UV layout (f v/vt ...)`);
        }
        return [this.index(vi, nv, 'vertex', where, line), this.index(ti, nt, 'texture coordinate', where, line)];
      });
      if (corners.length < 3) throw new MeshError(`${where}: a face needs at least 3 corners: '${show(line)}'`);
      for (let k = 1; k + 1 < corners.length; k++) {
        for (const c of [corners[0], corners[k], corners[k + 1]]) {
          this.faces.push(c[0]);
          this.uvFaces.push(c[1]);
        }
        this.faceLines.push(this.lineNumber);
      }
    }
  }

  /** An OBJ index (1-based, or negative = relative to the records so far) as a 0-based one. */
  private index(s: string, count: number, what: string, where: string, line: string): number {
    const k = /^-?\d+$/.test(s) ? Number(s) : NaN;
    if (!Number.isSafeInteger(k) || k === 0) throw new MeshError(`${where}: bad ${what} index '${show(s)}' in '${show(line)}' (OBJ indices are 1-based whole numbers)`);
    if (k < 0 && -k > count) {
      throw new MeshError(`${where}: relative ${what} index ${k} reaches before the first ${what} (only ${count} so far)`);
    }
    return k > 0 ? k - 1 : count + k;
  }

  /** The mesh read so far. @throws MeshError for an empty mesh or an index past the end, naming the line */
  finish(): Mesh {
    const nv = this.vertices.length / 3;
    const nt = this.uvs.length / 2;
    if (nv === 0) throw new MeshError(`${this.source} has no vertices ('v x y z' lines): it is empty or not a Wavefront OBJ mesh`);
    if (this.faces.length === 0) {
      throw new MeshError(`${this.source} has ${nv} vertices but no faces ('f v/vt ...' lines): retex needs a triangle or polygon mesh with a UV layout`);
    }
    if (nt === 0) throw new MeshError(`${this.source} has no texture coordinates ('vt u v' lines): retex needs a UV layout`);
    for (let i = 0; i < this.faces.length; i++) {
      const bad = this.faces[i] >= nv ? ['vertex', this.faces[i], nv] : this.uvFaces[i] >= nt ? ['texture coordinate', this.uvFaces[i], nt] : null;
      if (bad) {
        throw new MeshError(
          `${this.source} line ${this.faceLines[Math.floor(i / 3)]}: face uses ${bad[0]} ${Number(bad[1]) + 1}, but the file has ` +
            `${bad[2]} ${bad[0] === 'vertex' ? 'vertices' : 'texture coordinates'} (numbered 1..${bad[2]})`,
        );
      }
    }
    const mesh: Mesh = {
      vertices: Float32Array.from(this.vertices),
      faces: Int32Array.from(this.faces),
      uvs: Float32Array.from(this.uvs),
      uvFaces: Int32Array.from(this.uvFaces),
    };
    validateMesh(mesh, this.source);
    return mesh;
  }
}

/** `Number` without its surprises: no empty strings, hex, binary or `Infinity` spelled out. */
function strictNumber(s: string): number {
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s) ? Number(s) : NaN;
}

/**
 * Parses Wavefront OBJ text into a `Mesh`: `v` and `vt` records, and `f` records with `v/vt` or
 * `v/vt/vn` corners (1-based or negative, relative indices); polygons are split into triangle fans.
 * Normals, groups, materials and other records are ignored.
 * @param source names the text in error messages (e.g. the file path)
 * @throws MeshError naming the line when a face has no UV index or a record is malformed, when the mesh
 *   is empty, and the usual mesh-contract errors (indices out of range, bad UVs)
 */
export function parseObj(text: string, source = 'OBJ'): Mesh {
  const parser = new ObjParser(source);
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    parser.line(text.slice(start, end));
    start = end + 1;
  }
  return parser.finish();
}

/**
 * Reads an OBJ file by streaming its lines (files over V8's 512 MB string limit included).
 * @throws FileError for a missing, unreadable or oversized file; MeshError for its content
 */
export async function readObjFile(file: string, options: { maxBytes?: number } = {}): Promise<Mesh> {
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(file);
  } catch (err) {
    throw describeFsError(err, file, 'read the mesh');
  }
  if (stat.isDirectory()) throw new FileError('is-directory', `mesh ${file} is a folder: give an .obj file`, file);
  const maxBytes = options.maxBytes ?? limit('meshBytes');
  if (stat.size > maxBytes) {
    throw new FileError('too-large', `mesh ${file} is ${(stat.size / 2 ** 20).toFixed(0)} MiB, over the ${(maxBytes / 2 ** 20).toFixed(0)} MiB limit: decimate it first, ${raiseHint('meshBytes')}`, file);
  }
  const parser = new ObjParser(file);
  const stream = fs.createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
  let rest = '';
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      const text = rest + chunk;
      let start = 0;
      for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
        parser.line(text.slice(start, end));
        start = end + 1;
      }
      rest = text.slice(start);
      if (rest.length > 1 << 20) throw new MeshError(`${file}: a line longer than 1 MiB: this is not a Wavefront OBJ text file`);
    }
  } catch (err) {
    stream.destroy();
    if (err instanceof MeshError) throw err;
    throw describeFsError(err, file, 'read the mesh');
  }
  parser.line(rest);
  return parser.finish();
}
