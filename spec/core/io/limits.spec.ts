import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import { readPixels } from '../../../core/io/image-decode';
import { ImageError } from '../../../core/io/image-error';
import { limit } from '../../../core/io/limits';

describe('core/io/limits (size limits and their environment variables)', () => {
  it('gives the default when the variable is unset or empty, the value when it is a positive whole number or Infinity', () => {
    expect(limit('imagePixels', {})).to.equal(50_000_000);
    expect(limit('imagePixels', { RETEX_MAX_IMAGE_PIXELS: '' })).to.equal(50_000_000);
    expect(limit('imagePixels', { RETEX_MAX_IMAGE_PIXELS: ' 1200 ' })).to.equal(1200);
    expect(limit('meshBytes', { RETEX_MAX_MESH_BYTES: 'Infinity' })).to.equal(Infinity);
  });

  it('refuses anything else, naming the variable', () => {
    for (const bad of ['0', '-5', '1e9', '0x10', '12.5', 'lots', '99999999999999999999']) {
      expect(() => limit('imageBytes', { RETEX_MAX_IMAGE_BYTES: bad }), bad).to.throw(/RETEX_MAX_IMAGE_BYTES=.*positive whole number/);
    }
  });

  it('a lowered pixel limit refuses a photo before decoding it and says how to raise it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retex-limits-'));
    try {
      const file = path.join(dir, 'photo.png');
      await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 1, g: 2, b: 3 } } }).png().toFile(file);
      const saved = process.env.RETEX_MAX_IMAGE_PIXELS;
      process.env.RETEX_MAX_IMAGE_PIXELS = '1000';
      try {
        const err = await readPixels(file).then(() => null, (e: unknown) => e);
        expect(err).to.be.instanceOf(ImageError);
        expect((err as ImageError).kind).to.equal('too-many-pixels');
        expect((err as Error).message).to.match(/40x30 pixels .* RETEX_MAX_IMAGE_PIXELS=<n>/);
      } finally {
        if (saved === undefined) delete process.env.RETEX_MAX_IMAGE_PIXELS;
        else process.env.RETEX_MAX_IMAGE_PIXELS = saved;
      }
      expect((await readPixels(file)).width).to.equal(40);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
