import { expect } from 'chai';
import { maskIou, renderSilhouette, resizeMask } from '../../../../plugins/bird-cmr/predictors/silhouette';
import { buildBirdMeanShape } from '../../../../plugins/bird-cmr/shape/mean-shape';
import { birdViewQuaternion } from '../../../../plugins/bird-cmr/camera/bird-views';

describe('plugins/bird-cmr silhouettes', () => {
  it('maskIou: analytic cases, soft masks, empty masks, size mismatch', () => {
    expect(maskIou([1, 1, 0, 0], [0, 1, 1, 0])).to.be.closeTo(1 / 3, 1e-12);
    expect(maskIou([0.5, 1], [1, 1])).to.be.closeTo(1.5 / 2, 1e-12);
    expect(maskIou([0, 0], [0, 0])).to.equal(1);
    expect(() => maskIou([1], [1, 0])).to.throw(/differ in size/);
  });

  it('resizeMask averages areas exactly, also for non-integer ratios', () => {
    const m = Float32Array.from([1, 0, 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(resizeMask(m, 4, 4, 2, 2))).to.deep.equal([0.5, 0.5, 0, 0]);
    const ones = new Float32Array(35).fill(1);
    for (const v of resizeMask(ones, 5, 7, 3, 2)) expect(v).to.be.closeTo(1, 1e-6);
    // Total mass is preserved (times the area ratio).
    const r = resizeMask(m, 4, 4, 3, 3);
    expect(r.reduce((s, v) => s + v, 0) * (16 / 9)).to.be.closeTo(4, 1e-5);
  });

  it('renders the side view with an area that grows with the square of the scale', () => {
    const shape = buildBirdMeanShape(3);
    const area = (scale: number) =>
      renderSilhouette(shape.mesh, { scale, translation: [0, 0], quaternion: birdViewQuaternion('side') }, 128, 128).reduce((s, v) => s + v, 0);
    const a1 = area(0.4);
    const a2 = area(0.8);
    expect(a1).to.be.greaterThan(300);
    expect(a2 / a1).to.be.closeTo(4, 0.15);
  });
});
