import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import { runExport } from '../../../core/cli/commands/export';
import { checkSynthRequest } from '../../../core/cli/commands/synth';
import { checkViewBudget, runView } from '../../../core/cli/commands/view';
import { positiveInt } from '../../../core/cli/arg-parsers';
import { FileError } from '../../../core/io/file-guard';
import { MeshError } from '../../../core/renderer/mesh-validation';
import { checkSynthInputs } from '../../../core/synth/synth-inputs';
import { SynthFolder } from '../../../core/synth/synth-folder';
import { CubDataset } from '../../../plugins/bird-cmr/cub/cub-dataset';
import { checkFiniteNumbers } from '../../../registry/config/load-config';
import { captureStdout as captureOutput } from '../../helpers/capture-output';
import { rejects } from '../../helpers/rejection';

const OBJ = 'g body\nv -1 -1 0\nv 1 -1 0\nv 1 1 0\nv -1 1 0\nvt 0 0\nvt 1 0\nvt 1 1\nvt 0 1\nvn 0 0 1\nf 1/1/1 2/2/1 3/3/1\nf 1/1/1 3/3/1 4/4/1\n';

describe('hardening (issue 15): no lost files, no reads outside, fail before the work', () => {
  let dir: string;
  let obj: string;
  let png: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retex-hard-'));
    obj = path.join(dir, 'model.obj');
    png = path.join(dir, 'model.png');
    fs.writeFileSync(obj, OBJ);
    await sharp({ create: { width: 8, height: 8, channels: 4, background: { r: 200, g: 0, b: 0, alpha: 0.5 } } }).png().toFile(png);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe('rule 1: never writes over an input; replaces only what it owns, atomically', () => {
    it('refuses --out that is the mesh, and leaves both inputs untouched', async () => {
      const before = [fs.readFileSync(obj), fs.readFileSync(png)];
      const err = await rejects(runExport({ mesh: obj, texture: png, out: obj }));
      expect(err).to.be.instanceOf(FileError);
      expect(err.message).to.match(/input/);
      expect(fs.readFileSync(obj).equals(before[0]) && fs.readFileSync(png).equals(before[1])).to.equal(true);
    });
    it('refuses a folder as output, and writes none of the siblings', async () => {
      fs.mkdirSync(path.join(dir, 'f', 'x.png'), { recursive: true });
      const err = await rejects(runExport({ mesh: obj, texture: png, out: path.join(dir, 'f', 'x.obj') }));
      expect(err.message).to.match(/folder/);
      expect(fs.readdirSync(path.join(dir, 'f'))).to.deep.equal(['x.png']);
    });
    it('replaces its own .obj/.mtl/.png, but not a photo that happens to share the name', async () => {
      const out = path.join(dir, 'own', 'a.obj');
      await captureOutput(() => runExport({ mesh: obj, texture: png, out }));
      await captureOutput(() => runExport({ mesh: obj, texture: png, out }));
      fs.copyFileSync(png, path.join(dir, 'own', 'b.png'));
      const err = await rejects(runExport({ mesh: obj, texture: png, out: path.join(dir, 'own', 'b.obj') }));
      expect(err.message).to.match(/not written by retex/);
    });
  });

  describe('rule 2: reads stay inside the data root', () => {
    it("refuses a CUB images.txt line '../../secret/private.jpg'", async () => {
      const root = path.join(dir, 'cub');
      fs.mkdirSync(path.join(root, 'parts'), { recursive: true });
      fs.mkdirSync(path.join(root, 'images'));
      fs.writeFileSync(path.join(root, 'images.txt'), '1 ../../secret/private.jpg\n');
      fs.writeFileSync(path.join(root, 'image_class_labels.txt'), '1 1\n');
      fs.writeFileSync(path.join(root, 'train_test_split.txt'), '1 1\n');
      fs.writeFileSync(path.join(root, 'bounding_boxes.txt'), '1 0 0 10 10\n');
      fs.writeFileSync(path.join(root, 'parts', 'part_locs.txt'), Array.from({ length: 15 }, (_, k) => `1 ${k + 1} 0 0 0`).join('\n'));
      const err = await rejects(CubDataset.load({ root, size: [32, 32] } as never));
      expect(err).to.be.instanceOf(FileError);
      expect(err.message).to.match(/outside/);
    });
  });

  describe('rule 3: sizes, counts and memory are checked before any work', () => {
    it('view: 64 views of 4096x4096 fail at once, saying what fits', () => {
      expect(() => checkViewBudget(64, [4096, 4096], 'png')).to.throw(/at most \d+ views fit; 64 views fit at up to \d+x\d+/);
      expect(() => checkViewBudget(8, [256, 192], 'png')).to.not.throw();
    });
    it('synth: 9999 x 9900 images fail at once, saying what fits', () => {
      const defaults = { subjects: 20, imagesPerSubject: 8, size: [128, 64] as const };
      const o = { category: 'human', out: path.join(dir, 's'), identities: 9999, imagesPerIdentity: 9900 };
      expect(() => checkSynthRequest(o, defaults, { heapBytes: 4e9, diskBytes: 1e12 })).to.throw(/at most \d+ images fit/);
      expect(() => checkSynthRequest({ ...o, identities: 4, imagesPerIdentity: 4 }, defaults, { heapBytes: 4e9, diskBytes: 1e12 })).to.not.throw();
      expect(() => checkSynthRequest({ ...o, identities: 100, imagesPerIdentity: 100 }, defaults, { heapBytes: 4e9, diskBytes: 1e6 })).to.throw(/disk/);
    });
  });

  describe('rule 4: nothing silently wrong', () => {
    it('an empty OBJ or one without faces is an error naming what is missing', async () => {
      fs.writeFileSync(path.join(dir, 'empty.obj'), '');
      fs.writeFileSync(path.join(dir, 'noface.obj'), 'v 0 0 0\nvt 0 0\n');
      for (const [f, re] of [['empty.obj', /no vertices/], ['noface.obj', /no faces/]] as const) {
        const err = await rejects(runExport({ mesh: path.join(dir, f), texture: png, out: path.join(dir, `${f}.glb`) }));
        expect(err).to.be.instanceOf(MeshError);
        expect(err.message).to.match(re);
        expect(fs.existsSync(path.join(dir, `${f}.glb`))).to.equal(false);
      }
    });
    it('an out-of-range face index names the line, 1-based', async () => {
      fs.writeFileSync(path.join(dir, 'oor.obj'), 'v 0 0 0\nv 1 0 0\nv 0 1 0\nvt 0 0\nf 1/1 2/1 4/1\n');
      const err = await rejects(runExport({ mesh: path.join(dir, 'oor.obj'), texture: png, out: path.join(dir, 'oor.glb') }));
      expect(err.message).to.match(/line 5: face uses vertex 4, but the file has 3 vertices \(numbered 1\.\.3\)/);
      expect(err.message).to.not.match(/subtract/);
    });
    it('view --out x.jpg writes JPEG bytes; an unknown extension is refused', async () => {
      const out = path.join(dir, 'v.jpg');
      await captureOutput(() => runView({ mesh: obj, texture: png, out, views: 1, size: [32, 32] }));
      expect(fs.readFileSync(out).subarray(0, 3).toString('hex')).to.equal('ffd8ff');
      await rejects(runView({ mesh: obj, texture: png, out: path.join(dir, 'v.gif'), views: 1, size: [32, 32] }));
    });
    it('config: 1e400 is refused with its path', () => {
      expect(() => checkFiniteNumbers(JSON.parse('{"train":{"epochs":1e400}}'), 'c.json')).to.throw(/\/train\/epochs = Infinity/);
    });
    it('synth: 0x10 is not 16; --species is refused for people', () => {
      expect(() => positiveInt('0x10')).to.throw();
      const defaults = { subjects: 20, imagesPerSubject: 8, size: [128, 64] as const };
      expect(() => checkSynthRequest({ category: 'human', out: dir, species: 3 }, defaults)).to.throw(/do not apply to category 'human'/);
      expect(() => checkSynthRequest({ category: 'bird', out: dir, identities: 3 }, defaults)).to.throw(/do not apply to category 'bird'/);
    });
  });

  describe('rule 5: system errors say which path and what to do', () => {
    it('a file in the output path is ENOTDIR, worded', async () => {
      const err = await rejects(runView({ mesh: obj, texture: png, out: path.join(obj, 'v.png'), views: 1, size: [32, 32] }));
      expect(err).to.be.instanceOf(FileError);
      expect(err.message).to.match(/is a file, not a folder/);
      expect(err.message).to.not.match(/ENOTDIR/);
    });
  });

  describe('rule 8: synth inputs are checked before writing, and recorded by content', () => {
    it('a damaged background photo fails before the folder exists', async () => {
      const bg = path.join(dir, 'bg');
      fs.mkdirSync(bg);
      fs.copyFileSync(png, path.join(bg, 'a.png'));
      fs.writeFileSync(path.join(bg, 'b.png'), fs.readFileSync(png).subarray(0, 40));
      await rejects(checkSynthInputs({ backgrounds: bg }));
    });
    it('a texture changed under the same name is refused on rerun', async () => {
      const tx = path.join(dir, 'tx');
      fs.mkdirSync(tx);
      fs.copyFileSync(png, path.join(tx, 't1.png'));
      const out = path.join(dir, 'synth-out');
      const plan = { layout: 'x', textures: ['t1.png'] };
      await SynthFolder.open(out, plan, await checkSynthInputs({ textures: tx }));
      await SynthFolder.open(out, plan, await checkSynthInputs({ textures: tx }));
      await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 0, g: 9, b: 0 } } }).png().toFile(path.join(tx, 't1.png'));
      const err = await rejects(SynthFolder.open(out, plan, await checkSynthInputs({ textures: tx })));
      expect(err.message).to.match(/content has changed/);
    });
  });
});
