import sharp from 'sharp';
import { writeFileAtomic } from '../io/atomic-write';

/** One curve of a chart. */
export interface ChartSeries {
  readonly name: string;
  readonly points: ReadonlyArray<readonly [number, number]>;
}

/** A line chart: x is usually the training step. */
export interface LineChart {
  readonly title: string;
  readonly xLabel: string;
  readonly series: readonly ChartSeries[];
  readonly width?: number;
  readonly height?: number;
}

const COLOURS = ['#c0392b', '#2471a3', '#229954', '#b9770e', '#7d3c98', '#566573'];

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A short, readable tick label. */
function tick(v: number): string {
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a >= 1000) return `${Math.round(v / 100) / 10}k`;
  return Number(v.toPrecision(3)).toString();
}

/** Round tick values (1, 2 or 5 times a power of ten) covering [lo, hi] in about `count` steps. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** The chart as a self-contained SVG document (axes, ticks, one polyline and legend entry per series). */
export function lineChartSvg(chart: LineChart): string {
  const width = chart.width ?? 720;
  const height = chart.height ?? 360;
  // The legend sits in rows between the title and the plot, so it never covers a curve.
  const legend: { x: number; row: number }[] = [];
  let [lx, row] = [60, 0];
  for (const s of chart.series) {
    const w = 22 + 7 * s.name.length;
    if (lx + w > width - 20 && lx > 60) [lx, row] = [60, row + 1];
    legend.push({ x: lx, row });
    lx += w + 12;
  }
  const legendRows = chart.series.length ? row + 1 : 0;
  const m = { left: 60, right: 20, top: 36 + 16 * legendRows, bottom: 40 };
  const all = chart.series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const x0 = xs.length ? Math.min(...xs) : 0;
  const x1 = xs.length ? Math.max(...xs) : 1;
  let y0 = ys.length ? Math.min(0, ...ys) : 0;
  let y1 = ys.length ? Math.max(...ys) : 1;
  if (y1 <= y0) [y0, y1] = [y0 - 1, y0 + 1];
  const px = (x: number): number => m.left + ((x - x0) / Math.max(1e-12, x1 - x0)) * (width - m.left - m.right);
  const py = (y: number): number => height - m.bottom - ((y - y0) / (y1 - y0)) * (height - m.top - m.bottom);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${m.left}" y="22" font-size="15">${escapeXml(chart.title)}</text>`,
  ];
  for (const yv of niceTicks(y0, y1)) {
    parts.push(
      `<line x1="${m.left}" x2="${width - m.right}" y1="${py(yv)}" y2="${py(yv)}" stroke="#e5e5e5"/>`,
      `<text x="${m.left - 6}" y="${py(yv) + 4}" text-anchor="end">${tick(yv)}</text>`,
    );
  }
  for (const xv of niceTicks(x0, x1)) {
    parts.push(`<text x="${px(xv)}" y="${height - m.bottom + 16}" text-anchor="middle">${tick(xv)}</text>`);
  }
  parts.push(
    `<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${height - m.bottom}" stroke="#333"/>`,
    `<line x1="${m.left}" x2="${width - m.right}" y1="${height - m.bottom}" y2="${height - m.bottom}" stroke="#333"/>`,
    `<text x="${(m.left + width - m.right) / 2}" y="${height - 6}" text-anchor="middle">${escapeXml(chart.xLabel)}</text>`,
  );
  chart.series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length];
    const pts = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    if (pts.length > 0) {
      const d = pts.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
      parts.push(`<polyline points="${d}" fill="none" stroke="${colour}" stroke-width="1.5"/>`);
    }
    const { x: lx, row: lr } = legend[i];
    const ly = 40 + lr * 16;
    parts.push(
      `<rect x="${lx}" y="${ly - 5}" width="16" height="3" fill="${colour}"/>`,
      `<text x="${lx + 22}" y="${ly}">${escapeXml(s.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** Renders the chart to a PNG file, written atomically. */
export async function writeLineChartPng(file: string, chart: LineChart): Promise<void> {
  const png = await sharp(Buffer.from(lineChartSvg(chart))).flatten({ background: '#ffffff' }).png().toBuffer();
  await writeFileAtomic(file, png);
}

/** Averages consecutive points in windows of `window` (for noisy per-step losses). */
export function smoothSeries(points: ReadonlyArray<readonly [number, number]>, window: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < points.length; i += window) {
    const chunk = points.slice(i, i + window);
    out.push([chunk[chunk.length - 1][0], chunk.reduce((s, p) => s + p[1], 0) / chunk.length]);
  }
  return out;
}
