import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp, { type CreateRaw } from 'sharp';
import { tf } from '../../../core/backend/tf';
import { decodeImage, probeImage, readImage } from '../../../core/io/image-decode';
import { ImageError, type ImageErrorKind } from '../../../core/io/image-error';
import { encodePng, writeTensorPng } from '../../../core/io/image-io';
import { assertClose, expectNoTensorLeak, randomArray } from '../../helpers/tensors';

/** CRC-32 (IEEE) as PNG chunks need it; written out so the bomb fixture does not depend on zlib.crc32. */
function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, body: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])), 0);
  return Buffer.concat([head, body, crc]);
}

/** A valid-looking PNG header that declares width x height RGB pixels, with a tiny, short IDAT. */
function bombPng(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, deflate, adaptive filter, no interlace
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const idat = Buffer.from([0x78, 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01]);
  return Buffer.concat([signature, pngChunk('IHDR', ihdr), pngChunk('IDAT', idat), pngChunk('IEND', Buffer.alloc(0))]);
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

describe('core/io/image-decode', () => {
  let dir: string;
  const H = 4;
  const W = 6;
  // Exact, distinct colours so any channel swap, flip or rescale would show.
  const rgb = new Uint8Array(H * W * 3).map((_, i) => (i * 53 + 7) % 256);
  let pngFile: string;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retex-decode-'));
    pngFile = path.join(dir, 'exact.png');
    fs.writeFileSync(pngFile, await encodePng(rgb, H, W, 3));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const file = (name: string) => path.join(dir, name);
  const raw = (pixels: Uint8Array, h: number, w: number, channels: 1 | 3 | 4) =>
    sharp(Buffer.from(pixels), { raw: { width: w, height: h, channels } });

  it('decodes a PNG exactly, in [-1,1] by default and [0,1] on request, without leaking', async () => {
    // readImage returns one tensor the caller owns, so each call must add exactly one.
    const before = tf.memory().numTensors;
    const a = await readImage(pngFile);
    const b = await readImage(pngFile, { range: '[0,1]' });
    expect(tf.memory().numTensors - before).to.equal(2);
    expect(a.shape).to.deep.equal([H, W, 3]);
    expect(a.dtype).to.equal('float32');
    assertClose(a, Array.from(rgb, (v) => v / 127.5 - 1), { atol: 1e-6, what: '[-1,1] pixels' });
    assertClose(b, Array.from(rgb, (v) => v / 255), { atol: 1e-6, what: '[0,1] pixels' });
    tf.dispose([a, b]);
  });

  it('decodes lossless WebP exactly and JPEG approximately, from buffers', async () => {
    const webp = await raw(rgb, H, W, 3).webp({ lossless: true }).toBuffer();
    const w = await decodeImage(webp, { range: '[0,1]' });
    assertClose(w, Array.from(rgb, (v) => v / 255), { atol: 1e-6, what: 'webp' });
    w.dispose();
    const solid = new Uint8Array(16 * 16 * 3).map((_, i) => [200, 100, 50][i % 3]);
    const jpeg = await raw(solid, 16, 16, 3).jpeg({ quality: 95 }).toBuffer();
    const j = await decodeImage(jpeg, { range: '[0,1]' });
    expect(j.shape).to.deep.equal([16, 16, 3]);
    assertClose(j, Array.from(solid, (v) => v / 255), { atol: 4 / 255, rtol: 0, what: 'jpeg' });
    j.dispose();
  });

  it('composites alpha over the background, or drops it', async () => {
    // Pixel 0: red, fully transparent; pixel 1: green, opaque; pixel 2: blue, half transparent.
    const rgba = new Uint8Array([255, 0, 0, 0, 0, 255, 0, 255, 0, 0, 255, 128]);
    const png = await encodePng(rgba, 1, 3, 4);
    const over = await decodeImage(png, { range: '[0,1]', background: [255, 255, 255] });
    assertClose(over, [1, 1, 1, 0, 1, 0, 127 / 255, 127 / 255, 1], { atol: 1.5 / 255, rtol: 0, what: 'composite' });
    const dropped = await decodeImage(png, { range: '[0,1]', alpha: 'drop' });
    assertClose(dropped, [1, 0, 0, 0, 1, 0, 0, 0, 1], { atol: 1e-6, what: 'drop' });
    tf.dispose([over, dropped]);
  });

  it('resizes by stretching or by padding to the aspect ratio', async () => {
    const red = new Uint8Array(2 * 4 * 3).map((_, i) => (i % 3 === 0 ? 255 : 0));
    const png = await encodePng(red, 2, 4, 3);
    const stretched = await decodeImage(png, { size: [8, 2], range: '[0,1]' });
    expect(stretched.shape).to.deep.equal([8, 2, 3]);
    assertClose(stretched, Array.from({ length: 8 * 2 * 3 }, (_, i) => (i % 3 === 0 ? 1 : 0)), {
      atol: 1 / 255,
      rtol: 0,
      what: 'stretched solid red',
    });
    // 2x4 into 4x4 keeps scale 1: rows 1-2 are the image, rows 0 and 3 the blue margin.
    const padded = await decodeImage(png, { size: [4, 4], fit: 'pad', padColor: [0, 0, 255], range: '[0,1]' });
    expect(padded.shape).to.deep.equal([4, 4, 3]);
    const rows = (await padded.array()).map((row) => row.map((px) => px.map((v) => Math.round(v * 255)).join(',')));
    expect(rows[0]).to.deep.equal(Array(4).fill('0,0,255'));
    expect(rows[1]).to.deep.equal(Array(4).fill('255,0,0'));
    expect(rows[2]).to.deep.equal(Array(4).fill('255,0,0'));
    expect(rows[3]).to.deep.equal(Array(4).fill('0,0,255'));
    tf.dispose([stretched, padded]);
  });

  it('applies EXIF orientation and converts greyscale and 16-bit images to RGB', async () => {
    const rotated = await raw(rgb, H, W, 3).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const r = await decodeImage(rotated);
    expect(r.shape).to.deep.equal([W, H, 3]);
    const grey = await raw(new Uint8Array([0, 64, 128, 255]), 2, 2, 1).png().toBuffer();
    const g = await decodeImage(grey, { range: '[0,1]' });
    assertClose(g, [0, 0, 0, 64, 64, 64, 128, 128, 128, 255, 255, 255].map((v) => v / 255), { atol: 1e-6, what: 'grey' });
    const deep = await raw(rgb, H, W, 3).toColourspace('rgb16').png().toBuffer();
    expect((await sharp(deep).metadata()).depth).to.equal('ushort');
    const d = await decodeImage(deep, { range: '[0,1]' });
    assertClose(d, Array.from(rgb, (v) => v / 255), { atol: 1e-6, what: '16-bit' });
    tf.dispose([r, g, d]);
  });

  describe('TIFF', () => {
    // sharp writes JPEG-compressed TIFF by default; LZW keeps the data exact.
    const tiff = (pixels: Uint8Array, h: number, w: number, channels: 1 | 3 | 4) =>
      raw(pixels, h, w, channels).tiff({ compression: 'lzw' });

    it('decodes 8-bit and 16-bit TIFF to the same pixels as the PNG of the same data, and probes it', async () => {
      fs.writeFileSync(file('scan.tif'), await tiff(rgb, H, W, 3).toBuffer());
      const t8 = await readImage(file('scan.tif'), { range: '[0,1]' });
      assertClose(t8, Array.from(rgb, (v) => v / 255), { atol: 1e-6, what: '8-bit tiff' });
      expect(await probeImage(file('scan.tif'))).to.deep.equal({ format: 'tiff', width: W, height: H, hasAlpha: false });

      const deep = await tiff(rgb, H, W, 3).toColourspace('rgb16').toBuffer();
      const meta = await sharp(deep).metadata();
      expect([meta.format, meta.depth]).to.deep.equal(['tiff', 'ushort']);
      const deepPng = await raw(rgb, H, W, 3).toColourspace('rgb16').png().toBuffer();
      const t16 = await decodeImage(deep, { range: '[0,1]' });
      const p16 = await decodeImage(deepPng, { range: '[0,1]' });
      assertClose(t16, p16, { atol: 1e-6, what: '16-bit tiff vs png' });
      assertClose(t16, t8, { atol: 1e-6, what: '16-bit vs 8-bit tiff' });

      const grey16 = await tiff(new Uint8Array([0, 64, 128, 255]), 2, 2, 1).toColourspace('grey16').toBuffer();
      const g = await decodeImage(grey16, { range: '[0,1]' });
      assertClose(g, [0, 0, 0, 64, 64, 64, 128, 128, 128, 255, 255, 255].map((v) => v / 255), { atol: 1e-6, what: 'grey16' });
      tf.dispose([t8, t16, p16, g]);
    });

    it('composites or drops alpha as for PNG, also at 16 bits', async () => {
      const rgba = new Uint8Array([255, 0, 0, 0, 0, 255, 0, 255, 0, 0, 255, 128]);
      const png = await encodePng(rgba, 1, 3, 4);
      const t8 = await tiff(rgba, 1, 3, 4).toBuffer();
      const t16 = await tiff(rgba, 1, 3, 4).toColourspace('rgb16').toBuffer();
      expect((await sharp(t16).metadata()).depth).to.equal('ushort');
      for (const alpha of ['composite', 'drop'] as const) {
        const want = await decodeImage(png, { alpha, background: [255, 255, 255], range: '[0,1]' });
        for (const [what, buf] of [['8-bit', t8], ['16-bit', t16]] as const) {
          const got = await decodeImage(buf, { alpha, background: [255, 255, 255], range: '[0,1]' });
          // 16-bit blending rounds once, at the end: within one step of the 8-bit result.
          assertClose(got, want, { atol: (what === '8-bit' ? 0 : 1) / 255 + 1e-6, rtol: 0, what: `${what} ${alpha}` });
          got.dispose();
        }
        want.dispose();
      }
    });

    it('takes page 0 of a multi-page TIFF', async () => {
      const second = new Uint8Array(rgb.length).fill(9);
      const pages = Buffer.concat([rgb, second]);
      const multi = await sharp(pages, { raw: { width: W, height: 2 * H, channels: 3, pageHeight: H } as CreateRaw })
        .tiff({ compression: 'lzw' })
        .toBuffer();
      expect((await sharp(multi).metadata()).pages).to.equal(2);
      fs.writeFileSync(file('pages.tif'), multi);
      expect(await probeImage(file('pages.tif'))).to.deep.equal({ format: 'tiff', width: W, height: H, hasAlpha: false });
      const t = await readImage(file('pages.tif'), { range: '[0,1]' });
      assertClose(t, Array.from(rgb, (v) => v / 255), { atol: 1e-6, what: 'page 0' });
      t.dispose();
    });

    it('applies the orientation tag', async () => {
      const rotated = await tiff(rgb, H, W, 3).withMetadata({ orientation: 6 }).toBuffer();
      const t = await decodeImage(rotated, { range: '[0,1]' });
      // Orientation 6: the stored image is shown turned 90 degrees clockwise.
      const want = await raw(rgb, H, W, 3).rotate(90).raw().toBuffer();
      expect(t.shape).to.deep.equal([W, H, 3]);
      assertClose(t, Array.from(want, (v) => v / 255), { atol: 1e-6, what: 'rotated' });
      t.dispose();
    });

    it('a big-endian TIFF header with nothing behind it is a corrupt TIFF', async () => {
      const bad = Buffer.concat([Buffer.from('MM\0*', 'latin1'), Buffer.alloc(60, 0xee)]);
      await expectImageError(decodeImage(bad, { name: 'scan' }), 'corrupt', 'scan', 'TIFF');
    });
  });

  it('round-trips a float tensor through a PNG file within one quantisation step', async () => {
    const original = tf.tensor3d(Array.from(randomArray(5 * 7 * 3, 9)), [5, 7, 3]);
    await writeTensorPng(file('roundtrip.png'), original, '[-1,1]');
    const back = await readImage(file('roundtrip.png'));
    expect(back.shape).to.deep.equal([5, 7, 3]);
    assertClose(back, original, { atol: 1 / 255 + 1e-6, rtol: 0, what: 'round trip' });
    tf.dispose([original, back]);
  });

  it('probes format and size from the header', async () => {
    expect(await probeImage(pngFile)).to.deep.equal({ format: 'png', width: W, height: H, hasAlpha: false });
  });

  describe('rejects bad input with an ImageError that names the file and says what to do', () => {
    it('missing file and directory', async () => {
      await expectImageError(readImage(file('nope.png')), 'not-found', file('nope.png'), 'check the path');
      await expectImageError(readImage(dir), 'invalid-argument', 'is a directory');
    });

    it('zero-byte file', async () => {
      fs.writeFileSync(file('empty.jpg'), '');
      await expectImageError(readImage(file('empty.jpg')), 'empty', file('empty.jpg'), '0 bytes');
    });

    it('truncated PNG, JPEG, WebP and TIFF (a valid file cut in half)', async () => {
      const big = new Uint8Array(64 * 48 * 3).map((_, i) => (i * 31) % 251);
      const variants: [string, Buffer][] = [
        ['cut.png', await raw(big, 64, 48, 3).png().toBuffer()],
        ['cut.jpg', await raw(big, 64, 48, 3).jpeg().toBuffer()],
        ['cut.webp', await raw(big, 64, 48, 3).webp().toBuffer()],
        ['cut.tif', await raw(big, 64, 48, 3).tiff({ compression: 'lzw' }).toBuffer()],
      ];
      for (const [name, data] of variants) {
        fs.writeFileSync(file(name), data.subarray(0, data.length >> 1));
        await expectImageError(readImage(file(name)), 'corrupt', file(name), 'truncated', 'fresh copy');
      }
    });

    it('a text file renamed .jpg', async () => {
      fs.writeFileSync(file('notes.jpg'), '<!DOCTYPE html><html><body>404 Not Found</body></html>\n');
      const e = await expectImageError(readImage(file('notes.jpg')), 'unsupported-format', file('notes.jpg'), 'not a PNG, JPEG, WebP, TIFF or BMP');
      // The error says what the file looks like without quoting it (it may hold private text).
      expect(e.message).to.contain('looks like a text file');
      expect(e.message).to.not.contain('DOCTYPE');
      expect(e.file).to.equal(file('notes.jpg'));
    });

    it('another image format (GIF)', async () => {
      fs.writeFileSync(file('anim.gif'), await raw(rgb, H, W, 3).gif().toBuffer());
      await expectImageError(
        readImage(file('anim.gif')),
        'unsupported-format',
        'GIF image',
        'retex reads PNG, JPEG, WebP, TIFF and BMP',
        'convert it',
      );
    });

    it('a decompression bomb: a hand-made PNG header declaring 100000x100000 pixels', async () => {
      const bomb = bombPng(100000, 100000);
      expect(bomb.length).to.be.below(100);
      fs.writeFileSync(file('bomb.png'), bomb);
      await expectImageError(readImage(file('bomb.png')), 'too-many-pixels', file('bomb.png'), '100000x100000', 'RETEX_MAX_IMAGE_PIXELS');
      await expectImageError(probeImage(file('bomb.png')), 'too-many-pixels', '10000.0 MP');
      // The limit is configurable: the 4x6 fixture passes at 24 pixels and fails at 23.
      (await readImage(pngFile, { maxPixels: 24 })).dispose();
      (await readImage(pngFile, { maxPixels: 24.5, maxBytes: Infinity })).dispose();
      await expectImageError(readImage(pngFile, { maxPixels: 23 }), 'too-many-pixels', '6x4');
    });

    it('a file over the byte limit, checked before reading', async () => {
      const size = fs.statSync(pngFile).size;
      await expectImageError(readImage(pngFile, { maxBytes: size - 1 }), 'too-large-file', pngFile, 'RETEX_MAX_IMAGE_BYTES');
      await expectImageError(decodeImage(fs.readFileSync(pngFile), { maxBytes: 10, name: 'upload' }), 'too-large-file', 'upload');
    });

    it('invalid options', async () => {
      await expectImageError(readImage(pngFile, { size: [0, 4] }), 'invalid-argument', 'size');
      await expectImageError(readImage(pngFile, { range: '0..1' as '[0,1]' }), 'invalid-argument', 'range');
      await expectImageError(readImage(pngFile, { fit: 'cover' as 'pad' }), 'invalid-argument', "'stretch' or 'pad'");
      await expectImageError(readImage(pngFile, { maxPixels: 0 }), 'invalid-argument', 'maxPixels');
    });

    it('leaves no tensors behind when it rejects', async () => {
      await expectNoTensorLeak(() => readImage(file('bomb.png')).catch(() => undefined), 'rejected readImage');
      await expectNoTensorLeak(() => readImage(file('cut.png')).catch(() => undefined), 'rejected readImage');
    });
  });
});
