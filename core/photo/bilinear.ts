/**
 * Bilinear sample of channel k of an interleaved [H*W*C] array at index coordinates (x, y) (sample centres at
 * integers), clamped to the array.
 */
export function bilinearAt(values: ArrayLike<number>, height: number, width: number, channels: number, k: number, x: number, y: number): number {
  const xf = Math.min(width - 1, Math.max(0, x));
  const yf = Math.min(height - 1, Math.max(0, y));
  const xa = Math.floor(xf);
  const ya = Math.floor(yf);
  const xb = Math.min(width - 1, xa + 1);
  const yb = Math.min(height - 1, ya + 1);
  const fx = xf - xa;
  const fy = yf - ya;
  const at = (xx: number, yy: number) => values[channels * (yy * width + xx) + k];
  return (at(xa, ya) * (1 - fx) + at(xb, ya) * fx) * (1 - fy) + (at(xa, yb) * (1 - fx) + at(xb, yb) * fx) * fy;
}
