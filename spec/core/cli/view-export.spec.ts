import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import { NodeIO } from '@gltf-transform/core';
import { formatObj } from '../../../core/export/obj-writer';
import { parseObj } from '../../../core/export/obj-reader';
import { uvSphereMesh } from '../../../core/renderer/primitives';
import { runRetex } from '../../helpers/cli';

describe('core/cli view and export (the retex binary)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retex-view-'));
  const meshPath = path.join(dir, 'ball.obj');
  const texPath = path.join(dir, 'ball.png');
  const mesh = uvSphereMesh(12, 24);

  before(async () => {
    fs.writeFileSync(meshPath, formatObj(mesh));
    // Left half red, right half blue: u < 0.5 is red.
    const pixels = Buffer.alloc(16 * 32 * 3);
    for (let y = 0; y < 16; y++) {
      for (let x = 0; x < 32; x++) pixels.set(x < 16 ? [220, 30, 30] : [30, 30, 220], (y * 32 + x) * 3);
    }
    await sharp(pixels, { raw: { width: 32, height: 16, channels: 3 } }).png().toFile(texPath);
  });

  it('`retex view` writes a grid of shaded, textured views', async () => {
    const out = path.join(dir, 'views.png');
    const { status, stdout, stderr } = runRetex(['view', '--mesh', meshPath, '--texture', texPath, '--out', out, '--views', '4', '--size', '64x64', '--json']);
    expect(status, stderr).to.equal(0);
    expect(JSON.parse(stdout)).to.deep.equal({ out, height: 64, width: 256 });
    const { data, info } = await sharp(out).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).to.deep.equal([256, 64]);
    const rgb = (view: number, dx: number) => {
      const i = (32 * 256 + view * 64 + 32 + dx) * info.channels;
      return [data[i], data[i + 1], data[i + 2]];
    };
    const isRed = ([r, , b]: number[]) => r - b > 60;
    const isBlue = ([r, , b]: number[]) => b - r > 60;
    // Front and back views each see one half of the texture; the side views see the red/blue border.
    expect(isBlue(rgb(0, 0)), 'front').to.equal(true);
    expect(isRed(rgb(2, 0)), 'back').to.equal(true);
    expect(isBlue(rgb(1, -10)) && isRed(rgb(1, 10)), 'side').to.equal(true);
    expect(isRed(rgb(3, -10)) && isBlue(rgb(3, 10)), 'other side').to.equal(true);
  });

  it('`retex export` writes a .glb with the texture embedded and an .obj + .mtl + .png', async () => {
    const glb = path.join(dir, 'ball.glb');
    let run = runRetex(['export', '--mesh', meshPath, '--texture', texPath, '--out', glb]);
    expect(run.status, run.stderr).to.equal(0);
    const doc = await new NodeIO().read(glb);
    const prim = doc.getRoot().listMeshes()[0].listPrimitives()[0];
    expect(prim.getIndices()!.getCount()).to.equal(mesh.faces.length);
    expect(doc.getRoot().listTextures()).to.have.length(1);

    const obj = path.join(dir, 'out', 'ball.obj');
    run = runRetex(['export', '--mesh', meshPath, '--texture', texPath, '--out', obj]);
    expect(run.status, run.stderr).to.equal(0);
    expect(parseObj(fs.readFileSync(obj, 'utf8')).faces).to.deep.equal(mesh.faces);
    expect(fs.readFileSync(path.join(dir, 'out', 'ball.mtl'), 'utf8')).to.contain('map_Kd ball.png');
    expect(fs.existsSync(path.join(dir, 'out', 'ball.png'))).to.equal(true);
  });

  it('says what is wrong with a bad input', () => {
    fs.writeFileSync(path.join(dir, 'notes.png'), 'not an image');
    let run = runRetex(['export', '--mesh', meshPath, '--texture', path.join(dir, 'notes.png'), '--out', path.join(dir, 'x.glb')]);
    expect(run.status).to.equal(1);
    expect(run.stderr).to.match(/notes\.png is not a PNG, JPEG, WebP, TIFF or BMP image/);
    run = runRetex(['export', '--mesh', meshPath, '--texture', texPath, '--out', path.join(dir, 'x.fbx')]);
    expect(run.stderr).to.contain('--out must end in .glb');
    run = runRetex(['view', '--mesh', path.join(dir, 'none.obj'), '--texture', texPath, '--out', path.join(dir, 'v.png')]);
    expect(run.stderr).to.match(/none\.obj does not exist/);
    expect(fs.existsSync(path.join(dir, 'x.glb'))).to.equal(false);
  });
});
