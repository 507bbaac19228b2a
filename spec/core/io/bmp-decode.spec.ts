import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tf } from '../../../core/backend/tf';
import { decodeBmp, readBmpHeader, type DecodedBmp } from '../../../core/io/bmp-decode';
import { decodeImage, probeImage, readImage, readPixels } from '../../../core/io/image-decode';
import { ImageError, type ImageErrorKind } from '../../../core/io/image-error';
import { encodePng } from '../../../core/io/image-io';
import { mulberry32 } from '../../../core/random';
import { assertClose, expectNoTensorLeak } from '../../helpers/tensors';

/** What {@link makeBmp} writes; fields left out get the usual values. */
interface BmpSpec {
  readonly width: number;
  readonly height: number;
  readonly bpp: number;
  /** Packed pixel bytes of each row, top row first, without padding (makeBmp pads to 4 bytes). */
  readonly rows: readonly (readonly number[])[];
  readonly topDown?: boolean;
  /** DIB header size: 12 (OS/2 core), 40 (BITMAPINFOHEADER), 108 (V4), 124 (V5). Default 40. */
  readonly headerSize?: number;
  readonly compression?: number;
  /** Colour masks R, G, B[, A]: after a 40-byte header, or inside a V4/V5 header. */
  readonly masks?: readonly number[];
  /** Palette entries [r, g, b]. */
  readonly palette?: readonly (readonly [number, number, number])[];
}

/** Builds a BMP file in memory, byte by byte as the format describes it (not with the code under test). */
function makeBmp(spec: BmpSpec): Buffer {
  const headerSize = spec.headerSize ?? 40;
  const core = headerSize === 12;
  const compression = spec.compression ?? 0;
  const masksAfterHeader = headerSize === 40 && spec.masks !== undefined ? spec.masks.length * 4 : 0;
  const palette = spec.palette ?? [];
  const entrySize = core ? 3 : 4;
  const stride = Math.ceil((spec.width * spec.bpp) / 32) * 4;
  const dataOffset = 14 + headerSize + masksAfterHeader + palette.length * entrySize;
  const size = dataOffset + stride * spec.height;
  const buf = Buffer.alloc(size);
  buf.write('BM', 0, 'latin1');
  buf.writeUInt32LE(size, 2);
  buf.writeUInt32LE(dataOffset, 10);
  buf.writeUInt32LE(headerSize, 14);
  if (core) {
    buf.writeUInt16LE(spec.width, 18);
    buf.writeUInt16LE(spec.height, 20);
    buf.writeUInt16LE(1, 22);
    buf.writeUInt16LE(spec.bpp, 24);
  } else {
    buf.writeInt32LE(spec.width, 18);
    buf.writeInt32LE(spec.topDown ? -spec.height : spec.height, 22);
    buf.writeUInt16LE(1, 26);
    buf.writeUInt16LE(spec.bpp, 28);
    buf.writeUInt32LE(compression, 30);
    buf.writeUInt32LE(stride * spec.height, 34);
    buf.writeInt32LE(2835, 38);
    buf.writeInt32LE(2835, 42);
    buf.writeUInt32LE(palette.length, 46);
    (spec.masks ?? []).forEach((m, i) => buf.writeUInt32LE(m >>> 0, 54 + i * 4));
    if (headerSize >= 108) buf.write('BGRs', 70, 'latin1');
  }
  palette.forEach(([r, g, b], i) => buf.set([b, g, r], 14 + headerSize + masksAfterHeader + i * entrySize));
  spec.rows.forEach((row, y) => {
    const stored = spec.topDown ? y : spec.height - 1 - y;
    buf.set(row, dataOffset + stored * stride);
  });
  return buf;
}

/** 3x2 test pattern, top row first: red, green, blue / white, black, grey. */
const PATTERN_RGB = [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 128, 128, 128];

/** Rows of 24-bit BGR bytes for RGB pixels given top row first. */
function bgrRows(rgb: readonly number[], width: number): number[][] {
  const rows: number[][] = [];
  for (let at = 0; at < rgb.length; at += width * 3) {
    const row: number[] = [];
    for (let x = 0; x < width; x++) row.push(rgb[at + x * 3 + 2], rgb[at + x * 3 + 1], rgb[at + x * 3]);
    rows.push(row);
  }
  return rows;
}

function u32le(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

function expectDecoded(got: DecodedBmp, width: number, height: number, channels: 3 | 4, pixels: readonly number[]): void {
  expect([got.width, got.height, got.channels]).to.deep.equal([width, height, channels]);
  expect(Array.from(got.pixels)).to.deep.equal(pixels);
}

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

function expectBmpError(fn: () => unknown, kind: ImageErrorKind, ...fragments: string[]): ImageError {
  const err = catchError(fn);
  expect(err, `expected an ImageError of kind ${kind}`).to.be.instanceOf(ImageError);
  const e = err as ImageError;
  expect(e.kind, e.message).to.equal(kind);
  for (const f of fragments) expect(e.message).to.contain(f);
  return e;
}

async function expectImageError(p: Promise<unknown>, kind: ImageErrorKind, ...fragments: string[]): Promise<ImageError> {
  const err = await p.then(
    (t) => {
      tf.dispose(t as tf.Tensor);
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(err, `expected an ImageError of kind ${kind}`).to.be.instanceOf(ImageError);
  const e = err as ImageError;
  expect(e.kind, e.message).to.equal(kind);
  for (const f of fragments) expect(e.message).to.contain(f);
  return e;
}

describe('core/io/bmp-decode', () => {
  const bmp24 = makeBmp({ width: 3, height: 2, bpp: 24, rows: bgrRows(PATTERN_RGB, 3) });

  describe('decodes', () => {
    it('24-bit bottom-up rows with 3 bytes of row padding', () => {
      expect(bmp24.length).to.equal(54 + 2 * 12);
      expectDecoded(decodeBmp(bmp24), 3, 2, 3, PATTERN_RGB);
    });

    it('24-bit top-down rows (negative height) to the same pixels', () => {
      const topDown = makeBmp({ width: 3, height: 2, bpp: 24, rows: bgrRows(PATTERN_RGB, 3), topDown: true });
      expect(topDown.readInt32LE(22)).to.equal(-2);
      expectDecoded(decodeBmp(topDown), 3, 2, 3, PATTERN_RGB);
      expect(readBmpHeader(topDown).topDown).to.equal(true);
    });

    it('32-bit BI_BITFIELDS with an alpha mask (V5 header), as RGBA', () => {
      const masks = [0x00ff0000, 0x0000ff00, 0x000000ff, 0xff000000];
      // (r, g, b, a) per pixel; stored as one little-endian 32-bit word each.
      const rgba = [[255, 0, 0, 255], [0, 255, 0, 128], [0, 0, 255, 0], [10, 20, 30, 40]];
      const word = ([r, g, b, a]: number[]) => u32le(((a << 24) | (r << 16) | (g << 8) | b) >>> 0);
      const file = makeBmp({
        width: 2,
        height: 2,
        bpp: 32,
        compression: 3,
        headerSize: 124,
        masks,
        rows: [[...word(rgba[0]), ...word(rgba[1])], [...word(rgba[2]), ...word(rgba[3])]],
      });
      expect(readBmpHeader(file).hasAlpha).to.equal(true);
      expectDecoded(decodeBmp(file), 2, 2, 4, rgba.flat());
    });

    it('32-bit BI_BITFIELDS with unusual masks after a 40-byte header, and 16-bit 5-6-5', () => {
      // R in the low byte, B in the third: the reverse of the usual order; the top byte is unused.
      const file = makeBmp({
        width: 2,
        height: 1,
        bpp: 32,
        compression: 3,
        masks: [0x000000ff, 0x0000ff00, 0x00ff0000],
        rows: [[1, 2, 3, 99, 200, 100, 50, 99]],
      });
      expectDecoded(decodeBmp(file), 2, 1, 3, [1, 2, 3, 200, 100, 50]);
      // 5-6-5: full scale maps to 255, half scale rounds (16/31 -> 132, 32/63 -> 130).
      const px = (r: number, g: number, b: number) => {
        const v = (r << 11) | (g << 5) | b;
        return [v & 0xff, v >> 8];
      };
      const file16 = makeBmp({
        width: 3,
        height: 1,
        bpp: 16,
        compression: 3,
        masks: [0xf800, 0x07e0, 0x001f],
        rows: [[...px(31, 63, 31), ...px(0, 0, 0), ...px(16, 32, 1)]],
      });
      expectDecoded(decodeBmp(file16), 3, 1, 3, [255, 255, 255, 0, 0, 0, 132, 130, 8]);
    });

    it('32-bit whose alpha is zero everywhere as opaque RGB (the byte is padding)', () => {
      const file = makeBmp({
        width: 2,
        height: 1,
        bpp: 32,
        compression: 3,
        headerSize: 108,
        masks: [0x00ff0000, 0x0000ff00, 0x000000ff, 0xff000000],
        rows: [[30, 20, 10, 0, 60, 50, 40, 0]],
      });
      expectDecoded(decodeBmp(file), 2, 1, 3, [10, 20, 30, 40, 50, 60]);
      // Uncompressed 32-bit with a plain header: B, G, R, unused.
      const plain = makeBmp({ width: 1, height: 1, bpp: 32, rows: [[3, 2, 1, 255]] });
      expectDecoded(decodeBmp(plain), 1, 1, 3, [1, 2, 3]);
    });

    it('8-bit palette with a short colour table and row padding', () => {
      const palette = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [7, 8, 9]] as const;
      const file = makeBmp({ width: 5, height: 2, bpp: 8, palette, rows: [[0, 1, 2, 3, 0], [3, 3, 2, 1, 1]] });
      const expected = [0, 1, 2, 3, 0, 3, 3, 2, 1, 1].flatMap((i) => palette[i]);
      expectDecoded(decodeBmp(file), 5, 2, 3, expected);
    });

    it('4-bit and 1-bit palettes, packed from the high bits', () => {
      const palette16 = Array.from({ length: 16 }, (_, i) => [i * 16, 255 - i * 16, i] as const);
      const file4 = makeBmp({ width: 3, height: 1, bpp: 4, palette: palette16, rows: [[0x1f, 0x70]] });
      expectDecoded(decodeBmp(file4), 3, 1, 3, [1, 15, 7].flatMap((i) => palette16[i]));

      const palette2 = [[0, 0, 0], [255, 255, 255]] as const;
      // 10 pixels per row: 2 bytes, 2 bytes of padding; rows 1011001110 and 0100000001.
      const file1 = makeBmp({ width: 10, height: 2, bpp: 1, palette: palette2, rows: [[0b10110011, 0b10000000], [0b01000000, 0b01000000]] });
      const bits = [1, 0, 1, 1, 0, 0, 1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1];
      expectDecoded(decodeBmp(file1), 10, 2, 3, bits.flatMap((i) => palette2[i]));
    });

    it('an OS/2 core header with a 3-byte palette', () => {
      const palette = [[1, 2, 3], [4, 5, 6]] as const;
      const file = makeBmp({ width: 2, height: 1, bpp: 8, headerSize: 12, palette: [...palette, ...Array(254).fill([0, 0, 0])], rows: [[1, 0]] });
      expectDecoded(decodeBmp(file), 2, 1, 3, [4, 5, 6, 1, 2, 3]);
    });
  });

  describe('through readImage / decodeImage', () => {
    let dir: string;
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retex-bmp-'));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = (name: string) => path.join(dir, name);

    it('decodes exactly, probes, resizes and handles alpha like PNG', async () => {
      fs.writeFileSync(file('pattern.bmp'), bmp24);
      const before = tf.memory().numTensors;
      const t = await readImage(file('pattern.bmp'), { range: '[0,1]' });
      expect(tf.memory().numTensors - before).to.equal(1);
      expect(t.shape).to.deep.equal([2, 3, 3]);
      assertClose(t, PATTERN_RGB.map((v) => v / 255), { atol: 1e-6, what: 'bmp pixels' });
      t.dispose();
      expect(await probeImage(file('pattern.bmp'))).to.deep.equal({ format: 'bmp', width: 3, height: 2, hasAlpha: false });
      const px = await readPixels(file('pattern.bmp'));
      expect([px.width, px.height, px.channels, Array.from(px.pixels)]).to.deep.equal([3, 2, 3, PATTERN_RGB]);

      // Same resize as the PNG of the same pixels.
      const png = await encodePng(Uint8Array.from(PATTERN_RGB), 2, 3, 3);
      for (const opts of [{ size: [4, 5] as const }, { size: [6, 6] as const, fit: 'pad' as const, padColor: [0, 0, 255] as const }]) {
        const a = await decodeImage(bmp24, opts);
        const b = await decodeImage(png, opts);
        assertClose(a, b, { atol: 1e-6, what: `resized ${JSON.stringify(opts)}` });
        tf.dispose([a, b]);
      }

      // Alpha: transparent red, opaque green, half-transparent blue, as in the PNG alpha spec.
      const rgba = makeBmp({
        width: 3,
        height: 1,
        bpp: 32,
        compression: 3,
        headerSize: 124,
        masks: [0x00ff0000, 0x0000ff00, 0x000000ff, 0xff000000],
        rows: [[0, 0, 255, 0, 0, 255, 0, 255, 255, 0, 0, 128]],
      });
      const pngA = await encodePng(new Uint8Array([255, 0, 0, 0, 0, 255, 0, 255, 0, 0, 255, 128]), 1, 3, 4);
      for (const alpha of ['composite', 'drop'] as const) {
        const a = await decodeImage(rgba, { alpha, background: [255, 255, 255] });
        const b = await decodeImage(pngA, { alpha, background: [255, 255, 255] });
        assertClose(a, b, { atol: 1e-6, what: `alpha ${alpha}` });
        tf.dispose([a, b]);
      }
    });

    it('applies maxPixels and maxBytes as for other formats', async () => {
      const bmp = makeBmp({ width: 6, height: 4, bpp: 24, rows: Array.from({ length: 4 }, () => Array(18).fill(9)) });
      fs.writeFileSync(file('six.bmp'), bmp);
      (await readImage(file('six.bmp'), { maxPixels: 24 })).dispose();
      await expectImageError(readImage(file('six.bmp'), { maxPixels: 23 }), 'too-many-pixels', file('six.bmp'), '6x4', 'RETEX_MAX_IMAGE_PIXELS');
      await expectImageError(readImage(file('six.bmp'), { maxBytes: bmp.length - 1 }), 'too-large-file', 'RETEX_MAX_IMAGE_BYTES');
    });

    it('a truncated file is corrupt, named, and says to get a fresh copy', async () => {
      const big = makeBmp({ width: 64, height: 48, bpp: 24, rows: Array.from({ length: 48 }, (_, y) => Array(192).fill(y)) });
      fs.writeFileSync(file('cut.bmp'), big.subarray(0, big.length >> 1));
      const e = await expectImageError(readImage(file('cut.bmp')), 'corrupt', file('cut.bmp'), 'truncated BMP', 'fresh copy');
      expect(e.file).to.equal(file('cut.bmp'));
      await expectImageError(probeImage(file('cut.bmp')), 'corrupt', file('cut.bmp'));
      await expectNoTensorLeak(() => readImage(file('cut.bmp')).catch(() => undefined), 'rejected readImage');
    });

    it('a bomb header (100000x100000 in 60 bytes) is rejected before any allocation', async () => {
      const bomb = makeBmp({ width: 1, height: 1, bpp: 24, rows: [[0, 0, 0]] });
      bomb.writeInt32LE(100000, 18);
      bomb.writeInt32LE(100000, 22);
      fs.writeFileSync(file('bomb.bmp'), bomb);
      await expectImageError(readImage(file('bomb.bmp')), 'too-many-pixels', file('bomb.bmp'), '100000x100000', 'RETEX_MAX_IMAGE_PIXELS');
      await expectImageError(readImage(file('bomb.bmp'), { maxPixels: Infinity }), 'corrupt', file('bomb.bmp'), 'need');
    });

    it('a text file starting with "BM" is still reported as text', async () => {
      fs.writeFileSync(file('notes.bmp'), 'BMW owners club: meeting notes\n');
      await expectImageError(readImage(file('notes.bmp')), 'unsupported-format', 'looks like a text file');
    });

    it('the real photo coral_bird.bmp (V5 header, 24-bit) decodes to 512x343', async function () {
      const real = '/work/shared/realphotos/birds/coral_bird.bmp';
      if (!fs.existsSync(real)) this.skip();
      expect(await probeImage(real)).to.deep.equal({ format: 'bmp', width: 512, height: 343, hasAlpha: false });
      const t = await readImage(real, { range: '[0,1]' });
      expect(t.shape).to.deep.equal([343, 512, 3]);
      // A photo, not a flat or garbage fill: its values spread over the range.
      const { mean, variance } = tf.tidy(() => {
        const m = tf.moments(t);
        return { mean: m.mean.dataSync()[0], variance: m.variance.dataSync()[0] };
      });
      expect(mean).to.be.within(0.05, 0.95);
      expect(variance).to.be.above(0.001);
      t.dispose();
    });
  });

  describe('rejects bad files with an ImageError, never a RangeError', () => {
    const opts = { name: 'x.bmp', file: 'x.bmp' };

    it('a header too short, of an unknown size, or with impossible fields', () => {
      expectBmpError(() => decodeBmp(Buffer.from('BM\0\0'), opts), 'corrupt', 'x.bmp', 'too short');
      const withHeader = (edit: (b: Buffer) => void) => {
        const b = Buffer.from(bmp24);
        edit(b);
        return b;
      };
      expectBmpError(() => decodeBmp(withHeader((b) => b.writeUInt32LE(99, 14)), opts), 'corrupt', 'header size 99');
      expectBmpError(() => decodeBmp(withHeader((b) => b.writeUInt32LE(0xfffffff0, 14)), opts), 'corrupt', 'header size');
      expectBmpError(() => decodeBmp(withHeader((b) => b.writeUInt16LE(7, 28)), opts), 'corrupt', '7 bits per pixel');
      expectBmpError(() => decodeBmp(withHeader((b) => b.writeUInt16LE(3, 26)), opts), 'corrupt', 'planes');
      expectBmpError(() => decodeBmp(withHeader((b) => b.writeInt32LE(-3, 18)), opts), 'corrupt', 'width -3');
      expectBmpError(() => decodeBmp(withHeader((b) => b.writeInt32LE(0, 22)), opts), 'corrupt', 'height 0');
      expectBmpError(() => decodeBmp(withHeader((b) => b.writeInt32LE(-0x80000000, 22)), opts), 'corrupt', 'height');
      expectBmpError(() => decodeBmp(withHeader((b) => b.writeUInt32LE(999, 30)), opts), 'corrupt', 'compression 999');
      expectBmpError(() => decodeBmp(withHeader((b) => b.writeUInt32LE(bmp24.length, 10)), opts), 'corrupt', 'offset');
      expectBmpError(() => decodeBmp(withHeader((b) => b.writeUInt32LE(20, 10)), opts), 'corrupt', 'offset');
      expectBmpError(() => decodeBmp(withHeader((b) => b.writeInt32LE(0x7fffffff, 18)), opts), 'corrupt', 'need');
    });

    it('colour masks that overflow the pixel or are not contiguous', () => {
      const with32 = (masks: number[]) => makeBmp({ width: 1, height: 1, bpp: 16, compression: 3, masks, rows: [[0, 0]] });
      expectBmpError(() => decodeBmp(with32([0x1f0000, 0x7e0, 0x1f]), opts), 'corrupt', 'red colour mask', 'does not fit');
      expectBmpError(() => decodeBmp(with32([0xf800, 0x0520, 0x1f]), opts), 'corrupt', 'green colour mask', 'not contiguous');
    });

    it('a palette that runs past the end of the file', () => {
      const b = makeBmp({ width: 1, height: 1, bpp: 8, palette: [[1, 2, 3]], rows: [[0]] });
      b.writeUInt32LE(200, 46);
      expectBmpError(() => decodeBmp(b.subarray(0, 14 + 40 + 50), opts), 'corrupt', 'palette');
    });

    it('RLE, embedded JPEG/PNG and CMYK as unsupported, with a hint to convert to PNG', () => {
      for (const [compression, what] of [[1, 'RLE'], [2, 'RLE'], [4, 'JPEG'], [5, 'PNG'], [11, 'CMYK']] as const) {
        const b = makeBmp({ width: 1, height: 1, bpp: 8, compression, palette: [[0, 0, 0]], rows: [[0]] });
        expectBmpError(() => decodeBmp(b, opts), 'unsupported-format', 'x.bmp', what, 'convert it to PNG');
      }
    });

    it('every truncation and random header damage of valid files gives an ImageError or a correct-size image', () => {
      const palette = Array.from({ length: 16 }, (_, i) => [i, i, i] as const);
      const files = [
        makeBmp({ width: 5, height: 3, bpp: 24, rows: Array.from({ length: 3 }, () => Array(15).fill(7)) }),
        makeBmp({ width: 5, height: 3, bpp: 4, palette, rows: Array.from({ length: 3 }, () => [0x12, 0x34, 0x50]) }),
        makeBmp({ width: 2, height: 2, bpp: 32, compression: 3, headerSize: 124, masks: [0xff0000, 0xff00, 0xff, 0xff000000], rows: [Array(8).fill(1), Array(8).fill(2)] }),
      ];
      const random = mulberry32(5);
      const check = (b: Uint8Array, what: string) => {
        const err = catchError(() => {
          const d = decodeBmp(b, { maxPixels: 1e6 });
          expect(d.pixels.length, what).to.equal(d.width * d.height * d.channels);
        });
        if (err !== undefined) expect(err, `${what}: ${String(err)}`).to.be.instanceOf(ImageError);
      };
      for (const [f, valid] of files.entries()) {
        for (let n = 0; n < valid.length; n++) check(valid.subarray(0, n), `file ${f} cut to ${n} bytes`);
        for (let k = 0; k < 300; k++) {
          const b = Buffer.from(valid);
          const at = Math.floor(random() * Math.min(b.length, 14 + 140));
          b[at] = Math.floor(random() * 256);
          check(b, `file ${f} with byte ${at} = ${b[at]}`);
        }
      }
    });
  });
});
