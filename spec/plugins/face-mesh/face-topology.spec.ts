import { expect } from 'chai';
import * as fs from 'fs';
import type { RetexConfig } from '../../../core/plugin';
import { uvChartMask } from '../../../core/renderer/uv-texels';
import { faceMeshPlugin } from '../../../plugins/face-mesh';
import { canonicalFaceMesh, canonicalShapeFile } from '../../../plugins/face-mesh/mesh/canonical-shape';
import { meshFromLandmarks } from '../../../plugins/face-mesh/mesh/face-mesh';
import { FACE_LANDMARKS, FACE_VERTEX_COUNT, loadFaceTopology } from '../../../plugins/face-mesh/mesh/face-topology';
import { faceTopologySource } from '../../../plugins/face-mesh/mesh/human-package';
import { FACE_PART_NAMES, FACE_TEXTURE_SYMMETRY } from '../../../plugins/face-mesh/texture-symmetry';

/** The face plugin reads its topology from @vladmandic/human: without it these checks are skipped. */
function humanInstalled(): boolean {
  try {
    return fs.existsSync(faceTopologySource());
  } catch {
    return false;
  }
}

describe('plugins/face-mesh/mesh (canonical topology, template, landmarks to mesh)', function () {
  before(function () {
    if (!humanInstalled()) this.skip();
  });

  it('reads 468 UVs and the triangulation, every face counter-clockwise from the front, the mirror an involution', () => {
    const t = loadFaceTopology();
    expect(t.uvs.length).to.equal(2 * FACE_VERTEX_COUNT);
    expect(t.faces.length % 3).to.equal(0);
    expect(t.faces.length / 3).to.be.greaterThan(800);
    for (let f = 0; f < t.faces.length; f += 3) {
      const [a, b, c] = [t.faces[f], t.faces[f + 1], t.faces[f + 2]];
      const area = (t.uvs[2 * b] - t.uvs[2 * a]) * (t.uvs[2 * c + 1] - t.uvs[2 * a + 1]) - (t.uvs[2 * b + 1] - t.uvs[2 * a + 1]) * (t.uvs[2 * c] - t.uvs[2 * a]);
      expect(area, `face ${f / 3}`).to.be.greaterThan(0);
    }
    for (let i = 0; i < FACE_VERTEX_COUNT; i++) expect(t.mirror[t.mirror[i]]).to.equal(i);
    expect(t.mirror[FACE_LANDMARKS.rightEyeOuter]).to.equal(FACE_LANDMARKS.leftEyeOuter);
    expect(t.mirror[FACE_LANDMARKS.noseTip]).to.equal(FACE_LANDMARKS.noseTip);
    // v up: the forehead is above the chin.
    expect(t.uvs[2 * FACE_LANDMARKS.foreheadTop + 1]).to.be.greaterThan(t.uvs[2 * FACE_LANDMARKS.chin + 1]);
  });

  it('templateMesh: the canonical face, symmetric, y up and the nose towards +z', async function () {
    if (!fs.existsSync(canonicalShapeFile())) this.skip();
    const mesh = await faceMeshPlugin.templateMesh!({} as RetexConfig);
    expect(mesh.vertices.length).to.equal(3 * FACE_VERTEX_COUNT);
    const t = loadFaceTopology();
    const y = (i: number) => mesh.vertices[3 * i + 1];
    expect(y(FACE_LANDMARKS.foreheadTop)).to.be.greaterThan(y(FACE_LANDMARKS.chin));
    expect(mesh.vertices[3 * FACE_LANDMARKS.noseTip + 2]).to.be.greaterThan(mesh.vertices[3 * 234 + 2]);
    for (let i = 0; i < FACE_VERTEX_COUNT; i++) {
      const j = t.mirror[i];
      expect(mesh.vertices[3 * i]).to.be.closeTo(-mesh.vertices[3 * j], 1e-6);
      expect(mesh.vertices[3 * i + 1]).to.be.closeTo(mesh.vertices[3 * j + 1], 1e-6);
    }
    expect(canonicalFaceMesh().faces).to.equal(t.faces);
  });

  it('meshFromLandmarks: the camera puts every vertex back on its landmark', () => {
    const points = new Float32Array(3 * FACE_VERTEX_COUNT);
    const t = loadFaceTopology();
    for (let i = 0; i < FACE_VERTEX_COUNT; i++) {
      points[3 * i] = 20 + 80 * t.uvs[2 * i];
      points[3 * i + 1] = 10 + 90 * (1 - t.uvs[2 * i + 1]);
      points[3 * i + 2] = -5 * Math.sin(3 * t.uvs[2 * i]);
    }
    const aligned = meshFromLandmarks(points, 128, 128, 1);
    const projected = aligned.camera.project(aligned.mesh.vertices, 128, 128);
    for (let i = 0; i < points.length; i += 3) {
      expect(projected[i]).to.be.closeTo(points[i], 1e-3);
      expect(projected[i + 1]).to.be.closeTo(points[i + 1], 1e-3);
    }
    // Depth order kept: smaller landmark depth is nearer (smaller projected depth).
    const a = 0;
    const b = 3 * 100;
    expect(Math.sign(projected[a + 2] - projected[b + 2])).to.equal(Math.sign(points[a + 2] - points[b + 2]) || Math.sign(projected[a + 2] - projected[b + 2]));
  });

  it('textureSymmetry: the mirror maps chart texels to chart texels across u = 1/2; parts label every chart texel', async () => {
    const size: [number, number] = [64, 64];
    const config = {} as RetexConfig;
    const mirror = await FACE_TEXTURE_SYMMETRY.mirror(config, size);
    const parts = await FACE_TEXTURE_SYMMETRY.parts(config, size);
    const chart = uvChartMask({ uvs: loadFaceTopology().uvs, uvFaces: loadFaceTopology().faces }, size);
    expect(parts.names).to.deep.equal([...FACE_PART_NAMES]);
    const counts = new Array(FACE_PART_NAMES.length).fill(0);
    for (let t = 0; t < 64 * 64; t++) {
      if (chart[t] === 0) {
        expect(mirror[t]).to.equal(-1);
        expect(parts.labels[t]).to.equal(-1);
        continue;
      }
      expect(mirror[t]).to.be.at.least(0);
      expect(chart[mirror[t]]).to.equal(1);
      const c = t % 64;
      expect(Math.abs((mirror[t] % 64) - (63 - c))).to.be.at.most(2);
      counts[parts.labels[t]]++;
    }
    for (const [i, n] of counts.entries()) expect(n, FACE_PART_NAMES[i]).to.be.greaterThan(10);
    // Mirror images share a part (eyes with eyes, cheeks with cheeks) almost everywhere.
    let same = 0;
    let total = 0;
    for (let t = 0; t < 64 * 64; t++) {
      if (chart[t] === 0) continue;
      total++;
      if (parts.labels[mirror[t]] === parts.labels[t]) same++;
    }
    expect(same / total).to.be.greaterThan(0.97);
  });
});
