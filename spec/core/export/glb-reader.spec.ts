import { expect } from 'chai';
import { encodeGlb } from '../../../core/export/gltf-writer';
import { parseGlb } from '../../../core/export/glb-reader';
import { uvSphereMesh } from '../../../core/renderer/primitives';

describe('core/export/glb-reader', () => {
  it('reads back what encodeGlb wrote: the same triangles in space and in UV (v up), and the texture', async () => {
    const mesh = uvSphereMesh(6, 12);
    const texture = { pixels: Uint8Array.from({ length: 4 * 8 * 3 }, (_, i) => (i * 7) % 256), height: 4, width: 8, channels: 3 as const };
    const back = await parseGlb(await encodeGlb(mesh, texture), 'ball.glb');
    expect(back.texture.pixels).to.deep.equal(texture.pixels);
    expect(back.mesh.faces.length).to.equal(mesh.faces.length);
    // Face by face, corner positions and UVs match the original's.
    for (let f = 0; f < mesh.faces.length / 3; f++) {
      for (let c = 0; c < 3; c++) {
        const [a, b] = [mesh.faces[3 * f + c], back.mesh.faces[3 * f + c]];
        for (let k = 0; k < 3; k++) expect(back.mesh.vertices[3 * b + k]).to.be.closeTo(mesh.vertices[3 * a + k], 1e-6);
        const [ua, ub] = [mesh.uvFaces[3 * f + c], back.mesh.uvFaces[3 * f + c]];
        for (let k = 0; k < 2; k++) expect(back.mesh.uvs[2 * ub + k]).to.be.closeTo(mesh.uvs[2 * ua + k], 1e-6);
      }
    }
  });

  it('says what is wrong with a file that is not a textured glb', async () => {
    const message = await parseGlb(new Uint8Array([1, 2, 3, 4]), 'junk.glb').then(() => '', (e: Error) => e.message);
    expect(message).to.match(/junk\.glb is not a readable \.glb file/);
  });
});
