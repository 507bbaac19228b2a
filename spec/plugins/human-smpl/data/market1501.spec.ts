import { expect } from 'chai';
import { mkdirSync, writeFileSync } from 'fs';
import * as path from 'path';
import sharp from 'sharp';
import { tf } from '../../../../core/backend/tf';
import type { Sample } from '../../../../core/interfaces/dataset';
import { PkBatchSampler } from '../../../../core/data/pk-batch-sampler';
import { Market1501Dataset } from '../../../../plugins/human-smpl/data/market1501-dataset';
import { parseMarketName } from '../../../../plugins/human-smpl/data/market1501-names';
import { humanSmplPlugin } from '../../../../plugins/human-smpl';
import type { ImplementationContext, RetexConfig } from '../../../../core/plugin';
import { tempDir } from '../helpers/smpl-fixtures';

/** A tiny real JPEG whose colour encodes the person id (red channel). */
async function writeJpeg(file: string, personId: number): Promise<void> {
  const [w, h] = [16, 32];
  const raw = Buffer.alloc(w * h * 3);
  for (let i = 0; i < w * h; i++) raw.set([(personId * 37) % 256, 128, i % 2 ? 200 : 40], 3 * i);
  await sharp(raw, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 90 }).toFile(file);
}

const TRAIN = [
  '0002_c1s1_000451_03.jpg',
  '0002_c2s1_000301_01.jpg',
  '0002_c3s1_000551_01.jpg',
  '0007_c1s6_028546_01.jpg', // one image only: filled up with replacement
  '0010_c6s4_002427_02.jpg',
  '0010_c6s4_002452_02.jpg',
  '0011_c1s1_001051_01.jpg',
  '0011_c2s1_001051_02.jpg',
  '0011_c3s1_001051_03.jpg',
  '0011_c4s1_001051_04.jpg',
  '0011_c5s1_001051_05.jpg',
];
const TEST = ['0002_c4s1_000451_01.jpg', '0000_c1s1_000151_01.jpg', '-1_c1s1_000401_03.jpg', '0005_c2s1_000976_01.jpg'];
const QUERY = ['0002_c5s1_000201_00.jpg', '0005_c1s1_001001_00.jpg'];

describe('plugins/human-smpl Market-1501 reader', () => {
  const root = tempDir('retex-market-');
  before(async () => {
    for (const [folder, names] of [
      ['bounding_box_train', TRAIN],
      ['bounding_box_test', TEST],
      ['query', QUERY],
    ] as const) {
      mkdirSync(path.join(root, folder));
      for (const n of names) await writeJpeg(path.join(root, folder, n), Math.max(0, parseMarketName(n)?.personId ?? 0));
    }
    writeFileSync(path.join(root, 'bounding_box_train', 'Thumbs.db'), 'not an image');
  });

  it('parses Market-1501 names: identity, camera, sequence, frame, box', () => {
    expect(parseMarketName('0002_c1s1_000451_03.jpg')).to.deep.equal({ personId: 2, camera: 1, sequence: 1, frame: 451, box: 3 });
    expect(parseMarketName('-1_c3s2_012345_01.jpg')?.personId).to.equal(-1);
    expect(parseMarketName('0000_c6s4_002427_02.jpg')?.personId).to.equal(0);
    expect(parseMarketName('2_c1s1_000451_03.jpg')).to.equal(null);
    expect(parseMarketName('0002_x1s1_000451_03.jpg')).to.equal(null);
  });

  it('reads the splits: junk (-1) left out, distractors (0000) kept in the gallery as identity -1, train labels', () => {
    const ds = Market1501Dataset.load({ root, size: [128, 64] });
    const train = ds.samples('train');
    expect(train.map((s) => s.id)).to.deep.equal([...TRAIN].sort());
    expect(train[0].identity).to.equal(2);
    expect(train[0].annotations.camera).to.equal(1);
    expect(new Set(train.map((s) => s.annotations.label))).to.deep.equal(new Set([0, 1, 2, 3]));
    expect(ds.identityCount('train')).to.equal(4);
    const gallery = ds.samples('test');
    expect(gallery.map((s) => s.id)).to.not.include('-1_c1s1_000401_03.jpg');
    const distractor = gallery.find((s) => s.id.startsWith('0000')) as Sample;
    expect(distractor.identity).to.equal(-1);
    expect(distractor.annotations.distractor).to.equal(true);
    expect(ds.samples('gallery')).to.equal(gallery);
    expect(ds.samples('query').map((s) => s.identity)).to.deep.equal([2, 5]);
    expect(() => ds.samples('val')).to.throw(/no split 'val'.*train, test, gallery, query/);
  });

  it('decodes images to [128,64,3] in [-1,1]', async () => {
    const ds = Market1501Dataset.load({ root, size: [128, 64] });
    const img = await ds.loadImage(ds.samples('train')[0]);
    expect(img.shape).to.deep.equal([128, 64, 3]);
    const [lo, hi] = [img.min().dataSync()[0], img.max().dataSync()[0]];
    expect(lo).to.be.at.least(-1);
    expect(hi).to.be.at.most(1);
    const green = tf.tidy(() => img.slice([0, 0, 1], [128, 64, 1]).mean().dataSync()[0]);
    expect(green).to.be.closeTo(128 / 127.5 - 1, 0.05);
    img.dispose();
  });

  it('reports malformed names (or skips them when asked) and missing folders', () => {
    const bad = tempDir('retex-market-bad-');
    mkdirSync(path.join(bad, 'bounding_box_train'));
    writeFileSync(path.join(bad, 'bounding_box_train', '0002_c1s1_000451_03.jpg'), '');
    writeFileSync(path.join(bad, 'bounding_box_train', 'person2.jpg'), '');
    expect(() => Market1501Dataset.load({ root: bad, size: [128, 64] })).to.throw(/1 image name\(s\) do not follow.*person2\.jpg.*ignoreMalformed/);
    const ds = Market1501Dataset.load({ root: bad, size: [128, 64], ignoreMalformed: true });
    expect(ds.samples('train').length).to.equal(1);
    expect(() => ds.samples('query')).to.throw(/split 'query' needs the folder .*query/);
    expect(() => Market1501Dataset.load({ root: path.join(bad, 'nope'), size: [128, 64] })).to.throw(/is not a folder/);
  });

  it('is the plugin dataset `market1501`, and asks for dataset.root when it is missing', async () => {
    const impl = humanSmplPlugin.implementations.dataset?.market1501;
    const config = { image: { height: 128, width: 64 } } as unknown as RetexConfig;
    const ctx = (options: Record<string, unknown>): ImplementationContext => ({ config, options, container: undefined as never });
    const ds = await impl?.create(ctx({ root }));
    expect(ds?.samples('train').length).to.equal(TRAIN.length);
    let message = '';
    await impl?.create(ctx({})).catch((err: Error) => (message = err.message));
    expect(message).to.match(/dataset\.root is not set/);
  });

  describe('P x K identity batches', () => {
    const sampler = new PkBatchSampler();
    const ds = () => Market1501Dataset.load({ root, size: [128, 64] });

    it('gives P distinct identities x K images each, topping up small identities and short groups with repeats', () => {
      const batches = [...sampler.batches(ds().samples('train'), 2, 4, 7)];
            for (const b of batches) {
        expect(b.length).to.equal(8);
        const ids = b.map((s) => s.identity);
        expect(new Set(ids).size).to.equal(2);
        expect(ids.slice(0, 4).every((x) => x === ids[0])).to.equal(true);
      }
      // identity 7 has one image: when it appears, that image is repeated 4 times
      const seven = batches.flat().filter((s) => s.identity === 7);
      expect(new Set(seven.map((s) => s.id)).size).to.be.at.most(1);
      // identities 2, 7 and 10 make one group of 4 each; 11 (5 images) makes two, the second topped up by
      // repeats: 5 groups -> 2 batches of P = 2, one group left over
      expect(batches.length).to.equal(2);
      expect(batches.flat().filter((s) => s.identity === 11).length % 4).to.equal(0);
    });

    it('is deterministic for a seed and varies with it; skips distractors; needs P identities', () => {
      const train = ds().samples('train');
      const ids = (seed: number) => [...sampler.batches(train, 2, 2, seed)].map((b) => b.map((s) => s.id).join());
      expect(ids(1)).to.deep.equal(ids(1));
      expect([2, 3, 4, 5, 6].some((s) => ids(s).join('|') !== ids(1).join('|'))).to.equal(true);
      const gallery = ds().samples('test');
      expect(() => [...sampler.batches(gallery, 4, 4, 0)]).to.throw(/at least P = 4 identities, but the samples hold 2/);
      const batches = [...sampler.batches(gallery, 2, 1, 0)];
      expect(batches.flat().every((s) => s.identity >= 0)).to.equal(true);
    });
  });
});
