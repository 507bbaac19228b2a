import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FaceFolderDataset } from '../../../plugins/face-mesh/data/face-folder-dataset';
import { makePairs, verify } from '../../../plugins/face-mesh/identity/verification';
import { faceTopologySource } from '../../../plugins/face-mesh/mesh/human-package';
import { FACE_SYNTH } from '../../../plugins/face-mesh/synth/face-synth';
import { GroundTruthFacePredictor } from '../../../plugins/face-mesh/predictors/ground-truth';
import { canonicalFaceMesh, canonicalShapeFile } from '../../../plugins/face-mesh/mesh/canonical-shape';
import { expectNoTensorLeak } from '../../helpers/tensors';

describe('plugins/face-mesh data: verification, face-folder data set, synth, ground truth', () => {
  it('verify: perfect similarity gives accuracy and AUC 1, a constant one 0.5 AUC; pairs are deterministic', () => {
    const ids = [0, 0, 0, 1, 1, 2, 2, 2, 3];
    const pairs = makePairs(ids, 0);
    expect(makePairs(ids, 0)).to.deep.equal(pairs);
    expect(pairs.filter((p) => p.same).length).to.equal(3 + 1 + 3);
    expect(pairs.filter((p) => !p.same).every((p) => ids[p.a] !== ids[p.b])).to.equal(true);
    const perfect = verify(pairs, (a, b) => (ids[a] === ids[b] ? 1 : 0));
    expect(perfect.accuracy).to.be.closeTo(1, 1e-12);
    expect(perfect.auc).to.equal(1);
    expect(verify(pairs, () => 0.3).auc).to.equal(0.5);
  });

  it('face-folder: identities are sorted folders, split in halves, reserved folders skipped, bad roots refused', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'retex-face-folder-'));
    try {
      for (const person of ['Bob', 'Alice', 'Carol', 'Dan', 'ground_truth', 'retex-prepared']) {
        fs.mkdirSync(path.join(root, person));
        fs.writeFileSync(path.join(root, person, `${person}_0001.jpg`), 'x');
        fs.writeFileSync(path.join(root, person, `${person}_0002.jpg`), 'x');
      }
      fs.writeFileSync(path.join(root, 'pairs.txt'), '');
      const d = FaceFolderDataset.load({ root, size: [64, 64] });
      expect(d.identities).to.deep.equal(['Alice', 'Bob', 'Carol', 'Dan']);
      expect(d.samples('train').map((s) => s.id)).to.deep.equal(['Alice/Alice_0001.jpg', 'Alice/Alice_0002.jpg', 'Bob/Bob_0001.jpg', 'Bob/Bob_0002.jpg']);
      expect(d.samples('test').map((s) => s.identity)).to.deep.equal([2, 2, 3, 3]);
      expect(() => d.samples('query')).to.throw(/no split 'query'.*train, test, all/);
      expect(() => FaceFolderDataset.load({ root: path.join(root, 'none'), size: [64, 64] })).to.throw(/not a folder/);
      expect(() => FaceFolderDataset.load({ root: path.join(root, 'Alice'), size: [64, 64] })).to.throw(/at least 2/);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('synth writes an LFW-layout set the data set reads, whose ground-truth camera is the rendering camera', async function () {
    let ok = false;
    try {
      ok = fs.existsSync(faceTopologySource()) && fs.existsSync(canonicalShapeFile());
    } catch {
      ok = false;
    }
    if (!ok) this.skip();
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'retex-face-synth-'));
    try {
      const summary = await FACE_SYNTH.run({ out, subjects: 2, imagesPerSubject: 2, size: [64, 64], seed: 3 });
      expect(summary).to.include({ layout: 'face-folder', subjects: 2, images: 4, written: 4 });
      expect(summary.splits).to.deep.equal({ train: 2, test: 2 });
      const again = await FACE_SYNTH.run({ out, subjects: 2, imagesPerSubject: 2, size: [64, 64], seed: 3 });
      expect(again.written).to.equal(0);
      const d = FaceFolderDataset.load({ root: out, size: [64, 64] });
      expect(d.identities).to.deep.equal(['Synthetic_Person_0001', 'Synthetic_Person_0002']);
      const sample = d.samples('train')[0];
      const predictor = new GroundTruthFacePredictor(canonicalFaceMesh(), out);
      await expectNoTensorLeak(async () => {
        const image = await d.loadImage(sample);
        const aligned = await predictor.predict({ image, id: sample.id, imagePath: sample.imagePath });
        image.dispose();
        const truth = JSON.parse(fs.readFileSync(path.join(out, 'ground_truth', 'params', 'Synthetic_Person_0001', 'Synthetic_Person_0001_0001.json'), 'utf8'));
        const p = aligned.camera.project(aligned.mesh.vertices, 64, 64);
        let x0 = Infinity;
        let x1 = -Infinity;
        for (let i = 0; i < p.length; i += 3) {
          x0 = Math.min(x0, p[i]);
          x1 = Math.max(x1, p[i]);
        }
        // The projected face spans the rendered silhouette's box (to a pixel or two).
        expect(x0).to.be.closeTo(truth.bbox[0], 2);
        expect(x1).to.be.closeTo(truth.bbox[0] + truth.bbox[2], 2);
      });
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
