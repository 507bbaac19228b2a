import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import { parseObj } from '../../../core/export/obj-reader';
import { writeTexturedObj } from '../../../core/export/obj-writer';
import { MeshError } from '../../../core/renderer/mesh-validation';
import { bodyLikeMesh } from '../../../core/renderer/body-like-mesh';
import { cubeMesh } from '../../../core/renderer/primitives';
import { assertClose } from '../../helpers/tensors';

describe('core/export/obj', () => {
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retex-obj-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes OBJ + MTL + PNG that parse back to the same mesh and texture', async () => {
    for (const mesh of [cubeMesh(0.3), bodyLikeMesh()]) {
      const pixels = Uint8Array.from({ length: 8 * 4 * 4 }, (_, i) => (i * 11) % 256);
      const files = await writeTexturedObj(path.join(dir, 'out', 'textured.obj'), mesh, { pixels, height: 8, width: 4, channels: 4 });
      const back = parseObj(fs.readFileSync(files.obj, 'utf8'), files.obj);
      // Exact float32 round trip (-0 is written as 0, which compares equal here).
      assertClose(back.vertices, mesh.vertices, { atol: 0, rtol: 0, what: 'vertices' });
      assertClose(back.uvs, mesh.uvs, { atol: 0, rtol: 0, what: 'uvs' });
      expect(Array.from(back.faces)).to.deep.equal(Array.from(mesh.faces));
      expect(Array.from(back.uvFaces)).to.deep.equal(Array.from(mesh.uvFaces));
      const obj = fs.readFileSync(files.obj, 'utf8');
      expect(obj).to.match(/^mtllib textured\.mtl$/m);
      expect(fs.readFileSync(files.mtl, 'utf8')).to.match(/^map_Kd textured\.png$/m);
      const { data } = await sharp(files.texture).raw().toBuffer({ resolveWithObject: true });
      expect(Buffer.compare(data, Buffer.from(pixels))).to.equal(0);
    }
  });

  it('parses quads, negative indices and v/vt/vn corners; rejects faces without UVs', () => {
    const text = ['v 0 0 0', 'v 1 0 0', 'v 1 1 0', 'v 0 1 0', 'vt 0 0', 'vt 1 0', 'vt 1 1', 'vt 0 1', 'vn 0 0 1', 'f -4/-4/1 -3/-3/1 -2/-2/1 -1/-1/1'].join('\n');
    const mesh = parseObj(text);
    expect(Array.from(mesh.faces)).to.deep.equal([0, 1, 2, 0, 2, 3]);
    expect(Array.from(mesh.uvFaces)).to.deep.equal([0, 1, 2, 0, 2, 3]);
    expect(() => parseObj('v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3', 'a.obj')).to.throw(MeshError, /a.obj line 4: face corner '1' has no UV index/);
    expect(() => parseObj('v 0 0 0\nv 1 0 0\nv 0 1 0\nvt 0 0\nf 1/1 2/1 4/1', 'b.obj')).to.throw(MeshError, /b.obj line 5: face uses vertex 4, but the file has 3 vertices \(numbered 1\.\.3\)/);
    expect(() => parseObj('v 0 0 zero', 'c.obj')).to.throw(MeshError, /c.obj line 1: a vertex needs 3 finite numbers/);
  });
});
