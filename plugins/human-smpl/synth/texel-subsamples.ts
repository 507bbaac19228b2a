import type { TexelSurface } from './texel-surface';

/** Neighbours farther apart than this on the body (metres) belong to another chart: no step is taken from them. */
const MAX_STEP = 0.05;

/** The surface step of one texel towards `±offset` (central difference, one-sided at chart borders). */
function step(surface: TexelSurface, t: number, offset: number, before: boolean, after: boolean, out: number[]): void {
  const p = surface.position;
  const usable = (u: number): boolean => {
    if (surface.joint[u] < 0) return false;
    const d = Math.hypot(p[3 * u] - p[3 * t], p[3 * u + 1] - p[3 * t + 1], p[3 * u + 2] - p[3 * t + 2]);
    return d < MAX_STEP;
  };
  const lo = before && usable(t - offset) ? t - offset : t;
  const hi = after && usable(t + offset) ? t + offset : t;
  const span = (hi - lo) / offset;
  for (let k = 0; k < 3; k++) out[k] = span > 0 ? (p[3 * hi + k] - p[3 * lo + k]) / span : 0;
}

/**
 * Rest-body points spread over the footprint of texel `t`, so that features smaller than a texel (an iris
 * is about one texel of a 128x128 atlas) are painted as their average over the texel instead of appearing
 * or vanishing with the sampling grid: an n x n grid of sub-texel offsets, extrapolated from the texel's
 * centre along the surface steps to its covered neighbours.
 * @returns float64 [n*n*3] rest-pose positions, metres
 */
export function texelSubsamples(surface: TexelSurface, t: number, n: number): Float64Array {
  const { width, height } = surface;
  const r = Math.floor(t / width);
  const c = t - r * width;
  const dc = [0, 0, 0];
  const dr = [0, 0, 0];
  step(surface, t, 1, c > 0, c < width - 1, dc);
  step(surface, t, width, r > 0, r < height - 1, dr);
  const out = new Float64Array(n * n * 3);
  const p = surface.position;
  let i = 0;
  for (let a = 0; a < n; a++) {
    const fr = (a + 0.5) / n - 0.5;
    for (let b = 0; b < n; b++) {
      const fc = (b + 0.5) / n - 0.5;
      for (let k = 0; k < 3; k++) out[i++] = p[3 * t + k] + fr * dr[k] + fc * dc[k];
    }
  }
  return out;
}
