import sharp from 'sharp';
import { type CompareReport, imageZoom, REPORT_IMAGE_TARGET } from './compare-report';

/** grid.png shows at most this many test images (the HTML page shows them all). */
export const GRID_MAX_ROWS = 12;
/** Pixels between cells and around the border. */
export const GRID_GAP = 4;
/** Height of the two-line header of column labels. */
export const GRID_HEADER_HEIGHT = 40;
/** Narrowest column, so its label stays readable. */
export const GRID_MIN_COLUMN_WIDTH = 96;

const FONT_SIZE = 12;
/** Average advance of a 12px sans-serif glyph, for truncating labels to their column. */
const CHAR_WIDTH = 6.6;

interface GridColumn {
  readonly group: string;
  readonly label: string;
  readonly pick: (row: CompareReport['images'][number]) => Uint8Array | null | undefined;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function fit(text: string, width: number): string {
  const max = Math.max(1, Math.floor((width - 4) / CHAR_WIDTH));
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/**
 * grid.png: the image rows of the compare report as one picture, for people who would rather not open
 * a browser. A header of column labels (photo | rendering per variant | texture per variant | true
 * texture when any row has one), then one row per test image, at most {@link GRID_MAX_ROWS}.
 * Each column is zoomed by the same rule as the HTML page (integer nearest-neighbour zoom of small
 * images, larger sides capped at {@link REPORT_IMAGE_TARGET}), here towards the largest image side, so
 * a 64x64 texture stands as tall as the 128x64 photo beside it.
 * Height: GRID_HEADER_HEIGHT + rows * (row height + GRID_GAP) + GRID_GAP. Returns RGB PNG bytes;
 * throws, naming the image and column, when a cell's bytes do not decode.
 */
export async function renderCompareGrid(report: CompareReport): Promise<Uint8Array> {
  const rows = report.images.slice(0, GRID_MAX_ROWS);
  const shown = rows.length < report.images.length ? `${rows.length} of ${report.images.length}` : `${rows.length} images`;
  const columns: GridColumn[] = [
    { group: 'photo', label: shown, pick: (r) => r.photo },
    ...report.variants.map((v): GridColumn => ({ group: 'rendering', label: v.label, pick: (r) => r.variants[v.id]?.rendering })),
    ...report.variants.map((v): GridColumn => ({ group: 'texture', label: v.label, pick: (r) => r.variants[v.id]?.texture })),
    ...(report.images.some((r) => r.truth) ? [{ group: 'true texture', label: '', pick: (r) => r.truth } as GridColumn] : []),
  ];

  const sizes = await Promise.all(
    rows.map((row) =>
      Promise.all(
        columns.map(async (col) => {
          const bytes = col.pick(row);
          if (!bytes || bytes.length === 0) return null;
          try {
            const meta = await sharp(bytes).metadata();
            if (!meta.width || !meta.height) throw new Error('no size');
            return { width: meta.width, height: meta.height };
          } catch (err) {
            throw new Error(`grid.png: image '${row.id}', column '${col.group} ${col.label}': not a decodable image (${(err as Error).message})`);
          }
        }),
      ),
    ),
  );

  const largest = Math.max(1, ...sizes.flat().map((s) => (s ? Math.max(s.width, s.height) : 0)));
  const target = Math.min(REPORT_IMAGE_TARGET, largest);
  const layout = columns.map((_, c) => {
    const w = Math.max(0, ...sizes.map((r) => r[c]?.width ?? 0));
    const h = Math.max(0, ...sizes.map((r) => r[c]?.height ?? 0));
    const zoom = w > 0 && h > 0 ? imageZoom(w, h, target) : 1;
    return { zoom, width: Math.max(GRID_MIN_COLUMN_WIDTH, Math.round(w * zoom)), height: Math.round(h * zoom) };
  });
  const rowHeight = Math.max(1, ...layout.map((l) => l.height));
  const lefts: number[] = [];
  let x = GRID_GAP;
  for (const l of layout) {
    lefts.push(x);
    x += l.width + GRID_GAP;
  }
  const width = x;
  const height = GRID_HEADER_HEIGHT + rows.length * (rowHeight + GRID_GAP) + GRID_GAP;
  const top = (r: number): number => GRID_HEADER_HEIGHT + GRID_GAP + r * (rowHeight + GRID_GAP);

  const svg: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="${FONT_SIZE}">`];
  columns.forEach((col, c) => {
    const cx = lefts[c] + layout[c].width / 2;
    svg.push(
      `<text x="${cx}" y="16" text-anchor="middle" font-weight="bold">${escapeXml(fit(col.group, layout[c].width))}</text>`,
      `<text x="${cx}" y="32" text-anchor="middle">${escapeXml(fit(col.label, layout[c].width))}</text>`,
    );
    rows.forEach((_, r) => svg.push(`<rect x="${lefts[c]}" y="${top(r)}" width="${layout[c].width}" height="${rowHeight}" fill="#eeeeee"/>`));
  });
  svg.push('</svg>');

  const cells = await Promise.all(
    rows.flatMap((row, r) =>
      columns.map(async (col, c) => {
        const bytes = col.pick(row);
        const size = sizes[r][c];
        if (!bytes || !size) return null;
        const { zoom } = layout[c];
        const w = Math.max(1, Math.round(size.width * zoom));
        const h = Math.max(1, Math.round(size.height * zoom));
        const input = await sharp(bytes).resize(w, h, { fit: 'fill', kernel: zoom >= 1 ? 'nearest' : 'lanczos3' }).png().toBuffer();
        return { input, left: lefts[c] + Math.floor((layout[c].width - w) / 2), top: top(r) + Math.floor((rowHeight - h) / 2) };
      }),
    ),
  );

  const composed = await sharp({ create: { width, height, channels: 3, background: '#ffffff' } })
    .composite([{ input: Buffer.from(svg.join('\n')), left: 0, top: 0 }, ...cells.filter((c): c is NonNullable<typeof c> => c !== null)])
    .png()
    .toBuffer();
  // Compositing images with alpha leaves an alpha channel: flatten to plain RGB.
  const png = await sharp(composed).flatten({ background: '#ffffff' }).png().toBuffer();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}
