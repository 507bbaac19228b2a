import { expect } from 'chai';
import { initBackend } from '../../../core/backend/backend';
import { runBenchRender } from '../../../core/bench/render';
import { bodyLikeMesh, SMPL_FACE_COUNT, SMPL_VERTEX_COUNT } from '../../../core/renderer/body-like-mesh';
import { validateMesh } from '../../../core/renderer/mesh-validation';
import { signedVolume } from '../../../core/renderer/primitives';

describe('core/bench/render', () => {
  after(async () => {
    await initBackend('cpu');
  });

  it('the benchmark mesh is closed, outward-facing and has exactly SMPL\'s vertex and face counts', () => {
    const mesh = bodyLikeMesh();
    validateMesh(mesh);
    expect(mesh.vertices.length / 3).to.equal(SMPL_VERTEX_COUNT);
    expect(mesh.faces.length / 3).to.equal(SMPL_FACE_COUNT);
    // Closed 2-manifold: every undirected edge is shared by exactly two faces, in opposite directions.
    const edges = new Map<string, number>();
    for (let f = 0; f < mesh.faces.length; f += 3) {
      for (let k = 0; k < 3; k++) {
        const key = `${mesh.faces[f + k]},${mesh.faces[f + ((k + 1) % 3)]}`;
        edges.set(key, (edges.get(key) ?? 0) + 1);
      }
    }
    for (const [key, n] of edges) {
      const [a, b] = key.split(',');
      expect(n, key).to.equal(1);
      expect(edges.get(`${b},${a}`), `reverse of ${key}`).to.equal(1);
    }
    expect(signedVolume(mesh)).to.be.greaterThan(0.01);
  });

  it('reports one row per size with the documented keys', async () => {
    const rows = await runBenchRender({ backend: 'cpu', sizes: [[32, 16]], textureSize: [8, 8], batch: 2, seconds: 0.01 });
    expect(rows).to.have.length(1);
    const r = rows[0];
    expect(r).to.include({ faces: 13776, vertices: 6890, size: '32x16', texture: '8x8', backend: 'cpu' });
    for (const key of ['operators_per_s', 'apply_ms', 'dense_apply_ms'] as const) expect(r[key]).to.be.a('number').greaterThan(0);
    expect(r.covered_pixels).to.be.within(20, 32 * 16);
  });
});
