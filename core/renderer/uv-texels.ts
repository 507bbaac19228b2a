/**
 * Visits the texels of a Th x Tw texture whose centres lie inside (or on an edge of) UV triangle `f`, with
 * the renderer's texel convention: the centre of texel (r, c) is at u = (c + 0.5) / Tw, v = 1 - (r + 0.5) / Th
 * (row 0 at v = 1). Degenerate triangles visit nothing.
 * @param visit receives the texel index r * Tw + c and the barycentric weights of the triangle's corners
 */
export function forEachUvTexel(
  uvs: ArrayLike<number>,
  uvFaces: ArrayLike<number>,
  f: number,
  th: number,
  tw: number,
  visit: (texel: number, w0: number, w1: number, w2: number) => void,
): void {
  const xs = [0, 1, 2].map((k) => uvs[2 * uvFaces[3 * f + k]] * tw);
  const ys = [0, 1, 2].map((k) => (1 - uvs[2 * uvFaces[3 * f + k] + 1]) * th);
  const area = (xs[1] - xs[0]) * (ys[2] - ys[0]) - (xs[2] - xs[0]) * (ys[1] - ys[0]);
  if (area === 0) return;
  const c0 = Math.max(0, Math.floor(Math.min(...xs) - 0.5));
  const c1 = Math.min(tw - 1, Math.ceil(Math.max(...xs) - 0.5));
  const r0 = Math.max(0, Math.floor(Math.min(...ys) - 0.5));
  const r1 = Math.min(th - 1, Math.ceil(Math.max(...ys) - 0.5));
  for (let r = r0; r <= r1; r++) {
    const py = r + 0.5;
    for (let c = c0; c <= c1; c++) {
      const px = c + 0.5;
      // Barycentrics from signed sub-areas; inside (edges included) when none is negative.
      const w0 = ((xs[1] - px) * (ys[2] - py) - (xs[2] - px) * (ys[1] - py)) / area;
      const w1 = ((xs[2] - px) * (ys[0] - py) - (xs[0] - px) * (ys[2] - py)) / area;
      const w2 = 1 - w0 - w1;
      if (w0 < -1e-9 || w1 < -1e-9 || w2 < -1e-9) continue;
      visit(r * tw + c, w0, w1, w2);
    }
  }
}

/**
 * The texels covered by a mesh's UV charts (centre inside some UV triangle).
 * @returns float32 [Th*Tw] in {0,1}, row 0 at v = 1
 */
export function uvChartMask(
  mesh: { readonly uvs: ArrayLike<number>; readonly uvFaces: ArrayLike<number> },
  textureSize: readonly [number, number],
): Float32Array {
  const [th, tw] = textureSize;
  const mask = new Float32Array(th * tw);
  for (let f = 0; f < mesh.uvFaces.length / 3; f++) {
    forEachUvTexel(mesh.uvs, mesh.uvFaces, f, th, tw, (t) => {
      mask[t] = 1;
    });
  }
  return mask;
}
