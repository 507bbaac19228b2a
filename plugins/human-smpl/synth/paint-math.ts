/** Hermite step from 0 at `e0` to 1 at `e1` (either order). */
export function smooth(e0: number, e1: number, x: number): number {
  const t = Math.max(0, Math.min(1, (x - e0) / (e1 - e0)));
  return t * t * (3 - 2 * t);
}

/** Coverage of the ellipse with half-axes a, b centred at the origin, soft over about `soft` metres. */
export function ellipse(x: number, y: number, a: number, b: number, soft: number): number {
  const e = Math.hypot(x / a, y / b);
  return 1 - smooth(-soft, soft, (e - 1) * Math.min(a, b));
}

/** Piecewise-linear interpolation through knots [x, y] sorted by x; constant beyond the ends. */
export function interpolate(knots: readonly (readonly [number, number])[], x: number): number {
  if (x <= knots[0][0]) return knots[0][1];
  for (let i = 1; i < knots.length; i++) {
    const [x1, y1] = knots[i];
    if (x <= x1) {
      const [x0, y0] = knots[i - 1];
      return y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
    }
  }
  return knots[knots.length - 1][1];
}
