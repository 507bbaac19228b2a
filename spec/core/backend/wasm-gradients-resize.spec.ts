import { expect } from 'chai';
import { initBackend } from '../../../core/backend/backend';
import { tf } from '../../../core/backend/tf';
import { assertClose, randomArray } from '../../helpers/tensors';
import { gradsOn } from './wasm-gradient-parity';

/**
 * The cpu backend cannot be the reference here: its ResizeBilinearGrad throws on non-square images and
 * is wrong with halfPixelCenters, and its ResizeNearestNeighborGrad is wrong for batch > 1 (checked
 * on tfjs 4.22). Resizing is linear, so the exact gradient is the adjoint of the forward resize:
 * dx[b, p] = <resize(e_p), dy[b]>, where e_p is the one-hot image of input element p. The forward
 * resize of all one-hot images runs as one batch on cpu.
 */
async function adjointGradient(
  resize: (images: tf.Tensor4D) => tf.Tensor4D,
  [b, h, w, c]: number[],
  dy: Float32Array,
): Promise<Float32Array> {
  await initBackend('cpu');
  const n = h * w * c;
  const columns = tf.tidy(() => {
    const basis = tf.oneHot(tf.range(0, n, 1, 'int32'), n).reshape([n, h, w, c]).cast('float32') as tf.Tensor4D;
    return resize(basis).dataSync() as Float32Array;
  });
  const per = columns.length / n;
  const dx = new Float32Array(b * n);
  for (let img = 0; img < b; img++) {
    for (let p = 0; p < n; p++) {
      let sum = 0;
      for (let q = 0; q < per; q++) sum += columns[p * per + q] * dy[img * per + q];
      dx[img * n + p] = sum;
    }
  }
  return dx;
}

const SIZES: [number, number, number, number][] = [
  [4, 4, 8, 8], // square upsampling x2
  [8, 4, 16, 8], // the U-Net's bilinear x2 on a 2:1 image
  [4, 8, 8, 16],
  [16, 8, 8, 8], // 128x64 image -> 64x64 texture, scaled down 8x
  [8, 4, 6, 3], // non-integer ratio
  [5, 3, 12, 4],
];
const MODES: [boolean, boolean][] = [
  [false, false],
  [true, false],
  [false, true],
];

describe('core/backend/wasm-training: resize gradients are the adjoints of the forward resize', () => {
  after(async () => {
    await initBackend('cpu');
  });

  for (const kind of ['bilinear', 'nearest'] as const) {
    for (const [h, w, oh, ow] of SIZES) {
      for (const [alignCorners, halfPixel] of MODES) {
        const name = `${kind} ${h}x${w} -> ${oh}x${ow}, alignCorners ${alignCorners}, halfPixelCenters ${halfPixel}`;
        it(name, async () => {
          const resize = (t: tf.Tensor4D): tf.Tensor4D =>
            kind === 'bilinear'
              ? tf.image.resizeBilinear(t, [oh, ow], alignCorners, halfPixel)
              : tf.image.resizeNearestNeighbor(t, [oh, ow], alignCorners, halfPixel);
          const shape = [2, h, w, 2];
          const got = await gradsOn('wasm', (x) => resize(x as tf.Tensor4D), [{ shape }]);
          const dy = randomArray(got.value.length, 7); // the dy gradsOn used
          const ref = await adjointGradient(resize, shape, dy);
          assertClose(got.grads[0], ref, { atol: 1e-5, what: name });
        });
      }
    }
  }

  it('the U-Net upsampling gradient agrees with cpu where cpu is right (square, no half-pixel)', async () => {
    const f = (x: tf.Tensor): tf.Tensor => tf.image.resizeBilinear(x as tf.Tensor4D, [8, 8]);
    const ref = await gradsOn('cpu', f, [{ shape: [2, 4, 4, 3] }]);
    const got = await gradsOn('wasm', f, [{ shape: [2, 4, 4, 3] }]);
    assertClose(got.grads[0], ref.grads[0], { what: 'resizeBilinear 4x4 -> 8x8' });
  });

  it('rejects a dy whose batch or channels differ from the images', async () => {
    await initBackend('wasm');
    const images = tf.zeros([2, 4, 4, 3]);
    const dy = tf.zeros([2, 8, 8, 2]);
    for (const kernel of ['ResizeBilinearGrad', 'ResizeNearestNeighborGrad']) {
      expect(() => tf.engine().runKernel(kernel, { images, dy }, { alignCorners: false, halfPixelCenters: false }))
        .to.throw(/does not match images/);
    }
    tf.dispose([images, dy]);
  });
});
