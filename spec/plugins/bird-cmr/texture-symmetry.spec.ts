import { expect } from 'chai';
import type { RetexConfig } from '../../../core/plugin';
import { SparseRenderer } from '../../../core/renderer/sparse-renderer';
import { sampleWithTaps } from '../../../core/renderer/texel-taps';
import { forEachUvTexel, uvChartMask } from '../../../core/renderer/uv-texels';
import { WeakPerspectiveCamera } from '../../../core/renderer/weak-perspective-camera';
import { projectTexture, TEXEL_SOURCE } from '../../../core/run/project-texture';
import { birdViewQuaternion } from '../../../plugins/bird-cmr/camera/bird-views';
import { birdCmrPlugin } from '../../../plugins/bird-cmr/index';
import { CUB_KEYPOINT_NAMES } from '../../../plugins/bird-cmr/keypoints';
import { buildBirdMeanShape } from '../../../plugins/bird-cmr/shape/mean-shape';
import { BIRD_PART_NAMES, BIRD_TEXTURE_SYMMETRY } from '../../../plugins/bird-cmr/texture-symmetry';
import { assertClose, expectNoTensorLeak, randomArray } from '../../helpers/tensors';

const config = (pluginOptions: Record<string, unknown> = { subdivisions: 3 }): RetexConfig => ({ pluginOptions }) as unknown as RetexConfig;
const SIZE: [number, number] = [64, 128];
const [TH, TW] = SIZE;

/** Model-space position of each chart texel's centre on the mean shape (float [Th*Tw*3]; NaN off the charts). */
function texelPositions(shape: ReturnType<typeof buildBirdMeanShape>, [th, tw]: readonly [number, number]): Float64Array {
  const out = new Float64Array(th * tw * 3).fill(NaN);
  const { vertices, faces, uvs, uvFaces } = shape.mesh;
  for (let f = 0; f < faces.length / 3; f++) {
    forEachUvTexel(uvs, uvFaces, f, th, tw, (t, ...w) => {
      for (let d = 0; d < 3; d++) out[3 * t + d] = [0, 1, 2].reduce((s, k) => s + w[k] * vertices[3 * faces[3 * f + k] + d], 0);
    });
  }
  return out;
}

describe('plugins/bird-cmr/texture-symmetry', () => {
  const shape = buildBirdMeanShape(3);
  const chart = uvChartMask(shape.mesh, SIZE);
  const chartCount = chart.reduce((s, m) => s + m, 0);
  const position = texelPositions(shape, SIZE);

  it("is the plugin's textureSymmetry", () => {
    expect(birdCmrPlugin.textureSymmetry).to.equal(BIRD_TEXTURE_SYMMETRY);
  });

  it('mirror: -1 exactly off the charts, an involution mapping each texel to the mirror image of its point', async () => {
    const mirror = await expectNoTensorLeak(() => BIRD_TEXTURE_SYMMETRY.mirror(config(), SIZE), 'mirror');
    expect(mirror).to.have.length(TH * TW);
    let involution = 0;
    let flipped = 0;
    let sided = 0;
    let worst = 0;
    for (let t = 0; t < TH * TW; t++) {
      const m = mirror[t];
      if (!chart[t]) {
        expect(m, `texel ${t} is off the charts`).to.equal(-1);
        continue;
      }
      expect(chart[m], `mirror of ${t}`).to.equal(1);
      if (mirror[m] === t) involution++;
      if (m === Math.floor(t / TW) * TW + (TW - 1 - (t % TW))) flipped++;
      const [x, y, z] = [0, 1, 2].map((d) => position[3 * t + d]);
      const [mx, my, mz] = [0, 1, 2].map((d) => position[3 * m + d]);
      worst = Math.max(worst, Math.hypot(mx + x, my - y, mz - z));
      if (x > 0.02) {
        sided++;
        expect(mx, `texel ${t} on the left maps to the right`).to.be.lessThan(0);
      }
    }
    expect(involution / chartCount).to.be.greaterThan(0.99);
    // On spherical UVs the mirror is u -> 1 - u: the column flip, but for the seam and pole faces.
    expect(flipped / chartCount).to.be.greaterThan(0.97);
    expect(sided).to.be.greaterThan(0.3 * chartCount);
    // Within a few texels on the shape, which is about 2 units long.
    expect(worst).to.be.lessThan(0.15);
  });

  it('parts: every chart texel has one, none off the charts; each part is non-empty and left-right symmetric', async () => {
    const parts = await BIRD_TEXTURE_SYMMETRY.parts(config(), SIZE);
    const mirror = await BIRD_TEXTURE_SYMMETRY.mirror(config(), SIZE);
    expect(parts.names).to.deep.equal([...BIRD_PART_NAMES]);
    const counts = parts.names.map(() => 0);
    let symmetric = 0;
    parts.labels.forEach((l, t) => {
      if (!chart[t]) return expect(l, `texel ${t}`).to.equal(-1);
      expect(l, `texel ${t}`).to.be.within(0, parts.names.length - 1);
      counts[l]++;
      if (parts.labels[mirror[t]] === l) symmetric++;
    });
    counts.forEach((n, i) => expect(n, parts.names[i]).to.be.greaterThan(0.03 * chartCount));
    expect(symmetric / chartCount).to.be.greaterThan(0.98);
  });

  it('parts: the CUB keypoints fall in the parts they name; the head is in front, the tail behind', async () => {
    const { labels, names } = await BIRD_TEXTURE_SYMMETRY.parts(config(), SIZE);
    const expected: Record<string, string> = {
      back: 'back', beak: 'head', belly: 'belly', breast: 'breast', crown: 'head', forehead: 'head', 'left eye': 'head',
      'left leg': 'belly', 'left wing': 'wings', nape: 'head', 'right eye': 'head', 'right leg': 'belly',
      'right wing': 'wings', tail: 'tail', throat: 'head',
    };
    shape.keypoints.forEach((p, i) => {
      let u = 0;
      let v = 0;
      for (let k = 0; k < 3; k++) {
        const uv = shape.mesh.uvFaces[3 * p.face + k];
        u += p.barycentric[k] * shape.mesh.uvs[2 * uv];
        v += p.barycentric[k] * shape.mesh.uvs[2 * uv + 1];
      }
      const t = Math.min(TH - 1, Math.floor((1 - v) * TH)) * TW + Math.min(TW - 1, Math.floor(u * TW));
      expect(names[labels[t]], CUB_KEYPOINT_NAMES[i]).to.equal(expected[CUB_KEYPOINT_NAMES[i]]);
    });
    labels.forEach((l, t) => {
      const z = position[3 * t + 2];
      if (l < 0) return;
      if (z > 0.45) expect(names[l], `texel ${t} at z ${z}`).to.equal('head');
      if (z < -0.8) expect(names[l], `texel ${t} at z ${z}`).to.equal('tail');
    });
  });

  it('is cached per texture size and returns fresh arrays; other sizes work too', async () => {
    const a = await BIRD_TEXTURE_SYMMETRY.mirror(config(), SIZE);
    const b = await BIRD_TEXTURE_SYMMETRY.mirror(config(), SIZE);
    expect(a).to.not.equal(b);
    expect(Array.from(a)).to.deep.equal(Array.from(b));
    a.fill(0);
    expect((await BIRD_TEXTURE_SYMMETRY.mirror(config(), SIZE))[0]).to.equal(b[0]);
    const small = await BIRD_TEXTURE_SYMMETRY.mirror(config({}), [32, 64]);
    expect(small).to.have.length(32 * 64);
    const parts = await BIRD_TEXTURE_SYMMETRY.parts(config({ subdivisions: 2 }), [32, 64]);
    expect(parts.labels).to.have.length(32 * 64);
  });

  it('project: a symmetric texture rendered from the side comes back, the hidden flank from its mirror', async () => {
    const renderer = new SparseRenderer();
    const camera = new WeakPerspectiveCamera({ scale: 0.9, translation: [0, 0], quaternion: birdViewQuaternion('side') });
    const op = renderer.operator(renderer.rasterize(shape.mesh, camera, 128, 128), SIZE, 'nearest');
    const mirror = await BIRD_TEXTURE_SYMMETRY.mirror(config(), SIZE);
    const parts = await BIRD_TEXTURE_SYMMETRY.parts(config(), SIZE);
    // Symmetric in the texture's columns, the same as symmetric on the bird for all but the seam texels.
    const half = randomArray(TH * TW * 3, 17);
    const known = new Float32Array(TH * TW * 3);
    for (let t = 0; t < TH * TW; t++) {
      const c = t % TW;
      known.set(half.subarray(3 * (t - c + Math.min(c, TW - 1 - c)), 3 * (t - c + Math.min(c, TW - 1 - c)) + 3), 3 * t);
    }
    const photo = sampleWithTaps(op.taps, known, 3);
    const result = await expectNoTensorLeak(
      () => projectTexture({ operator: op, photo, chartMask: chart, mirror, parts, settings: { seamWidth: 0 } }),
      'projectTexture',
    );
    let seenLeft = 0;
    let mirroredRight = 0;
    let right = 0;
    for (let t = 0; t < TH * TW; t++) {
      const x = position[3 * t];
      const texel = Array.from(result.texture.subarray(3 * t, 3 * t + 3));
      if (result.source[t] === TEXEL_SOURCE.photo) {
        assertClose(texel, Array.from(known.subarray(3 * t, 3 * t + 3)), { atol: 1e-6, what: `seen texel ${t}` });
        if (x > 0.05) seenLeft++;
      }
      if (x < -0.05) {
        right++;
        expect(result.source[t], `right-flank texel ${t} is not in view`).to.not.equal(TEXEL_SOURCE.photo);
        if (result.source[t] === TEXEL_SOURCE.mirror) {
          mirroredRight++;
          if (mirror[t] === Math.floor(t / TW) * TW + (TW - 1 - (t % TW))) {
            assertClose(texel, Array.from(known.subarray(3 * t, 3 * t + 3)), { atol: 1e-6, what: `mirrored texel ${t}` });
          }
        }
      }
    }
    // The image (128 x 128, the config's) has fewer bird pixels than the texture has texels: about 1,600 of
    // the left flank's texels are seen, and as many of the right flank's are filled from them.
    expect(seenLeft).to.be.greaterThan(0.15 * chartCount);
    expect(mirroredRight / right).to.be.greaterThan(0.4);
    op.dispose();
  });
});
