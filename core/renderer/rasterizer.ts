import type { Camera, Mesh } from '../interfaces/mesh';
import type { Fragments } from '../interfaces/renderer';
import { validateMesh } from './mesh-validation';

/**
 * Which faces to drop. Front faces are the ones whose corners appear counter-clockwise on screen
 * (the `Mesh` contract: counter-clockwise seen from outside).
 */
export type CullMode = 'none' | 'back' | 'front';

/** Rasterizer settings. */
export interface RasterSettings {
  /** Default `none`: both sides render and the nearest surface wins, so a mesh with flipped faces still renders. */
  readonly cull?: CullMode;
}

/**
 * Vertex positions are snapped to 1/256 pixel, so edge functions are integers, computed exactly in
 * float64 (for coordinates within about +-16k pixels): shared edges then have no cracks or double hits.
 */
const SUBPIXEL = 256;
const HALF = SUBPIXEL / 2;
/** A perspective face with a corner at or behind this depth is skipped (there is no near-plane clipping). */
const MIN_PERSPECTIVE_DEPTH = 1e-6;
/** Largest image the rasterizer accepts (keeps buffers bounded and catches swapped arguments). */
const MAX_PIXELS = 1 << 26;

/**
 * Z-buffered triangle rasterization of `mesh` seen by `camera` into an H x W image.
 *
 * A pixel is covered by a face when its centre (x + 0.5, y + 0.5) lies inside the projected triangle;
 * centres exactly on an edge go to one side only (top-left rule), so a closed surface has no gaps
 * and no pixel is counted twice. Each pixel keeps the nearest face (strictly smaller depth wins; on an
 * exact tie the face drawn first stays). Faces wholly or partly outside the image are clipped to it;
 * degenerate faces (zero projected area) and, for perspective cameras, faces touching a point at or
 * behind the camera are skipped. Barycentrics are perspective-correct when `camera.perspectiveCorrect`.
 *
 * @throws MeshError when the mesh breaks its contract (naming the face / vertex / UV)
 */
export function rasterize(
  mesh: Mesh,
  camera: Camera,
  height: number,
  width: number,
  settings: RasterSettings = {},
): Fragments {
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 1 || width < 1 || height * width > MAX_PIXELS) {
    throw new Error(`image size must be positive integers with at most ${MAX_PIXELS} pixels, got ${height}x${width}`);
  }
  const cull = settings.cull ?? 'none';
  if (cull !== 'none' && cull !== 'back' && cull !== 'front') {
    throw new Error(`cull must be 'none', 'back' or 'front', got '${String(cull)}'`);
  }
  validateMesh(mesh);
  const projected = camera.project(mesh.vertices, height, width);
  if (projected.length !== mesh.vertices.length) {
    throw new Error(
      `camera '${camera.kind}' returned ${projected.length} numbers for ${mesh.vertices.length / 3} vertices (expected 3 per vertex)`,
    );
  }
  const perspective = camera.perspectiveCorrect === true;
  const nv = projected.length / 3;
  const sx = new Float64Array(nv);
  const sy = new Float64Array(nv);
  const sz = new Float64Array(nv);
  const unusable = new Uint8Array(nv);
  for (let v = 0; v < nv; v++) {
    const x = projected[3 * v];
    const y = projected[3 * v + 1];
    const z = projected[3 * v + 2];
    if (!Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(z) || (perspective && z <= MIN_PERSPECTIVE_DEPTH)) {
      unusable[v] = 1;
      continue;
    }
    sx[v] = Math.round(x * SUBPIXEL);
    sy[v] = Math.round(y * SUBPIXEL);
    sz[v] = z;
  }

  const npix = height * width;
  const faceIds = new Int32Array(npix).fill(-1);
  const barycentrics = new Float32Array(npix * 3);
  const zbuf = new Float64Array(npix).fill(Infinity);
  const faces = mesh.faces;
  const nf = faces.length / 3;
  const keepFront = cull !== 'front';
  const keepBack = cull !== 'back';
  const maxX = width - 1;
  const maxY = height - 1;

  for (let f = 0; f < nf; f++) {
    const a = faces[3 * f];
    const b = faces[3 * f + 1];
    const c = faces[3 * f + 2];
    if (unusable[a] | unusable[b] | unusable[c]) continue;
    const x0 = sx[a];
    const y0 = sy[a];
    let x1 = sx[b];
    let y1 = sy[b];
    let z1 = sz[b];
    let x2 = sx[c];
    let y2 = sy[c];
    let z2 = sz[c];
    const z0 = sz[a];
    let area = (x1 - x0) * (y2 - y0) - (y1 - y0) * (x2 - x0);
    if (area === 0 || area !== area) continue;
    // With y pointing down, a counter-clockwise (front) face has negative signed area.
    const front = area < 0;
    if (front ? !keepFront : !keepBack) continue;
    // Orient every face to positive area so one inside test serves both sides; remember the swap
    // to report barycentrics in the face's own corner order.
    const swapped = area < 0;
    if (swapped) {
      let tmp = x1;
      x1 = x2;
      x2 = tmp;
      tmp = y1;
      y1 = y2;
      y2 = tmp;
      tmp = z1;
      z1 = z2;
      z2 = tmp;
      area = -area;
    }
    const bxMin = x0 < x1 ? (x0 < x2 ? x0 : x2) : x1 < x2 ? x1 : x2;
    const bxMax = x0 > x1 ? (x0 > x2 ? x0 : x2) : x1 > x2 ? x1 : x2;
    const byMin = y0 < y1 ? (y0 < y2 ? y0 : y2) : y1 < y2 ? y1 : y2;
    const byMax = y0 > y1 ? (y0 > y2 ? y0 : y2) : y1 > y2 ? y1 : y2;
    const i0 = Math.max(0, Math.ceil((bxMin - HALF) / SUBPIXEL));
    const i1 = Math.min(maxX, Math.floor((bxMax - HALF) / SUBPIXEL));
    if (i0 > i1) continue;
    const j0 = Math.max(0, Math.ceil((byMin - HALF) / SUBPIXEL));
    const j1 = Math.min(maxY, Math.floor((byMax - HALF) / SUBPIXEL));
    if (j0 > j1) continue;

    // Edge functions E_ab(P) = (xb - xa)(Py - ya) - (yb - ya)(Px - xa); w_k is the one opposite corner k.
    const dx12 = x2 - x1;
    const dy12 = y2 - y1;
    const dx20 = x0 - x2;
    const dy20 = y0 - y2;
    const dx01 = x1 - x0;
    const dy01 = y1 - y0;
    // Top-left rule: a centre exactly on an edge counts only for top edges (horizontal, going right)
    // and left edges (going up); since w is an integer, "> 0" is ">= 1".
    const t0 = dy12 < 0 || (dy12 === 0 && dx12 > 0) ? 0 : 1;
    const t1 = dy20 < 0 || (dy20 === 0 && dx20 > 0) ? 0 : 1;
    const t2 = dy01 < 0 || (dy01 === 0 && dx01 > 0) ? 0 : 1;
    const step0 = dy12 * SUBPIXEL;
    const step1 = dy20 * SUBPIXEL;
    const step2 = dy01 * SUBPIXEL;
    const inv = 1 / area;
    const iz0 = 1 / z0;
    const iz1 = 1 / z1;
    const iz2 = 1 / z2;
    const px0 = i0 * SUBPIXEL + HALF;
    for (let j = j0; j <= j1; j++) {
      const py = j * SUBPIXEL + HALF;
      let w0 = dx12 * (py - y1) - dy12 * (px0 - x1);
      let w1 = dx20 * (py - y2) - dy20 * (px0 - x2);
      let w2 = dx01 * (py - y0) - dy01 * (px0 - x0);
      const row = j * width;
      for (let i = i0; i <= i1; i++) {
        if (w0 >= t0 && w1 >= t1 && w2 >= t2) {
          let b0 = w0 * inv;
          let b1 = w1 * inv;
          let b2 = w2 * inv;
          let z: number;
          if (perspective) {
            const q0 = b0 * iz0;
            const q1 = b1 * iz1;
            const q2 = b2 * iz2;
            z = 1 / (q0 + q1 + q2);
            b0 = q0 * z;
            b1 = q1 * z;
            b2 = q2 * z;
          } else {
            z = b0 * z0 + b1 * z1 + b2 * z2;
          }
          const p = row + i;
          if (z < zbuf[p]) {
            zbuf[p] = z;
            faceIds[p] = f;
            const o = 3 * p;
            barycentrics[o] = b0;
            barycentrics[o + 1] = swapped ? b2 : b1;
            barycentrics[o + 2] = swapped ? b1 : b2;
          }
        }
        w0 -= step0;
        w1 -= step1;
        w2 -= step2;
      }
    }
  }

  const depth = new Float32Array(npix);
  const uv = new Float32Array(npix * 2);
  const { uvs, uvFaces } = mesh;
  for (let p = 0; p < npix; p++) {
    const f = faceIds[p];
    depth[p] = zbuf[p];
    if (f < 0) continue;
    const o = 3 * p;
    const ta = 2 * uvFaces[3 * f];
    const tb = 2 * uvFaces[3 * f + 1];
    const tc = 2 * uvFaces[3 * f + 2];
    const b0 = barycentrics[o];
    const b1 = barycentrics[o + 1];
    const b2 = barycentrics[o + 2];
    uv[2 * p] = b0 * uvs[ta] + b1 * uvs[tb] + b2 * uvs[tc];
    uv[2 * p + 1] = b0 * uvs[ta + 1] + b1 * uvs[tb + 1] + b2 * uvs[tc + 1];
  }
  return { height, width, faceIds, barycentrics, depth, uv };
}
