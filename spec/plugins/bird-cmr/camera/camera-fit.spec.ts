import { expect } from 'chai';
import { WeakPerspectiveCamera } from '../../../../core/renderer/weak-perspective-camera';
import { quaternionToMatrix } from '../../../../core/renderer/rotation';
import { randomArray } from '../../../helpers/tensors';
import { fitWeakPerspective, projectWeakPerspective } from '../../../../plugins/bird-cmr/camera/camera-fit';
import type { Quaternion } from '../../../../plugins/bird-cmr/camera/quaternion';
import { matrixToQuaternion, quaternionAngleDeg, rotationAngleDeg } from '../../../../plugins/bird-cmr/camera/quaternion';
import { BIRD_VIEW_ROTATIONS } from '../../../../plugins/bird-cmr/camera/bird-views';
import { buildBirdMeanShape, keypointPositions } from '../../../../plugins/bird-cmr/shape/mean-shape';

/** A deterministic random unit quaternion (w >= 0). */
function randomQuaternion(seed: number): Quaternion {
  const r = randomArray(4, seed);
  const n = Math.hypot(...r);
  const q = Array.from(r, (v) => (v / n) * (r[0] < 0 ? -1 : 1));
  return [q[0], q[1], q[2], q[3]];
}

describe('plugins/bird-cmr camera fit (weak-perspective Procrustes)', () => {
  const keypoints = keypointPositions(buildBirdMeanShape(3));

  it('matrixToQuaternion inverts core quaternionToMatrix, for all 4 Shepperd branches', () => {
    const cases: Quaternion[] = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]];
    for (let s = 1; s <= 40; s++) cases.push(randomQuaternion(s));
    for (const q of cases) {
      const back = matrixToQuaternion(quaternionToMatrix(q));
      expect(quaternionAngleDeg(back, q)).to.be.lessThan(1e-5);
      expect(back[0]).to.be.at.least(0);
    }
    // The canonical views are proper rotations.
    for (const m of Object.values(BIRD_VIEW_ROTATIONS)) {
      expect(rotationAngleDeg(quaternionToMatrix(matrixToQuaternion(m)), m)).to.be.lessThan(1e-5);
    }
  });

  it('projects like core WeakPerspectiveCamera (normalised coordinates to pixels)', () => {
    const params = { scale: 0.7, translation: [0.1, -0.2] as [number, number], quaternion: randomQuaternion(3) };
    const n = projectWeakPerspective(params, keypoints);
    const px = new WeakPerspectiveCamera(params).project(keypoints, 200, 300);
    for (let i = 0; i < n.length / 2; i++) {
      expect(px[3 * i]).to.be.closeTo(((n[2 * i] + 1) / 2) * 300, 1e-3);
      expect(px[3 * i + 1]).to.be.closeTo(((n[2 * i + 1] + 1) / 2) * 200, 1e-3);
    }
  });

  it('recovers a known camera exactly from its own projections of the 15 keypoints', () => {
    for (let seed = 1; seed <= 25; seed++) {
      const truth = { scale: 0.5 + 0.1 * (seed % 5), translation: [0.05 * (seed % 3), -0.04] as [number, number], quaternion: randomQuaternion(seed * 7) };
      const fit = fitWeakPerspective(keypoints, projectWeakPerspective(truth, keypoints));
      expect(quaternionAngleDeg(fit.quaternion, truth.quaternion), `seed ${seed}`).to.be.lessThan(1e-3);
      expect(fit.scale).to.be.closeTo(truth.scale, 1e-6);
      expect(fit.translation[0]).to.be.closeTo(truth.translation[0], 1e-6);
      expect(fit.translation[1]).to.be.closeTo(truth.translation[1], 1e-6);
      expect(fit.rmse).to.be.lessThan(1e-6);
      expect(fit.pointsUsed).to.equal(15);
    }
  });

  it('stays within a few degrees with 1-pixel noise (256 px crop) and with the far side occluded', () => {
    const errors: number[] = [];
    for (let seed = 1; seed <= 30; seed++) {
      const truth = { scale: 0.8, translation: [0, 0] as [number, number], quaternion: randomQuaternion(seed * 13) };
      const clean = projectWeakPerspective(truth, keypoints);
      const noise = randomArray(clean.length, seed);
      const noisy = clean.map((v, i) => v + (noise[i] * 2) / 256);
      // Occlude the keypoints facing away from the camera (depth above the median), as a photo would.
      const r = quaternionToMatrix(truth.quaternion);
      const depth = Array.from({ length: 15 }, (_, i) => r[6] * keypoints[3 * i] + r[7] * keypoints[3 * i + 1] + r[8] * keypoints[3 * i + 2]);
      const median = [...depth].sort((a, b) => a - b)[9];
      const visible = depth.map((d) => (d <= median ? 1 : 0));
      const fit = fitWeakPerspective(keypoints, noisy, visible);
      expect(fit.pointsUsed).to.equal(10);
      errors.push(quaternionAngleDeg(fit.quaternion, truth.quaternion));
      expect(fit.scale).to.be.closeTo(0.8, 0.05);
    }
    errors.sort((a, b) => a - b);
    expect(errors[Math.floor(errors.length / 2)], 'median rotation error (deg)').to.be.lessThan(3);
    expect(errors[errors.length - 1], 'worst rotation error (deg)').to.be.lessThan(15);
  });

  it('fits with only 3 or 4 visible points and ignores the invisible ones entirely (even NaN)', () => {
    const truth = { scale: 0.6, translation: [0.1, 0.1] as [number, number], quaternion: randomQuaternion(99) };
    const image = projectWeakPerspective(truth, keypoints);
    const visible = new Array(15).fill(0);
    for (const i of [1, 4, 13, 7]) visible[i] = 1;
    const corrupted = Float64Array.from(image, (v, k) => (visible[Math.floor(k / 2)] ? v : NaN));
    const fit = fitWeakPerspective(keypoints, corrupted, visible);
    expect(fit.rmse).to.be.lessThan(1e-6);
    expect(quaternionAngleDeg(fit.quaternion, truth.quaternion)).to.be.lessThan(1e-3);
    visible[7] = 0;
    // Three points: the pose is not unique, but the fit must reproduce the three observations.
    expect(fitWeakPerspective(keypoints, corrupted, visible).rmse).to.be.lessThan(1e-6);
  });

  it('explains what is wrong with too few points, mismatched lengths and bad weights', () => {
    const image = projectWeakPerspective({ scale: 1, translation: [0, 0], quaternion: [1, 0, 0, 0] }, keypoints);
    const two = new Array(15).fill(0);
    two[0] = two[1] = 1;
    expect(() => fitWeakPerspective(keypoints, image, two)).to.throw(/at least 3 visible keypoints, got 2/);
    expect(() => fitWeakPerspective(keypoints, image.subarray(2))).to.throw(/N\*3 model coordinates and N\*2 image/);
    expect(() => fitWeakPerspective(keypoints, image, new Array(15).fill(-1))).to.throw(/weights must be finite and >= 0/);
  });
});
