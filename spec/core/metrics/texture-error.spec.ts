import { expect } from 'chai';
import { computeTexelTaps } from '../../../core/renderer/texel-taps';
import {
  resizeTextureArea,
  textureErrors,
  type VisibilityTaps,
  visibleTexels,
} from '../../../core/metrics/texture-error';
import { assertClose, randomArray } from '../../helpers/tensors';

const f32 = (values: number[]) => Float32Array.from(values);

describe('core/metrics/texture-error', () => {
  describe('textureErrors', () => {
    // A 2x2 texture, texels 0..3. Charts: 0, 1, 2 (texel 3 is a gap). Visible: 0 and 3 (3 is outside
    // the charts, so it counts nowhere).
    const size: [number, number] = [2, 2];
    const truth = f32([0, 0, 0, /**/ 1, 1, 1, /**/ -1, -1, -1, /**/ 0.5, 0.5, 0.5]);
    const predicted = f32([
      0.2, -0.2, 0.2, // |diff| 0.2 x 3 -> [0,1] units 0.1 per channel
      1, 0, 1, // |diff| 0, 1, 0 -> (0 + 0.5 + 0) / 3 = 1/6
      1, 1, 1, // |diff| 2 x 3 -> 1 per channel
      -1, -1, -1, // outside the charts: ignored
    ]);
    const masks = { charts: f32([1, 1, 1, 0]), visible: f32([1, 0, 0, 1]) };

    it('averages |diff| / 2 over texels and channels of each subset', () => {
      const e = textureErrors(predicted, truth, size, masks);
      expect(e.all).to.be.closeTo((0.1 + 1 / 6 + 1) / 3, 1e-7);
      expect(e.visible).to.be.closeTo(0.1, 1e-7);
      expect(e.unseen).to.be.closeTo((1 / 6 + 1) / 2, 1e-7);
    });

    it('is 0 for a perfect texture and 1 for the opposite colour', () => {
      const e = textureErrors(truth, truth, size, masks);
      expect([e.all, e.visible, e.unseen]).to.deep.equal([0, 0, 0]);
      const black = new Float32Array(12).fill(-1);
      const white = new Float32Array(12).fill(1);
      expect(textureErrors(black, white, size, masks)).to.deep.equal({ all: 1, visible: 1, unseen: 1 });
    });

    it('gives null for a subset with no texel', () => {
      const allVisible = textureErrors(predicted, truth, size, { charts: masks.charts, visible: f32([1, 1, 1, 1]) });
      expect(allVisible.unseen).to.equal(null);
      expect(allVisible.visible).to.be.closeTo(allVisible.all!, 1e-12);
      const noneVisible = textureErrors(predicted, truth, size, { charts: masks.charts, visible: f32([0, 0, 0, 1]) });
      expect(noneVisible.visible).to.equal(null);
      expect(noneVisible.unseen).to.be.closeTo(noneVisible.all!, 1e-12);
      const noCharts = textureErrors(predicted, truth, size, { charts: f32([0, 0, 0, 0]), visible: masks.visible });
      expect(noCharts).to.deep.equal({ all: null, visible: null, unseen: null });
    });

    it('checks its inputs', () => {
      expect(() => textureErrors(predicted.subarray(3), truth, size, masks)).to.throw(/expected 2x2x3/);
      expect(() => textureErrors(predicted, truth, size, { charts: f32([1]), visible: masks.visible })).to.throw(/expected 4/);
      expect(() => textureErrors(predicted, truth, [2, 0], masks)).to.throw(/texture size/);
    });
  });

  describe('visibleTexels', () => {
    // A 3x2 texture; 3 covered pixels of a 2x2 image with 4 taps each.
    const taps: VisibilityTaps = {
      textureSize: [3, 2],
      tapsPerPixel: 4,
      pixels: Int32Array.from([0, 1, 3]),
      taps: Int32Array.from([
        0, 1, 2, 3, // pixel 0: texels 0, 1 with weight; 2, 3 with weight 0 (on a texel row)
        1, 1, 3, 3, // pixel 1: clamped edge, texel 1 weight 1, texel 3 weight 0
        4, 5, 4, 5, // pixel 3: texel 5 only
      ]),
      weights: Float32Array.from([0.25, 0.75, 0, 0, 0.5, 0.5, 0, 0, 0, 0.6, 0, 0.4]),
    };

    it('marks the texels some pixel reads with a positive weight', () => {
      expect(Array.from(visibleTexels(taps))).to.deep.equal([1, 1, 0, 0, 0, 1]);
    });

    it('counts only the pixels inside an optional pixel mask', () => {
      expect(Array.from(visibleTexels(taps, [1, 0, 0, 0]))).to.deep.equal([1, 1, 0, 0, 0, 0]);
      expect(Array.from(visibleTexels(taps, [0, 0, 1, 1]))).to.deep.equal([0, 0, 0, 0, 0, 1]);
      expect(() => visibleTexels(taps, [1, 1])).to.throw(/outside the pixel mask/);
    });

    it('works on nearest taps built by computeTexelTaps', () => {
      // Two pixels of a 1x3 image; pixel 1 is background. UV (0.1, 0.9) -> texel (0,0); (0.9, 0.1) -> (1,1).
      const fragments = {
        height: 1,
        width: 3,
        faceIds: Int32Array.from([0, -1, 0]),
        uv: Float32Array.from([0.1, 0.9, 0, 0, 0.9, 0.1]),
      };
      const t = computeTexelTaps(fragments as never, [2, 2], 'nearest');
      expect(Array.from(visibleTexels(t))).to.deep.equal([1, 0, 0, 1]);
    });

    it('checks its inputs', () => {
      expect(() => visibleTexels({ ...taps, weights: new Float32Array(3) })).to.throw(/taps and weights/);
      expect(() => visibleTexels({ ...taps, textureSize: [2, 2] })).to.throw(/outside the 4 texels/);
    });
  });

  describe('resizeTextureArea', () => {
    it('averages 2x2 blocks of every channel', () => {
      // 2x4 texture with 2 channels -> 1x2.
      const values = f32([
        1, 10, 2, 20, /**/ 3, 30, 4, 40,
        5, 50, 6, 60, /**/ 7, 70, 8, 80,
      ]);
      const out = resizeTextureArea(values, [2, 4], [1, 2], 2);
      assertClose(out, [(1 + 2 + 5 + 6) / 4, (10 + 20 + 50 + 60) / 4, (3 + 4 + 7 + 8) / 4, (30 + 40 + 70 + 80) / 4]);
    });

    it('handles different factors per axis, keeps the mean, and is the identity at factor 1', () => {
      const values = randomArray(12 * 8 * 3, 3);
      const out = resizeTextureArea(values, [12, 8], [4, 2]);
      expect(out.length).to.equal(4 * 2 * 3);
      // Output texel (1, 1), channel 2: rows 3..5, columns 4..7 of the input.
      let s = 0;
      for (let y = 3; y < 6; y++) for (let x = 4; x < 8; x++) s += values[(y * 8 + x) * 3 + 2];
      expect(out[(1 * 2 + 1) * 3 + 2]).to.be.closeTo(s / 12, 1e-6);
      const mean = (a: ArrayLike<number>) => Array.from(a).reduce((p, v) => p + v, 0) / a.length;
      expect(mean(out)).to.be.closeTo(mean(values), 1e-6);
      expect(Array.from(resizeTextureArea(values, [12, 8], [12, 8]))).to.deep.equal(Array.from(values));
    });

    it('turns a chart mask into the fraction of each block inside it', () => {
      const mask = f32([1, 1, 0, 0, 1, 0, 0, 0]);
      expect(Array.from(resizeTextureArea(mask, [2, 4], [1, 2], 1))).to.deep.equal([0.75, 0]);
    });

    it('refuses non-integer factors and upsizing', () => {
      const values = new Float32Array(6 * 6 * 3);
      expect(() => resizeTextureArea(values, [6, 6], [4, 4])).to.throw(/integer factors/);
      expect(() => resizeTextureArea(values, [6, 6], [12, 12])).to.throw(/integer factors/);
      expect(() => resizeTextureArea(values, [6, 6], [3, 3], 1)).to.throw(/expected 6x6x1/);
    });
  });
});
