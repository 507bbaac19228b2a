import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import { tf } from '../../../core/backend/tf';
import { encodePng, tensorToPixels, writePng, writeTensorPng } from '../../../core/io/image-io';
import { ImageError } from '../../../core/io/image-error';
import { expectNoTensorLeak } from '../../helpers/tensors';

describe('core/io/image-io (encoding)', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retex-image-io-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('encodes RGB and RGBA pixels to PNG losslessly', async () => {
    for (const channels of [3, 4] as const) {
      const h = 5;
      const w = 7;
      const pixels = new Uint8Array(h * w * channels).map((_, i) => (i * 37) % 256);
      const png = await encodePng(pixels, h, w, channels);
      expect([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).to.equal('PNG');
      const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
      expect([info.height, info.width, info.channels]).to.deep.equal([h, w, channels]);
      expect(Buffer.compare(data, Buffer.from(pixels))).to.equal(0);
    }
  });

  it('rejects a pixel buffer of the wrong length or channel count', async () => {
    const err = await encodePng(new Uint8Array(10), 2, 2, 3).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ImageError);
    expect((err as Error).message).to.contain('needs 12');
    const err2 = await encodePng(new Uint8Array(8), 2, 2, 2 as 3).catch((e: unknown) => e);
    expect((err2 as Error).message).to.contain('3 (RGB) or 4 (RGBA)');
  });

  it('maps float tensors in [0,1] and [-1,1] to bytes with clipping and rounding', async () => {
    const unit = tf.tensor3d([0, 0.5, 1, -0.2, 1.3, 0.25], [1, 2, 3]);
    const signed = tf.tensor3d([-1, 0, 1, -3, 3, 0.5], [1, 2, 3]);
    await expectNoTensorLeak(async () => {
      const a = await tensorToPixels(unit, '[0,1]');
      expect([...a.pixels]).to.deep.equal([0, 128, 255, 0, 255, 64]);
      expect([a.height, a.width, a.channels]).to.deep.equal([1, 2, 3]);
      const b = await tensorToPixels(signed, '[-1,1]');
      expect([...b.pixels]).to.deep.equal([0, 128, 255, 0, 255, 191]);
    }, 'tensorToPixels');
    tf.dispose([unit, signed]);
    const bad = tf.zeros([2, 2, 2]);
    const err = await tensorToPixels(bad).catch((e: unknown) => e);
    bad.dispose();
    expect((err as Error).message).to.contain('[2,2,2]');
  });

  it('writes PNG files from bytes and from tensors', async () => {
    const file = path.join(dir, 'nested', 'px.png');
    await writePng(file, new Uint8Array([255, 0, 0, 0, 255, 0]), 1, 2, 3);
    const raw = await sharp(file).raw().toBuffer();
    expect([...raw]).to.deep.equal([255, 0, 0, 0, 255, 0]);
    const t = tf.tensor4d([1, 0, 0, 1, 0, 1, 0, 0.5], [1, 1, 2, 4]);
    await writeTensorPng(path.join(dir, 't.png'), t);
    t.dispose();
    const raw2 = await sharp(path.join(dir, 't.png')).raw().toBuffer();
    expect([...raw2]).to.deep.equal([255, 0, 0, 255, 0, 255, 0, 128]);
  });
});
