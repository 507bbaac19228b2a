import { expect } from 'chai';
import { validateMesh } from '../../../../core/renderer/mesh-validation';
import { signedVolume } from '../../../../core/renderer/primitives';
import { CUB_FLIP_PERMUTATION, CUB_KEYPOINT_NAMES } from '../../../../plugins/bird-cmr/keypoints';
import { icosphere, icosphereCounts } from '../../../../plugins/bird-cmr/shape/icosphere';
import { buildBirdMeanShape, keypointPositions } from '../../../../plugins/bird-cmr/shape/mean-shape';
import { BEAK_TIP_Z, TAIL_TIP_Z } from '../../../../plugins/bird-cmr/shape/bird-profile';

/** Every undirected edge with the number of faces using it, and each directed edge's count. */
function edgeCounts(faces: Int32Array): { undirected: Map<string, number>; directed: Map<string, number> } {
  const undirected = new Map<string, number>();
  const directed = new Map<string, number>();
  for (let f = 0; f < faces.length; f += 3) {
    for (let k = 0; k < 3; k++) {
      const a = faces[f + k];
      const b = faces[f + ((k + 1) % 3)];
      const key = a < b ? `${a}-${b}` : `${b}-${a}`;
      undirected.set(key, (undirected.get(key) ?? 0) + 1);
      directed.set(`${a}>${b}`, (directed.get(`${a}>${b}`) ?? 0) + 1);
    }
  }
  return { undirected, directed };
}

describe('plugins/bird-cmr mean shape', () => {
  const shape = buildBirdMeanShape(3);
  const { vertices, faces, uvs, uvFaces } = shape.mesh;

  it('has CMR counts at level 3 (642 vertices, 1,280 faces) and 10*4^l+2 / 20*4^l at other levels', () => {
    expect(vertices.length / 3).to.equal(642);
    expect(faces.length / 3).to.equal(1280);
    for (const level of [1, 2, 4]) {
      const s = icosphere(level);
      expect(s.positions.length / 3).to.equal(icosphereCounts(level).vertices);
      expect(s.faces.length / 3).to.equal(icosphereCounts(level).faces);
    }
    expect(buildBirdMeanShape(2).mesh.vertices.length / 3).to.equal(162);
  });

  it('passes the core Mesh contract and is closed: every edge is shared by exactly two faces, oriented oppositely', () => {
    validateMesh(shape.mesh, 'bird mean shape');
    const { undirected, directed } = edgeCounts(faces);
    for (const [edge, n] of undirected) expect(n, `edge ${edge}`).to.equal(2);
    for (const [edge, n] of directed) expect(n, `directed edge ${edge}`).to.equal(1);
    // Euler characteristic of a sphere: V - E + F = 2.
    expect(vertices.length / 3 - undirected.size + faces.length / 3).to.equal(2);
  });

  it('keeps faces counter-clockwise seen from outside (positive volume) and no face degenerate', () => {
    expect(signedVolume(shape.mesh)).to.be.greaterThan(0.05);
    let smallest = Infinity;
    for (let f = 0; f < faces.length; f += 3) {
      const p = [0, 1, 2].map((k) => [0, 1, 2].map((d) => vertices[3 * faces[f + k] + d]));
      const e1 = p[1].map((v, d) => v - p[0][d]);
      const e2 = p[2].map((v, d) => v - p[0][d]);
      const area = Math.hypot(e1[1] * e2[2] - e1[2] * e2[1], e1[2] * e2[0] - e1[0] * e2[2], e1[0] * e2[1] - e1[1] * e2[0]);
      smallest = Math.min(smallest, area);
    }
    expect(smallest).to.be.greaterThan(1e-6);
  });

  it('is exactly left-right symmetric: each vertex mirrored across x = 0 is a vertex, and the face set mirrors', () => {
    const { mirror } = shape;
    for (let i = 0; i < mirror.length; i++) {
      const j = mirror[i];
      expect(mirror[j]).to.equal(i);
      expect(vertices[3 * j]).to.equal(-vertices[3 * i]);
      expect(vertices[3 * j + 1]).to.equal(vertices[3 * i + 1]);
      expect(vertices[3 * j + 2]).to.equal(vertices[3 * i + 2]);
    }
    const faceSet = new Set<string>();
    for (let f = 0; f < faces.length; f += 3) faceSet.add([faces[f], faces[f + 1], faces[f + 2]].sort((a, b) => a - b).join());
    for (let f = 0; f < faces.length; f += 3) {
      const m = [faces[f], faces[f + 1], faces[f + 2]].map((v) => mirror[v]).sort((a, b) => a - b).join();
      expect(faceSet.has(m), `mirror of face ${f / 3}`).to.equal(true);
    }
  });

  it('is bird-sized and bird-shaped: beak tip in front, tail tip behind, head above the body', () => {
    let [minZ, maxZ, maxX] = [Infinity, -Infinity, 0];
    for (let i = 0; i < vertices.length; i += 3) {
      minZ = Math.min(minZ, vertices[i + 2]);
      maxZ = Math.max(maxZ, vertices[i + 2]);
      maxX = Math.max(maxX, Math.abs(vertices[i]));
    }
    expect(maxZ).to.be.closeTo(BEAK_TIP_Z, 1e-5);
    expect(minZ).to.be.closeTo(TAIL_TIP_Z, 1e-5);
    // Longer than wide: a bird, not a ball.
    expect(maxX).to.be.within(0.2, 0.45);
  });

  it('has UVs in [0,1] from spherical coordinates, with seam duplicates only on the belly midline', () => {
    expect(uvs.length / 2).to.be.greaterThan(vertices.length / 3);
    for (let i = 0; i < uvs.length; i++) expect(uvs[i]).to.be.within(0, 1);
    // v follows the polar angle: 1 at the beak tip, 0 at the tail tip.
    const tUv = new Map<number, number[]>();
    for (let c = 0; c < faces.length; c++) {
      const list = tUv.get(faces[c]) ?? [];
      if (!list.includes(uvFaces[c])) list.push(uvFaces[c]);
      tUv.set(faces[c], list);
    }
    for (const [v, list] of tUv) {
      const z = shape.spherePositions[3 * v + 2];
      for (const t of list) expect(uvs[2 * t + 1]).to.be.closeTo(1 - Math.acos(Math.max(-1, Math.min(1, z))) / Math.PI, 1e-5);
      const isPole = Math.abs(Math.abs(z) - 1) < 1e-6;
      // Seam vertices (two UVs) lie under the belly near the midline: sphere y < 0, small |x|.
      if (list.length > 1 && !isPole) {
        expect(shape.spherePositions[3 * v + 1], `seam vertex ${v}`).to.be.lessThan(0);
        expect(Math.abs(shape.spherePositions[3 * v])).to.be.lessThan(0.25);
      }
    }
    // No UV triangle folds over the seam: every face spans less than half the texture in u.
    for (let f = 0; f < uvFaces.length; f += 3) {
      const us = [0, 1, 2].map((k) => uvs[2 * uvFaces[f + k]]);
      expect(Math.max(...us) - Math.min(...us), `face ${f / 3}`).to.be.lessThan(0.25);
    }
  });

  it('mirrors the texture: a vertex and its mirror image have u and 1 - u (away from the seam)', () => {
    const uOf = new Map<number, number>();
    for (let c = 0; c < faces.length; c++) uOf.set(faces[c], uvs[2 * uvFaces[c]]);
    let checked = 0;
    for (let i = 0; i < shape.mirror.length; i++) {
      const u = uOf.get(i) as number;
      if (u < 0.05 || u > 0.95 || Math.abs(Math.abs(shape.spherePositions[3 * i + 2]) - 1) < 1e-6) continue;
      expect(uOf.get(shape.mirror[i]) as number).to.be.closeTo(1 - u, 1e-5);
      checked++;
    }
    expect(checked).to.be.greaterThan(500);
  });

  it('maps the 15 CUB keypoints to surface points that sit where the parts are', () => {
    expect(shape.keypoints).to.have.length(15);
    const kp = keypointPositions(shape);
    const at = (name: (typeof CUB_KEYPOINT_NAMES)[number]) => {
      const i = CUB_KEYPOINT_NAMES.indexOf(name);
      return [kp[3 * i], kp[3 * i + 1], kp[3 * i + 2]];
    };
    for (const p of shape.keypoints) {
      expect(p.barycentric.reduce((a, b) => a + b, 0)).to.be.closeTo(1, 1e-9);
      for (const w of p.barycentric) expect(w).to.be.within(-1e-9, 1 + 1e-9);
    }
    // Left keypoints on the left (+x), right ones their exact mirror images.
    CUB_KEYPOINT_NAMES.forEach((name, i) => {
      const j = CUB_FLIP_PERMUTATION[i];
      const [a, b] = [at(name), at(CUB_KEYPOINT_NAMES[j])];
      if (name.startsWith('left ')) expect(a[0]).to.be.greaterThan(0.05);
      if (i === j) expect(Math.abs(a[0])).to.be.lessThan(1e-6);
      expect(a[0]).to.be.closeTo(-b[0], 1e-6);
      expect(a[1]).to.be.closeTo(b[1], 1e-6);
      expect(a[2]).to.be.closeTo(b[2], 1e-6);
    });
    // Order along the bird: beak ahead of forehead ahead of crown ahead of nape ahead of back ahead of tail.
    const z = (n: Parameters<typeof at>[0]) => at(n)[2];
    expect(z('beak')).to.be.greaterThan(z('forehead'));
    expect(z('forehead')).to.be.greaterThan(z('crown'));
    expect(z('crown')).to.be.greaterThan(z('nape'));
    expect(z('nape')).to.be.greaterThan(z('back'));
    expect(z('back')).to.be.greaterThan(z('tail'));
    // Top versus bottom: the crown above the throat, the back above the belly, the breast ahead of the belly.
    expect(at('crown')[1]).to.be.greaterThan(at('throat')[1]);
    expect(at('back')[1]).to.be.greaterThan(at('belly')[1]);
    expect(z('breast')).to.be.greaterThan(z('belly'));
    expect(at('left eye')[1]).to.be.greaterThan(at('throat')[1]);
  });

  it('swaps exactly the left/right pairs under a flip (an involution)', () => {
    const swapped = CUB_FLIP_PERMUTATION.map((j, i) => [CUB_KEYPOINT_NAMES[i], CUB_KEYPOINT_NAMES[j]]);
    expect(swapped.filter(([a, b]) => a !== b)).to.deep.equal([
      ['left eye', 'right eye'],
      ['left leg', 'right leg'],
      ['left wing', 'right wing'],
      ['right eye', 'left eye'],
      ['right leg', 'left leg'],
      ['right wing', 'left wing'],
    ]);
    CUB_FLIP_PERMUTATION.forEach((j, i) => expect(CUB_FLIP_PERMUTATION[j]).to.equal(i));
  });

  it('rejects a subdivision level outside 1..6 with the valid range in the message', () => {
    expect(() => buildBirdMeanShape(0)).to.throw(/1\.\.6/);
    expect(() => buildBirdMeanShape(2.5)).to.throw(/integer/);
  });
});
