import { expect } from 'chai';
import { initBackend } from '../../../core/backend/backend';
import { tf } from '../../../core/backend/tf';
import { composite } from '../../../core/renderer/composite';
import { PerspectiveCamera } from '../../../core/renderer/perspective-camera';
import { quadMesh, uvSphereMesh } from '../../../core/renderer/primitives';
import { SparseRenderer } from '../../../core/renderer/sparse-renderer';
import { sampleWithTaps } from '../../../core/renderer/texel-taps';
import { WeakPerspectiveCamera } from '../../../core/renderer/weak-perspective-camera';
import { assertClose, expectNoTensorLeak, randomArray } from '../../helpers/tensors';

const renderer = new SparseRenderer();
const screen = new WeakPerspectiveCamera({ scale: 1, translation: [0, 0] });
const fullQuad = quadMesh([[-1, -1, 0], [-1, 1, 0], [1, 1, 0], [1, -1, 0]]);

/** A sphere seen in perspective: a realistic operator with magnified and minified regions and a background. */
function sphereOperator(sampling: 'nearest' | 'bilinear', size: [number, number] = [24, 20], tex: [number, number] = [8, 12]) {
  const cam = new PerspectiveCamera({ focalLength: 30, rotation: [0.3, 0.5, 0.1], translation: [0, 0, 3.2] });
  const frag = renderer.rasterize(uvSphereMesh(10, 20, 1), cam, size[0], size[1]);
  return renderer.operator(frag, tex, sampling);
}

describe('core/renderer/render-operator', () => {
  before(async () => {
    await initBackend('cpu');
  });

  it('nearest: a quad filling the image reproduces the texture exactly', async () => {
    const [h, w] = [6, 10];
    const op = renderer.operator(renderer.rasterize(fullQuad, screen, h, w), [h, w], 'nearest');
    const texture = tf.tensor4d(randomArray(2 * h * w * 3, 3), [2, h, w, 3]);
    const image = op.apply(texture);
    expect(image.shape).to.deep.equal([2, h, w, 3]);
    expect(Array.from(image.dataSync())).to.deep.equal(Array.from(texture.dataSync()));
    expect(Array.from(op.mask).every((m) => m === 1)).to.equal(true);
    tf.dispose([texture, image]);
    op.dispose();
  });

  it('nearest: magnifying 2x repeats each texel in a 2x2 block', () => {
    const op = renderer.operator(renderer.rasterize(fullQuad, screen, 8, 8), [4, 4], 'nearest');
    const texture = tf.tensor4d(Float32Array.from({ length: 48 }, (_, i) => i), [1, 4, 4, 3]);
    const image = op.apply(texture);
    const expected = tf.tidy(() => tf.image.resizeNearestNeighbor(texture, [8, 8]));
    assertClose(image, expected, { atol: 0 });
    tf.dispose([texture, image, expected]);
    op.dispose();
  });

  it('bilinear: a texture linear in (u, v) is reproduced exactly between the border texel centres', () => {
    const [th, tw] = [5, 7];
    const [h, w] = [20, 28];
    const op = renderer.operator(renderer.rasterize(fullQuad, screen, h, w), [th, tw], 'bilinear');
    // Texel (r, c) holds 3*x + 2*y with x = c, y = r its texel coordinates (centres at integers).
    const texel = new Float32Array(th * tw * 3);
    for (let r = 0; r < th; r++) for (let c = 0; c < tw; c++) for (let k = 0; k < 3; k++) texel[(r * tw + c) * 3 + k] = 3 * c + 2 * r + k;
    const texture = tf.tensor4d(texel, [1, th, tw, 3]);
    const image = op.apply(texture).dataSync();
    let checked = 0;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const tx = ((x + 0.5) / w) * tw - 0.5;
        const ty = ((y + 0.5) / h) * th - 0.5;
        if (tx < 0 || ty < 0 || tx > tw - 1 || ty > th - 1) continue;
        expect(image[(y * w + x) * 3 + 1]).to.be.closeTo(3 * tx + 2 * ty + 1, 1e-4);
        checked++;
      }
    }
    expect(checked).to.be.greaterThan(300);
    texture.dispose();
    op.dispose();
  });

  it('apply matches the CPU reference sampler on a sphere, and is zero outside the mask', () => {
    for (const sampling of ['nearest', 'bilinear'] as const) {
      const op = sphereOperator(sampling);
      const data = randomArray(8 * 12 * 3, 5);
      const texture = tf.tensor4d(data, [1, 8, 12, 3]);
      const image = op.apply(texture);
      const reference = sampleWithTaps(op.taps, data, 3);
      assertClose(image, reference, { atol: 1e-6, what: sampling });
      const values = image.dataSync();
      op.mask.forEach((m, p) => {
        if (m === 0) expect([values[3 * p], values[3 * p + 1], values[3 * p + 2]]).to.deep.equal([0, 0, 0]);
      });
      expect(op.coveredPixels).to.be.within(100, 24 * 20 - 1);
      tf.dispose([texture, image]);
      op.dispose();
    }
  });

  it('adjoint test: <A t, y> = <t, A^T y> with A^T y from tf.grad', () => {
    for (const sampling of ['nearest', 'bilinear'] as const) {
      const op = sphereOperator(sampling);
      const t = tf.tensor4d(randomArray(2 * 8 * 12 * 3, 11), [2, 8, 12, 3]);
      const y = tf.tensor4d(randomArray(2 * 24 * 20 * 3, 12), [2, 24, 20, 3]);
      const lhs = tf.tidy(() => tf.sum(tf.mul(op.apply(t), y)).dataSync()[0]);
      const grad = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(op.apply(x as tf.Tensor4D), y)));
      const aty = grad(t);
      const rhs = tf.tidy(() => tf.sum(tf.mul(t, aty)).dataSync()[0]);
      expect(rhs, sampling).to.be.closeTo(lhs, 1e-4 * Math.max(1, Math.abs(lhs)));
      // And A^T y itself against the transpose assembled from the taps.
      const expected = new Float32Array(2 * 8 * 12 * 3);
      const yd = y.dataSync();
      const { pixels, taps, weights, tapsPerPixel: k } = op.taps;
      for (let b = 0; b < 2; b++) {
        for (let n = 0; n < pixels.length; n++) {
          for (let j = 0; j < k; j++) {
            for (let c = 0; c < 3; c++) {
              expected[(b * 96 + taps[n * k + j]) * 3 + c] += weights[n * k + j] * yd[(b * 480 + pixels[n]) * 3 + c];
            }
          }
        }
      }
      assertClose(aty, expected, { atol: 1e-5, what: `A^T y (${sampling})` });
      tf.dispose([t, y, aty]);
      op.dispose();
    }
  });

  it('the gradient of a nonlinear loss through apply matches central finite differences', () => {
    const op = sphereOperator('bilinear', [16, 16], [4, 6]);
    const loss = (x: tf.Tensor): tf.Scalar => tf.sum(tf.square(tf.sin(op.apply(x as tf.Tensor4D))));
    const data = randomArray(4 * 6 * 3, 21);
    const t = tf.tensor4d(data, [1, 4, 6, 3]);
    const g = tf.grad(loss)(t);
    const gd = g.dataSync();
    const eps = 1e-2;
    const numeric = new Float32Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const plus = data.slice();
      plus[i] += eps;
      const minus = data.slice();
      minus[i] -= eps;
      numeric[i] = tf.tidy(() => {
        const fp = loss(tf.tensor4d(plus, [1, 4, 6, 3])).dataSync()[0];
        const fm = loss(tf.tensor4d(minus, [1, 4, 6, 3])).dataSync()[0];
        return (fp - fm) / (2 * eps);
      });
    }
    assertClose(gd, numeric, { atol: 2e-2, rtol: 2e-2, what: 'dL/dtexture' });
    expect(Math.max(...Array.from(gd).map(Math.abs))).to.be.greaterThan(0.1);
    tf.dispose([t, g]);
    op.dispose();
  });

  it('does not leak tensors: apply, gradients and dispose; a first apply inside tf.tidy keeps its constants', async () => {
    const op = sphereOperator('bilinear');
    const t = tf.tensor4d(randomArray(8 * 12 * 3, 2), [1, 8, 12, 3]);
    await expectNoTensorLeak(() => {
      tf.tidy(() => {
        op.apply(t);
        tf.grad((x: tf.Tensor) => tf.sum(op.apply(x as tf.Tensor4D)))(t);
      });
      // Cached constants survived the tidy and still work.
      const again = tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(op.apply(x as tf.Tensor4D)))(t));
      again.dispose();
      op.dispose();
    }, 'operator');
    t.dispose();
  });

  it('an operator that covers nothing renders zeros and has a zero gradient', () => {
    const away = new PerspectiveCamera({ focalLength: 30, translation: [0, 0, -5] }); // the sphere is behind the camera
    const op = renderer.operator(renderer.rasterize(uvSphereMesh(6, 8), away, 8, 8), [4, 4], 'bilinear');
    expect(op.coveredPixels).to.equal(0);
    const t = tf.ones([2, 4, 4, 3]) as tf.Tensor4D;
    const [image, grad] = tf.tidy(() => [op.apply(t), tf.grad((x: tf.Tensor) => tf.sum(op.apply(x as tf.Tensor4D)))(t)]);
    expect(image.shape).to.deep.equal([2, 8, 8, 3]);
    expect(Math.max(...Array.from(image.dataSync()), ...Array.from(grad.dataSync()))).to.equal(0);
    tf.dispose([t, image, grad]);
    op.dispose();
  });

  it('rejects a texture of the wrong size with an actionable message', () => {
    const op = sphereOperator('nearest');
    const wrong = tf.zeros([1, 4, 4, 3]) as tf.Tensor4D;
    expect(() => op.apply(wrong)).to.throw(/expects a texture \[B,8,12,C\], got \[1,4,4,3\]/);
    wrong.dispose();
    op.dispose();
  });

  it('runs on the wasm backend too (forward and gradient need no UnsortedSegmentSum), matching the cpu values', async () => {
    const cpuOp = sphereOperator('bilinear');
    const t = randomArray(2 * 8 * 12 * 3, 31);
    const y = randomArray(2 * 24 * 20 * 3, 32);
    const run = () =>
      tf.tidy(() => {
        const tt = tf.tensor4d(t, [2, 8, 12, 3]);
        const yy = tf.tensor4d(y, [2, 24, 20, 3]);
        const op = sphereOperator('bilinear');
        const image = op.apply(tt).dataSync();
        const grad = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(op.apply(x as tf.Tensor4D), yy)))(tt).dataSync();
        op.dispose();
        return { image: Float32Array.from(image), grad: Float32Array.from(grad) };
      });
    const onCpu = run();
    await initBackend('wasm');
    try {
      const before = tf.memory().numTensors;
      const onWasm = run();
      expect(tf.memory().numTensors).to.equal(before);
      assertClose(onWasm.image, onCpu.image, { atol: 1e-6, what: 'wasm image' });
      assertClose(onWasm.grad, onCpu.grad, { atol: 1e-5, what: 'wasm gradient' });
    } finally {
      await initBackend('cpu');
      cpuOp.dispose();
    }
  });

  it('composite puts the rendering inside the mask and the background outside', async () => {
    const op = sphereOperator('nearest');
    const t = tf.ones([2, 8, 12, 3]) as tf.Tensor4D;
    const bg = tf.fill([2, 24, 20, 3], -1) as tf.Tensor4D;
    await expectNoTensorLeak(() => {
      const out = tf.tidy(() => composite(op.apply(t), op.mask, bg));
      const v = out.dataSync();
      op.mask.forEach((m, p) => expect(v[3 * p]).to.equal(m === 1 ? 1 : -1));
      const viaTensor = tf.tidy(() => composite(op.apply(t), op.maskTensor(), bg));
      assertClose(viaTensor, out);
      tf.dispose([out, viaTensor]);
      op.dispose();
    }, 'composite');
    expect(() => composite(t as unknown as tf.Tensor4D, op.mask, bg)).to.throw(/does not match rendering/);
    tf.dispose([t, bg]);
  });
});
