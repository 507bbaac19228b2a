import { NodeIO } from '@gltf-transform/core';
import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import { writeGlb } from '../../../core/export/gltf-writer';
import { splitAtSeams } from '../../../core/export/seams';
import type { Mesh } from '../../../core/interfaces/mesh';
import { cubeMesh, uvSphereMesh } from '../../../core/renderer/primitives';

function texture(h: number, w: number) {
  const pixels = Uint8Array.from({ length: h * w * 3 }, (_, i) => (i * 37) % 256);
  return { pixels, height: h, width: w, channels: 3 as const };
}

describe('core/export/gltf-writer', () => {
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retex-glb-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('splits vertices exactly at UV seams', () => {
    const cube = splitAtSeams(cubeMesh());
    expect(cube.sourceVertex.length).to.equal(24); // 8 corners x 3 sides, each with its own UV
    const sphere = uvSphereMesh(5, 12);
    // Seam column duplicated on each ring; one pole copy per pole triangle.
    expect(splitAtSeams(sphere).sourceVertex.length).to.equal(5 * 13 + 2 * 12);
  });

  it('round-trips through @gltf-transform/core: positions, V-flipped UVs, indices, normals and the embedded PNG', async () => {
    for (const [label, mesh] of [['cube', cubeMesh(0.5)], ['sphere', uvSphereMesh(6, 10)]] as [string, Mesh][]) {
      const file = path.join(dir, `${label}.glb`);
      const tex = texture(16, 24);
      await writeGlb(file, mesh, tex, { name: label });
      const doc = await new NodeIO().read(file);
      const root = doc.getRoot();
      expect(root.getAsset().version).to.equal('2.0');
      const prims = root.listMeshes()[0].listPrimitives();
      expect(prims).to.have.length(1);
      const prim = prims[0];
      const pos = prim.getAttribute('POSITION')!.getArray()!;
      const uv = prim.getAttribute('TEXCOORD_0')!.getArray()!;
      const nrm = prim.getAttribute('NORMAL')!.getArray()!;
      const idx = prim.getIndices()!.getArray()!;
      expect(idx.length).to.equal(mesh.faces.length);
      // Every corner of every face keeps its position and UV (with glTF's v = 1 - v) and its winding.
      for (let i = 0; i < mesh.faces.length; i++) {
        const n = idx[i];
        for (let k = 0; k < 3; k++) expect(pos[3 * n + k]).to.equal(mesh.vertices[3 * mesh.faces[i] + k]);
        expect(uv[2 * n]).to.equal(mesh.uvs[2 * mesh.uvFaces[i]]);
        expect(uv[2 * n + 1]).to.be.closeTo(1 - mesh.uvs[2 * mesh.uvFaces[i] + 1], 1e-7);
        expect(Math.hypot(nrm[3 * n], nrm[3 * n + 1], nrm[3 * n + 2])).to.be.closeTo(1, 1e-5);
      }
      const material = prim.getMaterial()!;
      const image = material.getBaseColorTexture()!.getImage()!;
      expect(material.getBaseColorTexture()!.getMimeType()).to.equal('image/png');
      const { data, info } = await sharp(Buffer.from(image)).raw().toBuffer({ resolveWithObject: true });
      expect([info.height, info.width, info.channels]).to.deep.equal([16, 24, 3]);
      expect(Buffer.compare(data, Buffer.from(tex.pixels))).to.equal(0);
    }
  });
});
