/** An RGB colour with channels in [0,1]. */
export type Colour = readonly [number, number, number];

/** HSV (hue in [0,1), saturation and value in [0,1]) to RGB. */
export function hsv(h: number, s: number, v: number): Colour {
  const hh = (((h % 1) + 1) % 1) * 6;
  const i = Math.floor(hh);
  const f = hh - i;
  const p = v * (1 - s);
  const q = v * (1 - s * f);
  const t = v * (1 - s * (1 - f));
  const table: Colour[] = [[v, t, p], [q, v, p], [p, v, t], [p, q, v], [t, p, v], [v, p, q]];
  return table[i % 6];
}

/** Linear mix a*(1-t) + b*t. */
export function mix(a: Colour, b: Colour, t: number): Colour {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

/** Each channel times k, clamped to [0,1]. */
export function scaleColour(a: Colour, k: number): Colour {
  return [Math.min(1, a[0] * k), Math.min(1, a[1] * k), Math.min(1, a[2] * k)];
}

/** Euclidean distance in RGB. */
export function colourDistance(a: Colour, b: Colour): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}
