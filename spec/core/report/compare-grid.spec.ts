import { expect } from 'chai';
import sharp from 'sharp';
import { GRID_GAP, GRID_HEADER_HEIGHT, GRID_MAX_ROWS, GRID_MIN_COLUMN_WIDTH, renderCompareGrid } from '../../../core/report/compare-grid';
import type { CompareImageRow, CompareReport } from '../../../core/report/compare-report';

async function png(width: number, height: number, rgb: [number, number, number]): Promise<Uint8Array> {
  const buf = await sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).png().toBuffer();
  return new Uint8Array(buf);
}

/** A report with `rows` images of 128x64 photos/renderings and 64x64 textures, two variants, truth on row 0. */
async function report(rows: number): Promise<CompareReport> {
  const photo = await png(64, 128, [200, 0, 0]);
  const rendering = await png(64, 128, [0, 200, 0]);
  const texture = await png(64, 64, [0, 0, 200]);
  const truth = await png(64, 64, [200, 200, 0]);
  const images: CompareImageRow[] = Array.from({ length: rows }, (_, r) => ({
    id: `img-${r}`,
    photo,
    truth: r === 0 ? truth : null,
    variants: { reid: { rendering, texture }, l1: { rendering, texture } },
  }));
  return {
    title: 't',
    category: 'human',
    method: 'train',
    budget: '1 step',
    metrics: [],
    variants: [
      { id: 'reid', label: 'reid', means: {}, curve: [] },
      { id: 'l1', label: 'a very long <label> & more', means: {}, curve: [] },
    ],
    images,
    notes: [],
  };
}

describe('core/report/compare-grid', () => {
  it('decodes as an RGB PNG with a header and one row per image', async () => {
    const meta = await sharp(await renderCompareGrid(await report(3))).metadata();
    // Rows are as tall as the photos (128); the 64x64 textures are zoomed 2x to match.
    expect(meta.format).to.equal('png');
    expect(meta.channels).to.equal(3);
    expect(meta.height).to.equal(GRID_HEADER_HEIGHT + 3 * (128 + GRID_GAP) + GRID_GAP);
    // photo | 2 renderings (64 wide, widened for their labels) | 2 textures 128 | truth 128, each followed by a gap.
    const narrow = Math.max(64, GRID_MIN_COLUMN_WIDTH);
    expect(meta.width).to.equal(GRID_GAP + 3 * (narrow + GRID_GAP) + 3 * (128 + GRID_GAP));
  });

  it('places the images: a zoomed texture fills its cell, and a row without truth leaves it blank', async () => {
    const { data, info } = await sharp(await renderCompareGrid(await report(2))).raw().toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number): number[] => Array.from(data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3));
    const row0 = GRID_HEADER_HEIGHT + GRID_GAP;
    const row1 = row0 + 128 + GRID_GAP;
    const narrow = Math.max(64, GRID_MIN_COLUMN_WIDTH);
    const photoX = GRID_GAP + Math.floor((narrow - 64) / 2);
    const textureX = GRID_GAP + 3 * (narrow + GRID_GAP);
    const truthX = textureX + 2 * (128 + GRID_GAP);
    expect(at(photoX + 32, row0 + 64)).to.deep.equal([200, 0, 0]);
    expect(at(textureX + 1, row0 + 1)).to.deep.equal([0, 0, 200]);
    expect(at(textureX + 126, row0 + 126)).to.deep.equal([0, 0, 200]);
    expect(at(truthX + 64, row0 + 64)).to.deep.equal([200, 200, 0]);
    expect(at(truthX + 64, row1 + 64)).to.deep.equal([238, 238, 238]);
    // The header has dark text pixels.
    const header = Array.from({ length: GRID_HEADER_HEIGHT * info.width }, (_, i) => data[i * 3]);
    expect(Math.min(...header)).to.be.below(100);
  });

  it(`caps the grid at ${GRID_MAX_ROWS} rows`, async () => {
    const meta = await sharp(await renderCompareGrid(await report(GRID_MAX_ROWS + 3))).metadata();
    expect(meta.height).to.equal(GRID_HEADER_HEIGHT + GRID_MAX_ROWS * (128 + GRID_GAP) + GRID_GAP);
  });

  it('names the image and column of bytes that do not decode', async () => {
    const r = await report(1);
    const bad = { ...r, images: [{ ...r.images[0], variants: { ...r.images[0].variants, l1: { rendering: new Uint8Array([1, 2, 3]), texture: r.images[0].variants.l1.texture } } }] };
    let message = '';
    await renderCompareGrid(bad).catch((e: Error) => { message = e.message; });
    expect(message).to.match(/img-0.*rendering/);
  });
});
