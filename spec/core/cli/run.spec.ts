import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import { runRetex } from '../../helpers/cli';

const REAL_PEOPLE = path.join(__dirname, '..', '..', '..', '..', '..', 'shared', 'realphotos', 'people');

describe('core/cli run and mesh (the retex binary, human)', function () {
  this.timeout(300000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retex-run-cli-'));
  const data = path.join(dir, 'people');
  let photos: string[] = [];

  before(() => {
    const synth = runRetex(['synth', '-c', 'human', '--out', data, '--identities', '2', '--images-per-identity', '2', '--seed', '7', '--no-progress']);
    expect(synth.status, synth.stderr).to.equal(0);
    const train = path.join(data, 'bounding_box_train');
    photos = fs.readdirSync(train).filter((f) => f.endsWith('.jpg')).sort().map((f) => path.join(train, f));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('`retex run -m project` writes texture.png, model.glb, views.png, overlay.png and run.json with its figures', async () => {
    const out = path.join(dir, 'one');
    const r = runRetex(['run', '-c', 'human', '--image', photos[0], '-m', 'project', '-o', out, '--json', '--no-progress']);
    expect(r.status, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout).status).to.equal('done');
    expect(fs.readdirSync(out).sort()).to.deep.equal(['model.glb', 'overlay.png', 'run.json', 'texture.png', 'views.png']);
    const record = JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8'));
    expect(record.method).to.equal('project');
    expect(record.camera.kind).to.equal('perspective');
    expect(record.metrics.ssim).to.be.within(0.3, 1);
    expect(record.metrics.mask_ssim).to.be.within(0.3, 1);
    expect(record.metrics.cossim).to.be.within(0, 1);
    expect(record.timings_ms.fit_ms).to.be.a('number');
    const texture = await sharp(path.join(out, 'texture.png')).metadata();
    expect([texture.height, texture.width]).to.deep.equal([64, 64]);
    // The overlay is four panels side by side, scaled up to at least 256 pixels high.
    const overlay = await sharp(path.join(out, 'overlay.png')).metadata();
    expect(overlay.height).to.equal(256);

    const view = runRetex(['view', '--run', out, '-o', path.join(dir, 'again.png'), '--views', '2', '--size', '64x48', '--json']);
    expect(view.status, view.stderr).to.equal(0);
    expect(JSON.parse(view.stdout)).to.include({ height: 64, width: 96 });
    const exp = runRetex(['export', '--run', out, '-o', path.join(dir, 'model.obj'), '--json']);
    expect(exp.status, exp.stderr).to.equal(0);
    expect(fs.readFileSync(path.join(dir, 'model.obj'), 'utf8')).to.match(/^vt /m);
  });

  it('`retex run --images` goes on past bad photos, sums up, and resumes without redoing finished ones', () => {
    const folder = path.join(dir, 'batch');
    fs.mkdirSync(folder);
    fs.copyFileSync(photos[1], path.join(folder, 'a.jpg'));
    fs.writeFileSync(path.join(folder, 'b.jpg'), 'not a photo at all');
    const blank = path.join(folder, 'c.png');
    return sharp({ create: { width: 64, height: 128, channels: 3, background: { r: 90, g: 90, b: 90 } } })
      .png()
      .toFile(blank)
      .then(() => {
        const out = path.join(dir, 'batch-out');
        const first = runRetex(['run', '-c', 'human', '--images', folder, '-m', 'project', '-o', out, '--json', '--no-progress']);
        expect(first.status, first.stderr).to.equal(0);
        const summary = JSON.parse(first.stdout);
        expect([summary.done, summary.failed, summary.from_earlier_run]).to.deep.equal([1, 2, 0]);
        const errors = summary.results.filter((x: { status: string }) => x.status === 'failed').map((x: { error: string }) => x.error);
        expect(errors.join('\n')).to.match(/b\.jpg is not a PNG, JPEG, WebP, TIFF or BMP image \(it looks like a text file\)/);
        const blankError = errors.find((e: string) => e.includes('c.png')) ?? '';
        expect(blankError).to.match(/no person|keypoints were found/);
        expect(fs.existsSync(path.join(out, 'b'))).to.equal(false);
        expect(fs.existsSync(path.join(out, 'a', 'run.json'))).to.equal(true);
        const second = runRetex(['run', '-c', 'human', '--images', folder, '-m', 'project', '-o', out, '--json', '--no-progress']);
        // The rerun redoes only the failed photos; its summary still holds the first photo's figures.
        const again = JSON.parse(second.stdout);
        expect([again.done, again.from_earlier_run, again.failed]).to.deep.equal([1, 1, 2]);
        const a = again.results.find((x: { photo: string }) => x.photo.endsWith('a.jpg'));
        expect(a).to.include({ status: 'done', earlier: true });
        expect(a.metrics).to.deep.equal(summary.results.find((x: { photo: string }) => x.photo.endsWith('a.jpg')).metrics);
      });
  });

  it('refuses an --out that is a file, a missing photo, and both --image and --images', () => {
    const file = path.join(dir, 'a-file.txt');
    fs.writeFileSync(file, 'keep me');
    const r = runRetex(['run', '-c', 'human', '--image', photos[0], '-o', file]);
    expect(r.status).to.not.equal(0);
    expect(r.stderr).to.match(/--out .*a-file\.txt is a file: give a folder/);
    expect(fs.readFileSync(file, 'utf8')).to.equal('keep me');
    expect(runRetex(['run', '-c', 'human', '--image', path.join(dir, 'nope.jpg')]).stderr).to.match(/--image .*nope\.jpg does not exist/);
    expect(runRetex(['run', '-c', 'human', '--image', photos[0], '--images', dir]).stderr).to.match(/give one photo with --image FILE or a folder/);
  });

  it('`retex mesh` writes the template mesh, and the mesh fitted to a photo with its camera', () => {
    const template = path.join(dir, 'template.obj');
    const t = runRetex(['mesh', '-c', 'human', '-o', template, '--json']);
    expect(t.status, t.stderr).to.equal(0);
    expect(JSON.parse(t.stdout).faces).to.be.greaterThan(1000);
    expect(fs.readFileSync(template, 'utf8')).to.match(/^f \d+\/\d+ /m);
    const fitted = path.join(dir, 'fitted.glb');
    const f = runRetex(['mesh', '-c', 'human', '-i', photos[0], '-o', fitted, '--json']);
    expect(f.status, f.stderr).to.equal(0);
    const camera = JSON.parse(fs.readFileSync(path.join(dir, 'fitted.camera.json'), 'utf8'));
    expect(camera.camera.kind).to.equal('perspective');
    expect(fs.statSync(fitted).size).to.be.greaterThan(10000);
  });

  it('runs on a real photo of a person (skipped where shared/realphotos is absent)', function () {
    if (!fs.existsSync(REAL_PEOPLE)) this.skip();
    const photo = path.join(REAL_PEOPLE, '1500_c3s3_062778_01.jpg');
    const r = runRetex(['run', '-c', 'human', '--image', photo, '-m', 'project', '-o', path.join(dir, 'real'), '--json', '--no-progress']);
    expect(r.status, r.stderr).to.equal(0);
    const record = JSON.parse(fs.readFileSync(path.join(dir, 'real', 'run.json'), 'utf8'));
    // The projected texture reproduces the photo where the body covers it.
    expect(record.metrics.mask_ssim).to.be.greaterThan(0.8);
  });
});

describe('core/cli compare (the retex binary, human, optimize)', function () {
  this.timeout(300000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retex-compare-cli-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('scores reid against l1 with intervals, writes report.html and grid.png, and a rerun reuses the finished variants', async () => {
    const data = path.join(dir, 'people');
    expect(runRetex(['synth', '-c', 'human', '--out', data, '--identities', '4', '--images-per-identity', '2', '--seed', '3', '--no-progress']).status).to.equal(0);
    const out = path.join(dir, 'cmp');
    const args = ['compare', '-c', 'human', '-d', data, '--losses', 'reid,l1', '--ablations', 'no-face', '--method', 'optimize', '--budget', '2', '--predictor', 'ground-truth', '-o', out, '--json', '--no-progress'];
    const r = runRetex(args);
    expect(r.status, r.stderr).to.equal(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.variants.map((v: { id: string }) => v.id)).to.deep.equal(['reid', 'l1', 'no-face']);
    expect(summary.variants[1].vsReid.ssim).to.have.keys(['diff', 'lo', 'hi']);
    expect(summary.metrics.map((m: { key: string }) => m.key)).to.include.members(['ssim', 'mask_ssim', 'cossim', 'texture_unseen']);
    const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
    expect(html).to.contain('<table').and.not.match(/src="https?:/);
    expect((await sharp(path.join(out, 'grid.png')).metadata()).width).to.be.greaterThan(100);
    // no-face really drops the face term (it once came back from the config and matched reid exactly).
    const noFace = summary.variants[2].vsReid as Record<string, { diff: number }>;
    expect(Object.values(noFace).some((d) => d.diff !== 0), 'no-face differs from reid somewhere').to.equal(true);
    const again = runRetex(args);
    expect(again.stderr).to.contain('(3 already done)');
  });

  it('--method train trains a generator per variant and keeps stdout pure JSON', () => {
    const data = path.join(dir, 'people');
    const out = path.join(dir, 'cmp-train');
    const r = runRetex(['compare', '-c', 'human', '-d', data, '--losses', 'reid,l1', '--ablations', 'deep-only', '--budget', '3', '--width', '0.0625', '--batch', '2x2',
      '--predictor', 'ground-truth', '--samples', '1', '-o', out, '--json', '--no-progress']);
    expect(r.status, r.stderr).to.equal(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).to.include({ method: 'train', budget: 3 });
    expect(r.stderr).to.match(/about \d+ min to go/).and.match(/trained in /);
    for (const v of ['reid', 'l1', 'deep-only']) expect(fs.existsSync(path.join(out, 'variants', v, 'run', 'model', 'weights.json')), v).to.equal(true);
  });
});
