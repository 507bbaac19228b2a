import { expect } from 'chai';
import { tf } from '../../../core/backend/tf';
import type { TextureParts } from '../../../core/plugin/texture-symmetry';
import { uvSphereMesh } from '../../../core/renderer/primitives';
import type { SparseRenderOperator } from '../../../core/renderer/render-operator';
import { SparseRenderer } from '../../../core/renderer/sparse-renderer';
import { sampleWithTaps, type TexelTaps } from '../../../core/renderer/texel-taps';
import { uvChartMask } from '../../../core/renderer/uv-texels';
import { WeakPerspectiveCamera } from '../../../core/renderer/weak-perspective-camera';
import { backProject, projectTexture, TEXEL_SOURCE } from '../../../core/run/project-texture';
import { assertClose, expectNoTensorLeak, randomArray } from '../../helpers/tensors';

/**
 * The analytic case: a UV sphere (u = longitude / 2 pi, x = cos, z = -sin of it) seen head-on along +z by
 * a weak-perspective camera, which shows the half z < 0, i.e. u in (0, 1/2). The mirror z -> -z maps u to
 * 1 - u: texel column c to Tw - 1 - c, so every hidden texel's mirror is a visible one.
 */
const TEX: [number, number] = [16, 32];
const [TH, TW] = TEX;
const IMAGE: [number, number] = [48, 48];
const renderer = new SparseRenderer();
const sphere = uvSphereMesh(16, 32, 1);
const chart = uvChartMask(sphere, TEX);
const camera = new WeakPerspectiveCamera({ scale: 0.8, translation: [0, 0] });

function sphereOperator(sampling: 'nearest' | 'bilinear'): SparseRenderOperator {
  return renderer.operator(renderer.rasterize(sphere, camera, IMAGE[0], IMAGE[1]), TEX, sampling);
}

/** Column flip: the sphere's mirror map. */
const columnFlip = Int32Array.from({ length: TH * TW }, (_, t) => (chart[t] ? Math.floor(t / TW) * TW + (TW - 1 - (t % TW)) : -1));

/** The rendering of `texture` (float32 [Th*Tw*3]) with junk (0.7) on the background, as the photo. */
function render(op: SparseRenderOperator, texture: Float32Array): Float32Array {
  const image = sampleWithTaps(op.taps, texture, 3);
  op.mask.forEach((m, p) => {
    if (!m) image.fill(0.7, 3 * p, 3 * p + 3);
  });
  return image;
}

/** A smooth texture in [-0.8, 0.8] (functions of the texel's UV). */
function smoothTexture(): Float32Array {
  const out = new Float32Array(TH * TW * 3);
  for (let r = 0; r < TH; r++) {
    for (let c = 0; c < TW; c++) {
      const u = (c + 0.5) / TW;
      const v = 1 - (r + 0.5) / TH;
      const t = r * TW + c;
      out.set([0.8 * Math.sin(2 * Math.PI * u), 0.8 * Math.cos(Math.PI * v), 0.6 * (u - v)], 3 * t);
    }
  }
  return out;
}

const texel = (texture: Float32Array, t: number) => Array.from(texture.subarray(3 * t, 3 * t + 3));
const countOf = (source: Uint8Array, code: number) => source.reduce((n, s) => n + (s === code ? 1 : 0), 0);

describe('core/run/project-texture', () => {
  it('nearest: the seen texels are exactly the rendered texture, their weight the number of pixels showing them', async () => {
    const op = sphereOperator('nearest');
    const known = randomArray(TH * TW * 3, 7).map((x) => 0.9 * x);
    const result = await expectNoTensorLeak(
      () => projectTexture({ operator: op, photo: render(op, known), chartMask: chart, settings: { seamWidth: 0 } }),
      'projectTexture',
    );
    expect(result.texture).to.have.length(TH * TW * 3);
    expect(result.seen).to.have.length(TH * TW);
    expect(result.source).to.have.length(TH * TW);
    const pixelsPerTexel = new Float32Array(TH * TW);
    op.taps.taps.forEach((t) => pixelsPerTexel[t]++);
    assertClose(result.seen, pixelsPerTexel, { atol: 1e-6, what: 'seen' });
    let seen = 0;
    for (let t = 0; t < TH * TW; t++) {
      if (result.source[t] !== TEXEL_SOURCE.photo) continue;
      seen++;
      expect(result.seen[t]).to.be.at.least(1);
      assertClose(texel(result.texture, t), texel(known, t), { atol: 1e-6, what: `texel ${t}` });
    }
    // About the visible half of the sphere (u < 1/2), not more.
    expect(seen).to.be.within(0.3 * TH * TW, 0.55 * TH * TW);
    for (let t = 0; t < TH * TW; t++) {
      if (t % TW >= TW / 2 + 1) expect(result.source[t], `texel ${t} on the hidden half`).to.not.equal(TEXEL_SOURCE.photo);
    }
    result.texture.forEach((x) => expect(x).to.be.within(-1, 1));
    op.dispose();
  });

  it('bilinear: the seen texels of a smooth texture come back to within a small error', () => {
    const op = sphereOperator('bilinear');
    const known = smoothTexture();
    const result = projectTexture({ operator: op, photo: render(op, known), chartMask: chart, settings: { seamWidth: 0 } });
    let worst = 0;
    let sum = 0;
    let count = 0;
    for (let t = 0; t < TH * TW; t++) {
      if (result.source[t] !== TEXEL_SOURCE.photo || result.seen[t] < 1) continue;
      for (let c = 0; c < 3; c++) {
        const e = Math.abs(result.texture[3 * t + c] - known[3 * t + c]);
        worst = Math.max(worst, e);
        sum += e;
        count++;
      }
    }
    expect(count / 3).to.be.greaterThan(0.3 * TH * TW);
    expect(sum / count, 'mean error').to.be.lessThan(0.03);
    expect(worst, 'worst error').to.be.lessThan(0.2);
    op.dispose();
  });

  it('backProject is the render operator\'s transpose (the gradient of <A t, photo>)', async () => {
    const op = sphereOperator('bilinear');
    const photo = randomArray(IMAGE[0] * IMAGE[1] * 3, 3);
    const { sum, weight } = backProject(op.taps, photo);
    await expectNoTensorLeak(() => {
      const aty = tf.tidy(() => {
        const y = tf.tensor4d(photo, [1, IMAGE[0], IMAGE[1], 3]);
        return tf.grad((x: tf.Tensor) => tf.sum(tf.mul(op.apply(x as tf.Tensor4D), y)))(tf.zeros([1, TH, TW, 3]));
      });
      assertClose(aty, sum, { atol: 1e-5, what: 'A^T photo' });
      aty.dispose();
      op.dispose();
    }, 'transpose check');
    const ones = new Float32Array(TH * TW);
    op.taps.taps.forEach((t, e) => (ones[t] += op.taps.weights[e]));
    assertClose(weight, ones, { atol: 1e-6, what: 'A^T 1' });
  });

  it('fills a hidden texel from its mirror when that one is seen', () => {
    const op = sphereOperator('nearest');
    // Left-right symmetric in texel space, so the mirror fill reproduces the hidden half exactly.
    const half = randomArray(TH * TW * 3, 9);
    const known = new Float32Array(TH * TW * 3);
    for (let t = 0; t < TH * TW; t++) {
      const c = t % TW;
      const m = Math.floor(t / TW) * TW + Math.min(c, TW - 1 - c);
      known.set(half.subarray(3 * m, 3 * m + 3), 3 * t);
    }
    const result = projectTexture({ operator: op, photo: render(op, known), chartMask: chart, mirror: columnFlip, settings: { seamWidth: 0 } });
    let mirrored = 0;
    for (let t = 0; t < TH * TW; t++) {
      if (result.source[t] !== TEXEL_SOURCE.mirror) continue;
      mirrored++;
      const m = columnFlip[t];
      expect(result.source[m]).to.equal(TEXEL_SOURCE.photo);
      expect(texel(result.texture, t)).to.deep.equal(texel(result.texture, m));
      assertClose(texel(result.texture, t), texel(known, t), { atol: 1e-6, what: `mirrored texel ${t}` });
    }
    expect(mirrored).to.be.greaterThan(0.3 * TH * TW);
    // Every unseen texel whose mirror is seen was mirrored.
    for (let t = 0; t < TH * TW; t++) {
      if (result.source[t] !== TEXEL_SOURCE.photo && result.source[columnFlip[t]] === TEXEL_SOURCE.photo) {
        expect(result.source[t], `texel ${t}`).to.equal(TEXEL_SOURCE.mirror);
      }
    }
    op.dispose();
  });

  it('fills the rest of a part with its seen colour (median), a part with nothing seen with the mean of all seen texels', () => {
    const op = sphereOperator('nearest');
    const colours = [[0.8, -0.2, -0.6], [-0.5, 0.3, 0.9]];
    const known = new Float32Array(TH * TW * 3);
    // Parts: top band and bottom band of the visible half (each one colour), and the hidden half.
    const labels = new Int32Array(TH * TW);
    for (let t = 0; t < TH * TW; t++) {
      const band = Math.floor(t / TW) < TH / 2 ? 0 : 1;
      known.set(colours[band], 3 * t);
      labels[t] = t % TW < TW / 2 ? band : 2;
    }
    const parts: TextureParts = { labels, names: ['top', 'bottom', 'back'] };
    const result = projectTexture({ operator: op, photo: render(op, known), chartMask: chart, parts, settings: { seamWidth: 0 } });
    const filled = [0, 0, 0];
    for (let t = 0; t < TH * TW; t++) {
      if (result.source[t] === TEXEL_SOURCE.photo) continue;
      filled[labels[t]]++;
      if (labels[t] < 2) {
        expect(result.source[t]).to.equal(TEXEL_SOURCE.part);
        assertClose(texel(result.texture, t), colours[labels[t]], { atol: 1e-6, what: `texel ${t}` });
      }
    }
    expect(filled[0] + filled[1], 'some visible-half texels are unseen (grazing)').to.be.greaterThan(0);
    // The hidden half: the median of its own seen texels (the limb may show a few), else the global mean.
    const seenBack = [...labels.keys()].filter((t) => labels[t] === 2 && result.source[t] === TEXEL_SOURCE.photo);
    const seenAll = [...labels.keys()].filter((t) => result.source[t] === TEXEL_SOURCE.photo);
    const expected = [0, 1, 2].map((c) => {
      if (seenBack.length > 0) {
        const v = seenBack.map((t) => result.texture[3 * t + c]).sort((a, b) => a - b);
        const n = v.length;
        return n % 2 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
      }
      return seenAll.reduce((s, t) => s + result.texture[3 * t + c], 0) / seenAll.length;
    });
    let back = 0;
    for (let t = 0; t < TH * TW; t++) {
      if (labels[t] !== 2 || result.source[t] === TEXEL_SOURCE.photo) continue;
      back++;
      expect(result.source[t]).to.equal(seenBack.length > 0 ? TEXEL_SOURCE.part : TEXEL_SOURCE.global);
      assertClose(texel(result.texture, t), expected, { atol: 1e-6, what: `hidden texel ${t}` });
    }
    expect(back).to.be.greaterThan(0.4 * TH * TW);
    op.dispose();
  });

  it('a part with no seen texel takes the mean of all seen texels', () => {
    const op = sphereOperator('nearest');
    const known = randomArray(TH * TW * 3, 4);
    // Part 1 lies entirely on the hidden half (columns well past u = 1/2).
    const labels = Int32Array.from({ length: TH * TW }, (_, t) => (t % TW >= TW / 2 + 4 ? 1 : 0));
    const result = projectTexture({ operator: op, photo: render(op, known), chartMask: chart, parts: { labels, names: ['a', 'b'] }, settings: { seamWidth: 0 } });
    const seen = [...labels.keys()].filter((t) => result.source[t] === TEXEL_SOURCE.photo);
    expect(seen.every((t) => labels[t] === 0)).to.equal(true);
    const mean = [0, 1, 2].map((c) => seen.reduce((s, t) => s + result.texture[3 * t + c], 0) / seen.length);
    for (let t = 0; t < TH * TW; t++) {
      if (labels[t] !== 1) continue;
      expect(result.source[t]).to.equal(TEXEL_SOURCE.global);
      assertClose(texel(result.texture, t), mean, { atol: 1e-5, what: `texel ${t}` });
    }
    op.dispose();
  });

  it('the foreground mask scales the evidence: background pixels count for nothing, a half mask changes no colour', () => {
    const op = sphereOperator('nearest');
    const known = randomArray(TH * TW * 3, 5);
    const photo = render(op, known);
    const full = projectTexture({ operator: op, photo, chartMask: chart, settings: { seamWidth: 0 } });
    const half = projectTexture({ operator: op, photo, chartMask: chart, foreground: new Float32Array(IMAGE[0] * IMAGE[1]).fill(0.5), settings: { seamWidth: 0 } });
    assertClose(half.seen, full.seen.map((w) => w / 2), { atol: 1e-6, what: 'seen' });
    expect(Array.from(half.source)).to.deep.equal(Array.from(full.source));
    assertClose(half.texture, full.texture, { atol: 1e-6, what: 'texture' });
    // Foreground only on the image's right half: texels shown only on the left half are unseen.
    const right = Float32Array.from({ length: IMAGE[0] * IMAGE[1] }, (_, p) => (p % IMAGE[1] >= IMAGE[1] / 2 ? 1 : 0));
    const cut = projectTexture({ operator: op, photo, chartMask: chart, foreground: right, settings: { seamWidth: 0 } });
    const { pixels, taps } = op.taps;
    const shownRight = new Uint8Array(TH * TW);
    pixels.forEach((p, n) => {
      if (p % IMAGE[1] >= IMAGE[1] / 2) shownRight[taps[n]] = 1;
    });
    let dropped = 0;
    for (let t = 0; t < TH * TW; t++) {
      if (full.source[t] !== TEXEL_SOURCE.photo) continue;
      if (shownRight[t]) {
        expect(cut.source[t]).to.equal(TEXEL_SOURCE.photo);
        assertClose(texel(cut.texture, t), texel(known, t), { atol: 1e-6 });
      } else {
        dropped++;
        expect(cut.seen[t]).to.equal(0);
        expect(cut.source[t]).to.not.equal(TEXEL_SOURCE.photo);
      }
    }
    expect(dropped).to.be.greaterThan(10);
    op.dispose();
  });

  it('the seam blur softens only the filled texels next to a boundary; the photo\'s texels stay exact', () => {
    const op = sphereOperator('nearest');
    const known = randomArray(TH * TW * 3, 6);
    const input = { operator: op, photo: render(op, known), chartMask: chart, mirror: columnFlip };
    const sharp = projectTexture({ ...input, settings: { seamWidth: 0 } });
    const soft = projectTexture({ ...input, settings: { seamWidth: 2 } });
    expect(Array.from(soft.source)).to.deep.equal(Array.from(sharp.source));
    // Distance (4-neighbour steps on the charts) to the nearest texel of another source.
    const near = new Uint8Array(TH * TW);
    for (let t = 0; t < TH * TW; t++) {
      const r = Math.floor(t / TW);
      const c = t % TW;
      for (let dr = -2; dr <= 2; dr++) {
        for (let dc = -2; dc <= 2; dc++) {
          const rr = r + dr;
          const cc = c + dc;
          if (Math.abs(dr) + Math.abs(dc) > 2 || rr < 0 || rr >= TH || cc < 0 || cc >= TW) continue;
          if (sharp.source[rr * TW + cc] !== sharp.source[t]) near[t] = 1;
        }
      }
    }
    let changed = 0;
    for (let t = 0; t < TH * TW; t++) {
      const same = texel(soft.texture, t).every((x, c) => x === sharp.texture[3 * t + c]);
      if (sharp.source[t] === TEXEL_SOURCE.photo || !near[t]) expect(same, `texel ${t}`).to.equal(true);
      else if (!same) changed++;
    }
    expect(changed).to.be.greaterThan(0);
    op.dispose();
  });

  it('off the charts: the nearest chart colours spread outwards; with nothing seen, mid grey everywhere', () => {
    // A hand-made operator: a 4x4 image, pixel (r, c) reads texel (r, c) of a 4x8 texture whose chart is columns 0..3.
    const taps: TexelTaps = {
      height: 4,
      width: 4,
      textureSize: [4, 8],
      sampling: 'nearest',
      tapsPerPixel: 1,
      pixels: Int32Array.from({ length: 16 }, (_, p) => p),
      taps: Int32Array.from({ length: 16 }, (_, p) => Math.floor(p / 4) * 8 + (p % 4)),
      weights: new Float32Array(16).fill(1),
    };
    const chartMask = Float32Array.from({ length: 32 }, (_, t) => (t % 8 < 4 ? 1 : 0));
    // Colour by column only: dilation from column 3 copies it.
    const photo = Float32Array.from({ length: 48 }, (_, i) => [-0.9, -0.3, 0.2, 0.6][Math.floor(i / 3) % 4] * (i % 3 === 1 ? -1 : 1));
    const result = projectTexture({ operator: { taps }, photo, chartMask });
    for (let t = 0; t < 32; t++) {
      const c = t % 8;
      if (c < 4) {
        expect(result.source[t]).to.equal(TEXEL_SOURCE.photo);
        assertClose(texel(result.texture, t), [0, 1, 2].map((k) => photo[3 * (Math.floor(t / 8) * 4 + c) + k]), { atol: 1e-6 });
      } else {
        expect(result.source[t]).to.equal(TEXEL_SOURCE.offChart);
        assertClose(texel(result.texture, t), [0.6, -0.6, 0.6], { atol: 1e-6, what: `off-chart texel ${t}` });
      }
    }
    const blind = projectTexture({ operator: { taps }, photo, chartMask, foreground: new Float32Array(16) });
    expect(Array.from(blind.texture).every((x) => x === 0)).to.equal(true);
    expect(countOf(blind.source, TEXEL_SOURCE.global)).to.equal(16);
    expect(countOf(blind.source, TEXEL_SOURCE.offChart)).to.equal(16);
  });

  it('checks its inputs', () => {
    const op = sphereOperator('nearest');
    const photo = new Float32Array(IMAGE[0] * IMAGE[1] * 3);
    expect(() => projectTexture({ operator: op, photo: photo.subarray(3), chartMask: chart })).to.throw(/photo has/);
    expect(() => projectTexture({ operator: op, photo, chartMask: chart.subarray(1) })).to.throw(/chart mask/);
    expect(() => projectTexture({ operator: op, photo, chartMask: chart, mirror: new Int32Array(3) })).to.throw(/mirror map/);
    expect(() => projectTexture({ operator: op, photo, chartMask: chart, foreground: new Float32Array(5) })).to.throw(/foreground/);
    expect(() => projectTexture({ operator: op, photo, chartMask: chart, settings: { minWeight: 0 } })).to.throw(/minWeight/);
    op.dispose();
  });
});
