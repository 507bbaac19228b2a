/** A chart to place: its physical size (metres) times its texel-density multiplier. */
export interface ChartRequest {
  readonly width: number;
  readonly height: number;
}

/** Where a chart landed in the unit square. `rotated`: the chart's u runs along the atlas's v. */
export interface ChartPlacement {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly rotated: boolean;
}

function shelfPack(charts: readonly ChartRequest[], s: number, pad: number): ChartPlacement[] | null {
  // Lay every chart with its long side horizontal, tallest first, in rows (shelves).
  const items = charts
    .map((c, i) => {
      const rotated = c.height > c.width;
      return { i, rotated, w: (rotated ? c.height : c.width) * s, h: (rotated ? c.width : c.height) * s };
    })
    .sort((a, b) => b.h - a.h || b.w - a.w);
  const out: ChartPlacement[] = new Array(charts.length);
  const rows: Array<{ y: number; h: number; x: number }> = [];
  let top = pad;
  for (const it of items) {
    if (it.w + 2 * pad > 1) return null;
    let row = rows.find((r) => r.x + it.w + pad <= 1 && it.h <= r.h);
    if (!row) {
      if (top + it.h + pad > 1) return null;
      row = { y: top, h: it.h, x: pad };
      rows.push(row);
      top += it.h + pad;
    }
    out[it.i] = { x: row.x, y: row.y, width: it.w, height: it.h, rotated: it.rotated };
    row.x += it.w + pad;
  }
  return out;
}

/**
 * Stretches a packing to fill the square: each chart grows to its shelf's height, the charts of a shelf
 * widen to fill its row, and the rows grow to fill the height. Texel density then varies by a modest factor between charts, which costs less
 * than leaving a third of the texture unused.
 */
function stretchToFill(placed: ChartPlacement[], pad: number): ChartPlacement[] {
  const rowTops = [...new Set(placed.map((p) => p.y))].sort((a, b) => a - b);
  const rows = rowTops.map((y) => placed.map((p, i) => ({ p, i })).filter((e) => e.p.y === y).sort((a, b) => a.p.x - b.p.x));
  const rowHeights = rows.map((r) => Math.max(...r.map((e) => e.p.height)));
  const usedHeight = rowHeights.reduce((a, b) => a + b, 0);
  const vScale = (1 - pad * (rows.length + 1)) / usedHeight;
  const out: ChartPlacement[] = new Array(placed.length);
  let y = pad;
  rows.forEach((row, ri) => {
    const widths = row.reduce((a, e) => a + e.p.width, 0);
    const hScale = (1 - pad * (row.length + 1)) / widths;
    let x = pad;
    for (const { p, i } of row) {
      out[i] = { x, y, width: p.width * hScale, height: rowHeights[ri] * vScale, rotated: p.rotated };
      x += p.width * hScale + pad;
    }
    y += rowHeights[ri] * vScale + pad;
  });
  return out;
}

/**
 * Packs rectangular charts into the unit square: shelf packing at the largest common scale that fits (so
 * texel density follows the requested sizes), then stretched to fill the square; `pad` (UV units) stays
 * free between charts and around the border so nearest and bilinear lookups do not bleed across charts.
 */
export function packCharts(charts: readonly ChartRequest[], pad: number): ChartPlacement[] {
  let lo = 0;
  let hi = 1 / Math.max(...charts.map((c) => Math.max(c.width, c.height)));
  let best = shelfPack(charts, lo, pad);
  for (let it = 0; it < 40; it++) {
    const midScale = (lo + hi) / 2;
    const placed = shelfPack(charts, midScale, pad);
    if (placed) {
      lo = midScale;
      best = placed;
    } else hi = midScale;
  }
  if (!best) throw new Error('UV atlas: the charts do not fit even at zero size (padding too large)');
  return stretchToFill(best, pad);
}

/** Maps chart-local (u, v) in [0,1]^2 into the atlas. */
export function placeUv(p: ChartPlacement, u: number, v: number): [number, number] {
  return p.rotated ? [p.x + v * p.width, p.y + u * p.height] : [p.x + u * p.width, p.y + v * p.height];
}
