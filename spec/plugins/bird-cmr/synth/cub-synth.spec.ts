import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readPixels } from '../../../../core/io/image-decode';
import { CubDataset, cubAnnotations } from '../../../../plugins/bird-cmr/cub/cub-dataset';
import { readCubRecords } from '../../../../plugins/bird-cmr/cub/cub-files';
import { BIRD_SYNTH, cubTruthPaths, planCub } from '../../../../plugins/bird-cmr/synth/cub-synth';
import { drawSpecies, paintPlumage, varyPlumage } from '../../../../plugins/bird-cmr/synth/plumage';
import { SeededRandom } from '../../../../core/synth/random';
import { expectNoTensorLeak } from '../../../helpers/tensors';

function listFiles(dir: string, base = dir): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name), base) : [path.relative(base, path.join(dir, e.name))]))
    .sort();
}

function meanDistance(p: Uint8Array, q: Uint8Array): number {
  let sum = 0;
  for (let t = 0; t < p.length; t += 3) sum += Math.hypot(p[t] - q[t], p[t + 1] - q[t + 1], p[t + 2] - q[t + 2]) / 255;
  return sum / (p.length / 3);
}

const OPTIONS = { subjects: 3, imagesPerSubject: 2, size: [96, 96] as const, seed: 5 };

describe('plugins/bird-cmr/synth (retex synth --category bird)', () => {
  let root: string;
  let a: string;

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'retex-synth-bird-'));
    a = path.join(root, 'a');
    await BIRD_SYNTH.run({ out: a, ...OPTIONS });
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('plans CUB class folders and a half/half split per species', () => {
    const plan = planCub(2, 3);
    expect(plan.map((p) => p.name)).to.deep.equal([
      '001.Synthetic_Bird_001/Synthetic_Bird_001_0001.jpg',
      '001.Synthetic_Bird_001/Synthetic_Bird_001_0002.jpg',
      '001.Synthetic_Bird_001/Synthetic_Bird_001_0003.jpg',
      '002.Synthetic_Bird_002/Synthetic_Bird_002_0001.jpg',
      '002.Synthetic_Bird_002/Synthetic_Bird_002_0002.jpg',
      '002.Synthetic_Bird_002/Synthetic_Bird_002_0003.jpg',
    ]);
    expect(plan.map((p) => p.isTraining)).to.deep.equal([true, true, false, true, true, false]);
    expect(() => planCub(0, 3)).to.throw(/--species/);
  });

  it('the folder is read unchanged by CubDataset: species, splits, masks, keypoints inside boxes', async () => {
    const ds = await CubDataset.load({ root: a, size: [64, 64] });
    expect(ds.samples('all')).to.have.length(6);
    expect(ds.samples('train')).to.have.length(3);
    expect(ds.samples('test')).to.have.length(3);
    expect(new Set(ds.samples('all').map((s) => s.identity))).to.deep.equal(new Set([0, 1, 2]));
    const { records } = readCubRecords(a);
    let visible = 0;
    for (const r of records) {
      const [bx, by, bw, bh] = r.box;
      for (let i = 0; i < 15; i++) {
        if (!r.visible[i]) continue;
        visible++;
        // Keypoints are on the surface, so within the silhouette's box (to the pixel).
        expect(r.keypoints[2 * i]).to.be.within(bx - 1, bx + bw + 1);
        expect(r.keypoints[2 * i + 1]).to.be.within(by - 1, by + bh + 1);
      }
    }
    expect(visible).to.be.greaterThan(records.length * 4);
    const sample = ds.samples('train')[0];
    expect(cubAnnotations(sample).speciesName).to.equal('001.Synthetic_Bird_001');
    await expectNoTensorLeak(async () => {
      const image = await ds.loadImage(sample);
      expect(image.shape).to.deep.equal([64, 64, 3]);
      image.dispose();
    });
    const mask = await ds.loadMask(sample);
    const covered = mask.reduce((s, v) => s + (v > 0.5 ? 1 : 0), 0);
    // The padded crop around the box is mostly bird.
    expect(covered / mask.length).to.be.within(0.15, 0.95);
  });

  it('is deterministic and a rerun completes a partial folder identically', async () => {
    const b = path.join(root, 'b');
    await BIRD_SYNTH.run({ out: b, ...OPTIONS });
    const files = listFiles(a);
    expect(listFiles(b)).to.deep.equal(files);
    for (const f of files) expect(fs.readFileSync(path.join(b, f)).equals(fs.readFileSync(path.join(a, f))), f).to.equal(true);
    const images = files.filter((f) => f.startsWith('images/'));
    fs.rmSync(path.join(b, images[1]));
    fs.rmSync(path.join(b, cubTruthPaths(images[4].slice('images/'.length)).texture));
    fs.rmSync(path.join(b, 'bounding_boxes.txt'));
    const resumed = await BIRD_SYNTH.run({ out: b, ...OPTIONS });
    expect(resumed.written).to.equal(2);
    expect(listFiles(b)).to.deep.equal(files);
    for (const f of files) expect(fs.readFileSync(path.join(b, f)).equals(fs.readFileSync(path.join(a, f))), f).to.equal(true);
  });

  it('species differ more than birds of one species (plumage families with per-bird variation)', async () => {
    const t = (species: number, bird: number) =>
      paintPlumage(varyPlumage(drawSpecies(SeededRandom.of(1, 'species', species)), SeededRandom.of(1, 'bird', bird)), [32, 64], SeededRandom.of(1, 'grain', bird)).pixels;
    const within = [meanDistance(t(1, 1), t(1, 2)), meanDistance(t(2, 3), t(2, 4)), meanDistance(t(3, 5), t(3, 6))];
    const between = [meanDistance(t(1, 1), t(2, 3)), meanDistance(t(2, 3), t(3, 5)), meanDistance(t(1, 2), t(3, 6))];
    expect(Math.max(...within)).to.be.lessThan(Math.min(...between));
    const written = await readPixels(path.join(a, cubTruthPaths('001.Synthetic_Bird_001/Synthetic_Bird_001_0001.jpg').texture));
    expect([written.height, written.width]).to.deep.equal([128, 256]);
  });
});
