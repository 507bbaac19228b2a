import { expect } from 'chai';
import { PerspectiveCamera } from '../../../core/renderer/perspective-camera';
import { axisAngleToMatrix, checkRotation, multiplyMatrices, quaternionToMatrix } from '../../../core/renderer/rotation';
import { WeakPerspectiveCamera } from '../../../core/renderer/weak-perspective-camera';
import { assertClose } from '../../helpers/tensors';

describe('core/renderer/cameras', () => {
  it('axis-angle and quaternion give the same rotation, and 90 degrees about z maps x to y', () => {
    const angle = 1.1;
    const axis = [0.2, -0.5, 0.8];
    const n = Math.hypot(...axis);
    const aa = axis.map((a) => (a / n) * angle);
    const q = [Math.cos(angle / 2), ...axis.map((a) => (a / n) * Math.sin(angle / 2))];
    assertClose(axisAngleToMatrix(aa), quaternionToMatrix(q), { atol: 1e-12 });
    assertClose(axisAngleToMatrix([0, 0, Math.PI / 2]), [0, -1, 0, 1, 0, 0, 0, 0, 1], { atol: 1e-12 });
    // An unnormalised quaternion is normalised.
    assertClose(quaternionToMatrix(q.map((x) => 3 * x)), quaternionToMatrix(q), { atol: 1e-12 });
    const r = axisAngleToMatrix(aa);
    assertClose(multiplyMatrices(r, axisAngleToMatrix(aa.map((x) => -x))), [1, 0, 0, 0, 1, 0, 0, 0, 1], { atol: 1e-12 });
  });

  it('perspective projection: f X/Z + c with the principal point at the image centre by default', () => {
    const cam = new PerspectiveCamera({ focalLength: [100, 80], translation: [0.1, 0, 2] });
    const out = cam.project(Float32Array.of(0.4, -0.2, 2, 0, 0, 0), 64, 128);
    assertClose(out, [100 * (0.5 / 4) + 64, 80 * (-0.2 / 4) + 32, 4, 100 * (0.1 / 2) + 64, 32, 2], { atol: 1e-4 });
    const rotated = new PerspectiveCamera({ focalLength: 10, principalPoint: [5, 6], rotation: [0, Math.PI, 0], translation: [0, 0, 5] });
    // A half turn about y sends (1, 0, 1) to (-1, 0, -1): depth 4, x = 10 * -1/4 + 5.
    assertClose(rotated.project(Float32Array.of(1, 0, 1), 10, 10), [2.5, 6, 4], { atol: 1e-5 });
    expect(cam.perspectiveCorrect).to.equal(true);
  });

  it("weak perspective follows CMR: s R(q) X[:2] + t in [-1,1], mapped onto the pixel grid", () => {
    const q: [number, number, number, number] = [Math.cos(Math.PI / 4), 0, 0, Math.sin(Math.PI / 4)]; // 90 deg about z
    const cam = new WeakPerspectiveCamera({ scale: 0.5, translation: [0.1, -0.2], quaternion: q });
    const out = cam.project(Float32Array.of(1, 0, 3), 100, 200);
    // R maps (1,0,3) to (0,1,3): n = (0.1, 0.5 - 0.2) -> px = 1.1 * 100, py = 1.3 * 50.
    assertClose(out, [110, 65, 3], { atol: 1e-4 });
    // The normalised corners -1 and +1 are the image borders.
    const id = new WeakPerspectiveCamera({ scale: 1, translation: [0, 0] });
    assertClose(id.project(Float32Array.of(-1, -1, 0, 1, 1, 0), 8, 16), [0, 0, 0, 16, 8, 0]);
    expect(id.perspectiveCorrect).to.equal(false);
  });

  it('rejects invalid camera settings with clear messages', () => {
    expect(() => new PerspectiveCamera({ focalLength: -1 })).to.throw(/focal length must be positive/);
    expect(() => new PerspectiveCamera({ focalLength: 1, rotation: [1, 0, 0, 0, 2, 0, 0, 0, 1] })).to.throw(/not orthonormal/);
    expect(() => checkRotation([1, 0, 0, 0, 1, 0, 0, 0, -1])).to.throw(/reflection/);
    expect(() => new WeakPerspectiveCamera({ scale: 1, translation: [0, 0], quaternion: [0, 0, 0, 0] })).to.throw(/cannot be normalised/);
    expect(() => new WeakPerspectiveCamera({ scale: 0, translation: [0, 0] })).to.throw(/scale must be a positive/);
  });
});
