import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import { readPixels } from '../../../../core/io/image-decode';
import type { SynthSummary } from '../../../../core/plugin';
import { Market1501Dataset } from '../../../../plugins/human-smpl/data/market1501-dataset';
import { parseMarketName } from '../../../../plugins/human-smpl/data/market1501-names';
import { HUMAN_SYNTH, marketTexturePath, marketTruthPaths } from '../../../../plugins/human-smpl/synth/market-synth';
import { planMarket } from '../../../../plugins/human-smpl/synth/market-plan';
import { expectNoTensorLeak } from '../../../helpers/tensors';

/** Every file under `dir`, relative, sorted. */
function listFiles(dir: string, base = dir): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name), base) : [path.relative(base, path.join(dir, e.name))]))
    .sort();
}

const OPTIONS = { subjects: 4, imagesPerSubject: 3, size: [128, 64] as const, seed: 7 };

describe('plugins/human-smpl/synth (retex synth --category human)', () => {
  let root: string;
  let a: string;
  let first: SynthSummary;

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'retex-synth-human-'));
    a = path.join(root, 'a');
    first = await HUMAN_SYNTH.run({ out: a, ...OPTIONS });
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('plans Market splits: train ids, test ids with a query and a cross-camera gallery image each', () => {
    const plan = planMarket(5, 8, 3);
    const train = new Set(plan.filter((p) => p.folder === 'bounding_box_train').map((p) => p.identity));
    const query = plan.filter((p) => p.folder === 'query');
    const gallery = plan.filter((p) => p.folder === 'bounding_box_test');
    expect([...train]).to.deep.equal([1, 2, 3]);
    expect(new Set(query.map((q) => q.identity))).to.deep.equal(new Set([4, 5]));
    for (const q of query) {
      expect(gallery.some((g) => g.identity === q.identity && g.camera !== q.camera), q.name).to.equal(true);
    }
    for (const p of plan) expect(parseMarketName(p.name)?.personId, p.name).to.equal(p.identity);
    expect(new Set(plan.map((p) => p.name)).size).to.equal(plan.length);
    expect(() => planMarket(1, 3, 0)).to.throw(/--identities/);
    expect(() => planMarket(3, 1, 0)).to.throw(/--images-per-identity/);
  });

  it('the folder is read unchanged by Market1501Dataset (identity counts, splits, images)', async () => {
    expect(first.images).to.equal(12);
    expect(first.written).to.equal(12);
    const ds = Market1501Dataset.load({ root: a, size: [128, 64] });
    expect(ds.identityCount('train')).to.equal(2);
    expect(ds.identityCount('test')).to.equal(2);
    expect(ds.samples('train')).to.have.length(6);
    expect(ds.samples('query').length + ds.samples('test').length).to.equal(6);
    const testIds = new Set(ds.samples('test').map((s) => s.identity));
    for (const q of ds.samples('query')) expect(testIds.has(q.identity)).to.equal(true);
    const sample = ds.samples('train')[0];
    await expectNoTensorLeak(async () => {
      const image = await ds.loadImage(sample);
      expect(image.shape).to.deep.equal([128, 64, 3]);
      image.dispose();
    });
  });

  it('writes ground truth: texture per identity, pose 72, betas, camera, and a mask matching the box', async () => {
    const sample = Market1501Dataset.load({ root: a, size: [128, 64] }).samples('train')[0];
    const im = { folder: 'bounding_box_train' as const, name: sample.id };
    const truth = JSON.parse(fs.readFileSync(path.join(a, marketTruthPaths(im).params), 'utf8'));
    expect(truth.pose).to.have.length(72);
    expect(truth.betas).to.have.length(5);
    expect(truth.identity).to.equal(sample.identity);
    expect(truth.camera.type).to.equal('perspective');
    expect(fs.existsSync(path.join(a, marketTexturePath(sample.identity)))).to.equal(true);
    const { data, info } = await sharp(path.join(a, marketTruthPaths(im).mask)).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    expect([info.height, info.width, info.channels]).to.deep.equal([128, 64, 1]);
    const [bx, by, bw, bh] = truth.bbox as number[];
    let covered = 0;
    for (let p = 0; p < data.length; p++) {
      if (!data[p]) continue;
      covered++;
      const x = p % 64;
      const y = Math.floor(p / 64);
      expect(x >= bx && x < bx + bw && y >= by && y < by + bh).to.equal(true);
    }
    // A person filling most of the height of a 128x64 crop.
    expect(bh).to.be.greaterThan(0.6 * 128);
    expect(covered).to.be.greaterThan(600);
  });

  it('is deterministic (same bytes) and a rerun completes a partial folder identically', async () => {
    const b = path.join(root, 'b');
    await HUMAN_SYNTH.run({ out: b, ...OPTIONS });
    const files = listFiles(a);
    expect(listFiles(b)).to.deep.equal(files);
    for (const f of files) expect(fs.readFileSync(path.join(b, f)).equals(fs.readFileSync(path.join(a, f))), f).to.equal(true);
    // Remove two images, a mask and a texture, then resume.
    const images = files.filter((f) => f.endsWith('.jpg'));
    const removed = [images[0], images[5], marketTruthPaths({ folder: 'query', name: path.basename(files.find((f) => f.startsWith('query'))!) }).mask, marketTexturePath(2)];
    for (const f of removed) fs.rmSync(path.join(b, f));
    // What a run killed between writing an image's temp file and renaming it leaves behind.
    fs.writeFileSync(path.join(b, 'query', `.${path.basename(images[0])}.123.4.tmp`), 'cut short');
    const resumed = await HUMAN_SYNTH.run({ out: b, ...OPTIONS });
    expect(resumed.written).to.equal(3);
    expect(listFiles(b)).to.deep.equal(files);
    for (const f of files) expect(fs.readFileSync(path.join(b, f)).equals(fs.readFileSync(path.join(a, f))), f).to.equal(true);
  });

  it('refuses to mix plans in one folder', async () => {
    let error: Error | undefined;
    try {
      await HUMAN_SYNTH.run({ out: a, ...OPTIONS, seed: 8 });
    } catch (err) {
      error = err as Error;
    }
    expect(error?.message).to.match(/other options/);
  });

  it('identities differ in clothing: textures of different identities are far apart in colour', async () => {
    const textures = await Promise.all([1, 2, 3, 4].map((id) => readPixels(path.join(a, marketTexturePath(id)))));
    const distances: number[] = [];
    for (let i = 0; i < textures.length; i++) {
      for (let j = i + 1; j < textures.length; j++) {
        let sum = 0;
        const p = textures[i].pixels;
        const q = textures[j].pixels;
        for (let t = 0; t < p.length; t += 3) sum += Math.hypot(p[t] - q[t], p[t + 1] - q[t + 1], p[t + 2] - q[t + 2]) / 255;
        distances.push(sum / (p.length / 3));
      }
    }
    // Mean RGB distance per texel (0..1.73); the face and hands are a small part of the atlas.
    for (const d of distances) expect(d).to.be.greaterThan(0.15);
  });

  it('--textures renders the given textures: a red and a blue texture give red and blue people', async () => {
    const dir = path.join(root, 'tex');
    fs.mkdirSync(dir);
    for (const [name, rgb] of [['a.png', [220, 20, 20]], ['b.png', [20, 20, 220]]] as const) {
      const raw = Buffer.alloc(16 * 16 * 3);
      for (let i = 0; i < 256; i++) raw.set(rgb, 3 * i);
      await sharp(raw, { raw: { width: 16, height: 16, channels: 3 } }).png().toFile(path.join(dir, name));
    }
    const out = path.join(root, 'from-textures');
    const summary = await HUMAN_SYNTH.run({ out, imagesPerSubject: 2, size: [64, 32], seed: 1, textures: dir });
    expect(summary.subjects).to.equal(2);
    const ds = Market1501Dataset.load({ root: out, size: [64, 32] });
    for (const s of [...ds.samples('train'), ...ds.samples('test'), ...ds.samples('query')]) {
      const img = await readPixels(s.imagePath);
      const mask = await sharp(path.join(out, marketTruthPaths({ folder: path.basename(path.dirname(s.imagePath)) as 'query', name: s.id }).mask)).extractChannel(0).raw().toBuffer();
      const mean = [0, 0, 0];
      let n = 0;
      for (let p = 0; p < mask.length; p++) {
        if (!mask[p]) continue;
        n++;
        for (let k = 0; k < 3; k++) mean[k] += img.pixels[3 * p + k];
      }
      const [r, , b] = mean.map((m) => m / n);
      if (s.identity === 1) expect(r, s.id).to.be.greaterThan(b + 40);
      else expect(b, s.id).to.be.greaterThan(r + 40);
    }
  });
});
