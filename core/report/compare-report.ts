import type { DifferenceInterval } from '../metrics/paired-bootstrap';
import { lineChartSvg, smoothSeries, type ChartSeries } from './line-chart';

export type { DifferenceInterval } from '../metrics/paired-bootstrap';

/** One column of the score table. */
export interface CompareMetric {
  /** Key into {@link CompareVariantReport.means} and `vsReid`. */
  readonly key: string;
  /** Column header, e.g. 'mask-SSIM'. */
  readonly label: string;
  /** Direction of "better": decides the best cell of the column and the colour of a difference. */
  readonly higherIsBetter: boolean;
}

/** One loss variant's scores and training curve. */
export interface CompareVariantReport {
  /** Stable id ('reid', 'perceptual', 'l1', ...); `reid` is the reference of the differences. */
  readonly id: string;
  /** Human-readable name (free text: escaped wherever it is shown). */
  readonly label: string;
  /** Mean over the test split per metric key; null when the metric could not be computed. */
  readonly means: Record<string, number | null>;
  /** Variant minus reid per metric key, with its 95% interval; absent for reid itself. */
  readonly vsReid?: Record<string, DifferenceInterval | null>;
  /** Training (or optimisation) loss curve, in step order. */
  readonly curve: ReadonlyArray<{ readonly step: number; readonly loss: number }>;
}

/** One test image and what every variant made of it. All images are encoded PNG bytes. */
export interface CompareImageRow {
  readonly id: string;
  /** The input photo. */
  readonly photo: Uint8Array;
  /** The true texture, when the data set has one (synthetic sets). */
  readonly truth?: Uint8Array | null;
  /** Per variant id: the rendering of its texture on the photo's mesh, and the texture itself. */
  readonly variants: Record<string, { readonly rendering: Uint8Array; readonly texture: Uint8Array }>;
}

/** Everything `retex compare` reports: the input of the HTML page, grid.png and the terminal table. */
export interface CompareReport {
  readonly title: string;
  readonly category: string;
  /** How textures were made, e.g. 'train' or 'optimize'. */
  readonly method: string;
  /** The compute given to each variant, e.g. '300 steps per variant'. */
  readonly budget: string;
  readonly metrics: readonly CompareMetric[];
  readonly variants: readonly CompareVariantReport[];
  readonly images: readonly CompareImageRow[];
  /** Free text lines shown under the table (e.g. how the interval was computed). */
  readonly notes: readonly string[];
}

/** The id of the reference variant that every difference is taken against. */
export const REID_VARIANT_ID = 'reid';

/** Images are shown at an integer zoom that brings their larger side up to about this many pixels. */
export const REPORT_IMAGE_TARGET = 256;

/** Longest curve drawn point by point; longer curves are averaged over windows of steps. */
export const REPORT_CURVE_MAX_POINTS = 400;

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/**
 * A metric value as shown in the table: 3 decimals below 10, fewer above (SSIM and CosSim live in
 * [0,1]; texture errors and losses can be larger); '—' for null or non-finite.
 */
export function formatMetricValue(value: number | null | undefined, signed = false): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const a = Math.abs(value);
  const digits = a < 10 ? 3 : a < 100 ? 2 : a < 1000 ? 1 : 0;
  const text = value.toFixed(digits);
  // -0.000 reads as a direction that is not there.
  const clean = Number(text) === 0 ? (0).toFixed(digits) : text;
  return signed && Number(clean) > 0 ? `+${clean}` : clean;
}

/** A difference and its interval as `-0.031 [-0.045, -0.017]`. */
export function formatDifference(d: DifferenceInterval): string {
  return `${formatMetricValue(d.diff, true)} [${formatMetricValue(d.lo, true)}, ${formatMetricValue(d.hi, true)}]`;
}

/** True when the interval lies entirely on one side of 0 (a non-degenerate interval is needed). */
export function intervalExcludesZero(d: DifferenceInterval): boolean {
  if (!Number.isFinite(d.lo) || !Number.isFinite(d.hi) || d.lo === d.hi) return false;
  return d.lo > 0 || d.hi < 0;
}

/**
 * Per metric key, the ids of the variants with the best mean (all of them on a tie), respecting
 * `higherIsBetter`; null and non-finite means never win; an empty list when no variant has a value.
 */
export function bestVariantIds(report: Pick<CompareReport, 'metrics' | 'variants'>): Record<string, string[]> {
  const best: Record<string, string[]> = {};
  for (const m of report.metrics) {
    const scored = report.variants
      .map((v) => ({ id: v.id, value: v.means[m.key] }))
      .filter((s): s is { id: string; value: number } => typeof s.value === 'number' && Number.isFinite(s.value));
    if (scored.length === 0) {
      best[m.key] = [];
      continue;
    }
    const top = m.higherIsBetter ? Math.max(...scored.map((s) => s.value)) : Math.min(...scored.map((s) => s.value));
    best[m.key] = scored.filter((s) => s.value === top).map((s) => s.id);
  }
  return best;
}

/** Width and height from a PNG's IHDR chunk, or null when the bytes are not a PNG. */
function pngSize(bytes: Uint8Array): { width: number; height: number } | null {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length < 24 || sig.some((b, i) => bytes[i] !== b)) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/**
 * The zoom for an image of `width` x `height`: an integer (so pixelated scaling stays even) that brings
 * the larger side up to about `target`, at most 4; images larger than `target` are scaled down to it.
 * Shared with grid.png so both show the same proportions.
 */
export function imageZoom(width: number, height: number, target = REPORT_IMAGE_TARGET): number {
  const side = Math.max(width, height, 1);
  if (side > target) return target / side;
  return Math.min(4, Math.max(1, Math.floor(target / side)));
}

function dataUri(bytes: Uint8Array): string {
  const mime = bytes[0] === 0xff && bytes[1] === 0xd8 ? 'image/jpeg' : 'image/png';
  return `data:${mime};base64,${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')}`;
}

function imageTag(bytes: Uint8Array, alt: string): string {
  const size = pngSize(bytes);
  const dims = size
    ? ` width="${Math.round(size.width * imageZoom(size.width, size.height))}" height="${Math.round(size.height * imageZoom(size.width, size.height))}"`
    : '';
  return `<img src="${dataUri(bytes)}" alt="${escapeHtml(alt)}"${dims}>`;
}

/** `<svg ...>` from line-chart carries an xmlns URL, which inline SVG in HTML does not need. */
function inlineSvg(svg: string, className: string, label: string): string {
  return svg.replace(/^<svg xmlns="[^"]*"/, `<svg class="${className}" role="img" aria-label="${escapeHtml(label)}"`);
}

/** The curve, averaged over windows when it is long, with its window length. */
function curvePoints(curve: CompareVariantReport['curve']): { points: Array<[number, number]>; window: number } {
  const finite = curve.filter((p) => Number.isFinite(p.step) && Number.isFinite(p.loss)).map((p): [number, number] => [p.step, p.loss]);
  const window = Math.max(1, Math.ceil(finite.length / REPORT_CURVE_MAX_POINTS));
  return { points: window > 1 ? smoothSeries(finite, window) : finite, window };
}

/** line-chart's legend has room for about 22 characters; longer labels are cut with an ellipsis. */
function legendName(label: string): string {
  return label.length <= 22 ? label : `${label.slice(0, 21)}…`;
}

function curvesSection(report: CompareReport): string {
  const curves = report.variants.map((v) => ({ variant: v, ...curvePoints(v.curve) }));
  if (curves.every((c) => c.points.length === 0)) return '<section><h2>Loss curves</h2><p class="note">No loss curves were recorded.</p></section>';
  // The variants minimise different losses (re-ID features, perceptual features, pixels), so the
  // shared chart puts each on its own scale: loss divided by its first value.
  const relative: ChartSeries[] = curves.map((c) => {
    const ref = c.points.find(([, y]) => y !== 0)?.[1] ?? 1;
    return { name: legendName(c.variant.label), points: c.points.map(([x, y]): [number, number] => [x, y / Math.abs(ref)]) };
  });
  const overview = inlineSvg(
    lineChartSvg({ title: 'Loss relative to its first value', xLabel: 'step', series: relative, width: 760, height: 340 }),
    'curves curves-overview',
    'loss curves of all variants, each relative to its first value',
  );
  const singles = curves
    .filter((c) => c.points.length > 0)
    .map((c) =>
      inlineSvg(
        lineChartSvg({ title: `${c.variant.label}: loss`, xLabel: 'step', series: [{ name: legendName(c.variant.label), points: c.points }], width: 370, height: 220 }),
        'curves curves-single',
        `loss curve of ${c.variant.label}`,
      ),
    );
  const windows = curves.filter((c) => c.window > 1).map((c) => `${escapeHtml(c.variant.label)}: ${c.window} steps`);
  return [
    '<section><h2>Loss curves</h2>',
    `<p class="note">${escapeHtml(report.method)} loss per step. The first chart divides each curve by its first value, since the variants minimise different losses; the small charts show the raw values.${windows.length ? ` Averaged over windows (${windows.join('; ')}).` : ''}</p>`,
    `<figure class="chart">${overview}</figure>`,
    `<div class="small-charts">${singles.join('\n')}</div>`,
    '</section>',
  ].join('\n');
}

function scoreTable(report: CompareReport): string {
  const best = bestVariantIds(report);
  const reid = report.variants.find((v) => v.id === REID_VARIANT_ID);
  const reidName = escapeHtml(reid?.label ?? REID_VARIANT_ID);
  const head = report.metrics
    .map((m) => `<th scope="col" data-metric="${escapeHtml(m.key)}" title="${m.higherIsBetter ? 'higher is better' : 'lower is better'}">${escapeHtml(m.label)} ${m.higherIsBetter ? '↑' : '↓'}</th>`)
    .join('');
  const rows = report.variants.map((v) => {
    const cells = report.metrics.map((m) => {
      const value = v.means[m.key];
      const isBest = best[m.key].includes(v.id);
      const shown = isBest
        ? `<strong class="value">${formatMetricValue(value)}</strong> <span class="marker" title="best in column">★</span>`
        : `<span class="value">${formatMetricValue(value)}</span>`;
      const d = v.id === REID_VARIANT_ID ? null : v.vsReid?.[m.key] ?? null;
      let diff = '';
      if (d) {
        const sig = intervalExcludesZero(d);
        const better = (d.diff > 0) === m.higherIsBetter;
        const cls = sig ? ` sig ${better ? 'better' : 'worse'}` : '';
        const tip = sig
          ? `95% interval of the difference from ${reidName} excludes 0 (${better ? 'better' : 'worse'})`
          : `95% interval of the difference from ${reidName} includes 0`;
        diff = ` <span class="diff${cls}" title="${tip}">(${formatDifference(d)})${sig ? (better ? ' ▲' : ' ▼') : ''}</span>`;
      }
      return `<td${isBest ? ' class="best"' : ''} data-metric="${escapeHtml(m.key)}">${shown}${diff}</td>`;
    });
    return `<tr data-variant="${escapeHtml(v.id)}"><th scope="row">${escapeHtml(v.label)}</th>${cells.join('')}</tr>`;
  });
  return [
    `<table class="metrics" data-variant-count="${report.variants.length}">`,
    `<thead><tr><th scope="col">variant</th>${head}</tr></thead>`,
    `<tbody>\n${rows.join('\n')}\n</tbody>`,
    '</table>',
    `<p class="legend">★ best in the column (↑ higher is better, ↓ lower is better). Beside each value: its difference from ${reidName} with the 95% interval; ▲ / ▼ the interval excludes 0 (better / worse than ${reidName}).</p>`,
    report.notes.length ? `<ul class="notes">${report.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : '',
  ].join('\n');
}

function imagesSection(report: CompareReport): string {
  if (report.images.length === 0) return '<section><h2>Test images</h2><p class="note">No images.</p></section>';
  const withTruth = report.images.some((r) => r.truth);
  const variants = report.variants;
  const missing = '<td class="missing">—</td>';
  const head1 = [
    '<th scope="col" rowspan="2">photo</th>',
    `<th scope="colgroup" colspan="${variants.length}">rendering</th>`,
    `<th scope="colgroup" colspan="${variants.length}">texture</th>`,
    withTruth ? '<th scope="col" rowspan="2">true texture</th>' : '',
  ].join('');
  const labels = variants.map((v) => `<th scope="col">${escapeHtml(v.label)}</th>`).join('');
  const rows = report.images.map((row) => {
    const cells = [`<td class="photo"><figure>${imageTag(row.photo, `${row.id}: photo`)}<figcaption>${escapeHtml(row.id)}</figcaption></figure></td>`];
    for (const kind of ['rendering', 'texture'] as const) {
      for (const v of variants) {
        const out = row.variants[v.id];
        cells.push(out ? `<td>${imageTag(out[kind], `${row.id}: ${v.label} ${kind}`)}</td>` : missing);
      }
    }
    if (withTruth) cells.push(row.truth ? `<td>${imageTag(row.truth, `${row.id}: true texture`)}</td>` : missing);
    return `<tr data-image="${escapeHtml(row.id)}">${cells.join('')}</tr>`;
  });
  return [
    '<section><h2>Test images</h2>',
    '<div class="scroll"><table class="images">',
    `<thead><tr>${head1}</tr><tr>${labels}${labels}</tr></thead>`,
    `<tbody>\n${rows.join('\n')}\n</tbody>`,
    '</table></div></section>',
  ].join('\n');
}

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #222; background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 8px; }
.meta { color: #555; margin: 0 0 16px; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }
thead th { background: #f4f4f4; }
table.metrics td { font-variant-numeric: tabular-nums; white-space: nowrap; }
table.metrics td.best { background: #eef7ee; }
.marker { color: #b9770e; }
.diff { color: #666; font-size: 12px; }
.diff.sig { font-weight: 600; }
.diff.sig.better { color: #1e7b34; }
.diff.sig.worse { color: #b03a2e; }
.legend, .note, .notes { color: #555; font-size: 13px; }
.notes { padding-left: 20px; }
.chart { margin: 0 0 8px; }
.small-charts { display: flex; flex-wrap: wrap; gap: 8px; }
svg.curves { border: 1px solid #eee; max-width: 100%; height: auto; }
.scroll { overflow-x: auto; }
table.images td { padding: 4px; text-align: center; }
table.images figure { margin: 0; }
table.images figcaption { font-size: 12px; color: #555; word-break: break-all; }
td.missing { color: #aaa; vertical-align: middle; }
img { image-rendering: crisp-edges; image-rendering: pixelated; display: block; margin: 0 auto; background: #f0f0f0; }
`;

/**
 * The compare report as one self-contained HTML page: no scripts and no external resources (images
 * are data: URIs, CSS is inline, the loss curves are inline SVG), so it opens offline from a file.
 * Sections: the score table (best per column marked, each variant's difference from reid with its
 * interval), the notes, the loss curves, and one row per test image (photo | each variant's rendering |
 * each variant's texture | the true texture when known). All text from the record is escaped.
 */
export function renderCompareHtml(report: CompareReport): string {
  const meta = [
    `category: ${report.category}`,
    `method: ${report.method}`,
    `budget: ${report.budget}`,
    `${report.variants.length} variants`,
    `${report.images.length} test images shown`,
  ];
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(report.title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<h1>${escapeHtml(report.title)}</h1>`,
    `<p class="meta">${meta.map(escapeHtml).join(' · ')}</p>`,
    '<section><h2>Scores</h2>',
    scoreTable(report),
    '</section>',
    curvesSection(report),
    imagesSection(report),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
