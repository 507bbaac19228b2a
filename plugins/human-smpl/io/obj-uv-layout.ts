/** The UV layout of a mesh read from an OBJ file: `vt` lines and the `f v/vt` corners. */
export interface UvLayout {
  /** float32 [T*2], as written in the file (v upwards). */
  readonly uvs: Float32Array;
  /** int32 [F*3], 0-based UV index of each triangle corner. */
  readonly uvFaces: Int32Array;
  /** int32 [F*3], 0-based vertex index of each triangle corner (to check it matches the body's faces). */
  readonly faces: Int32Array;
}

function resolveIndex(token: string, count: number, what: string, line: number, source: string): number {
  const i = Number(token);
  if (!Number.isInteger(i) || i === 0) throw new Error(`${source}:${line}: bad ${what} index '${token}' in a face`);
  const idx = i > 0 ? i - 1 : count + i; // OBJ: 1-based, negative counts back from the latest
  if (idx < 0 || idx >= count) {
    throw new Error(`${source}:${line}: ${what} index ${i} refers past the ${count} ${what}s defined so far`);
  }
  return idx;
}

/**
 * Reads the UV layout of an OBJ (`v`, `vt` and `f v/vt[/vn]` lines; polygons are split into fans).
 * @param source file name for messages
 * @throws naming the line when a face lacks UV indices or an index is out of range
 */
export function parseObjUvLayout(text: string, source: string): UvLayout {
  const uvs: number[] = [];
  const uvFaces: number[] = [];
  const faces: number[] = [];
  let vertexCount = 0;
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const parts = lines[n].trim().split(/\s+/);
    if (parts[0] === 'v') vertexCount++;
    else if (parts[0] === 'vt') {
      const u = Number(parts[1]);
      const v = Number(parts[2]);
      if (!Number.isFinite(u) || !Number.isFinite(v)) throw new Error(`${source}:${n + 1}: bad 'vt' line '${lines[n]}'`);
      uvs.push(u, v);
    } else if (parts[0] === 'f') {
      const corners = parts.slice(1).map((c) => {
        const [vi, ti] = c.split('/');
        if (ti === undefined || ti === '') {
          throw new Error(`${source}:${n + 1}: face corner '${c}' has no UV index; the UV layout needs 'f v/vt' faces`);
        }
        return [resolveIndex(vi, vertexCount, 'vertex', n + 1, source), resolveIndex(ti, uvs.length / 2, 'UV', n + 1, source)];
      });
      if (corners.length < 3) throw new Error(`${source}:${n + 1}: a face needs at least 3 corners`);
      for (let k = 1; k + 1 < corners.length; k++) {
        for (const c of [corners[0], corners[k], corners[k + 1]]) {
          faces.push(c[0]);
          uvFaces.push(c[1]);
        }
      }
    }
  }
  if (faces.length === 0) throw new Error(`${source}: no faces ('f' lines) found; is this an OBJ with a UV layout?`);
  return { uvs: Float32Array.from(uvs), uvFaces: Int32Array.from(uvFaces), faces: Int32Array.from(faces) };
}
