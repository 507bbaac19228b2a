import { expect } from 'chai';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runRetex } from '../helpers/cli';

const ROOT = path.join(__dirname, '..', '..', '..');

/** Runs a script in a fresh Node process that loads retex as a user's program does: require('<clone>'). */
function asUser(script: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['-e', `const retex = require(${JSON.stringify(ROOT)});\n(async () => {\n${script}\n})().catch((e) => { console.error(e.constructor.name + ': ' + e.message); process.exit(3); });`], {
    encoding: 'utf8',
    timeout: 240000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('registry/library (retex used from a script, package.json main)', function () {
  this.timeout(300000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retex-library-'));
  let photo = '';

  before(() => {
    const data = path.join(dir, 'people');
    const synth = runRetex(['synth', '-c', 'human', '--out', data, '--identities', '2', '--images-per-identity', '2', '--seed', '11', '--no-progress']);
    expect(synth.status, synth.stderr).to.equal(0);
    const train = path.join(data, 'bounding_box_train');
    photo = path.join(train, fs.readdirSync(train).filter((f) => f.endsWith('.jpg')).sort()[0]);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('package.json main and types name files that exist', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(fs.existsSync(path.join(ROOT, pkg.main)), pkg.main).to.equal(true);
    expect(fs.existsSync(path.join(ROOT, pkg.types)), pkg.types).to.equal(true);
  });

  it('runTexture defaults to project (as retex run), and optimize runs with its settings, without a reflect-metadata import', () => {
    const r = asUser(`
      const a = await retex.runTexture(${JSON.stringify(photo)}, { category: 'human' });
      const b = await retex.runTexture(${JSON.stringify(photo)}, { category: 'human', method: 'optimize', optimize: { steps: 2 } });
      const glb = await retex.encodeGlb(b.mesh, b.texture);
      console.log(JSON.stringify({ a: a.method, b: b.method, tex: [b.texture.height, b.texture.width, b.texture.channels], faces: b.mesh.faces.length, ssim: b.metrics.ssim, glb: glb.length }));
    `);
    expect(r.status, r.stderr).to.equal(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}');
    expect(out.a).to.equal('project');
    expect(out.b).to.equal('optimize');
    expect(out.tex).to.deep.equal([64, 64, 3]);
    expect(out.faces).to.be.greaterThan(1000);
    expect(out.ssim).to.be.within(0.2, 1);
    expect(out.glb).to.be.greaterThan(10000);
  });

  it("errors are retex's own kinds with the file named", () => {
    const r = asUser(`
      try { await retex.readPixels(${JSON.stringify(path.join(dir, 'missing.png'))}); }
      catch (e) { console.log(JSON.stringify({ image: e instanceof retex.ImageError || e instanceof retex.FileError, message: e.message })); }
    `);
    expect(r.status, r.stderr).to.equal(0);
    const out = JSON.parse(r.stdout.trim());
    expect(out.image).to.equal(true);
    expect(out.message).to.include('missing.png');
  });
});
