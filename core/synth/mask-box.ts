/**
 * The tight box around the set pixels of a row-major H x W mask, as [x0, y0, x1, y1] with x1, y1
 * exclusive; x1 <= x0 when no pixel is set.
 */
export function maskBox(mask: ArrayLike<number>, height: number, width: number): [number, number, number, number] {
  let [x0, y0, x1, y1] = [width, height, 0, 0];
  for (let p = 0; p < height * width; p++) {
    if (!mask[p]) continue;
    const x = p % width;
    const y = (p - x) / width;
    if (x < x0) x0 = x;
    if (x + 1 > x1) x1 = x + 1;
    if (y < y0) y0 = y;
    if (y + 1 > y1) y1 = y + 1;
  }
  return [x0, y0, x1, y1];
}
