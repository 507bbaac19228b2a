import { expect } from 'chai';
import * as fs from 'fs';
import * as path from 'path';
import { initBackend } from '../../../core/backend/backend';
import { tf } from '../../../core/backend/tf';
import {
  gaussianWindow,
  MASK_SSIM_METRIC,
  maskedSsimPerImage,
  SSIM_METRIC,
  SSIM_RADIUS,
  SSIM_WINDOW,
  ssim01,
  ssimPerImage,
} from '../../../core/metrics/ssim';
import { packageRoot } from '../../../core/paths';
import { assertClose, expectNoTensorLeak, randomArray } from '../../helpers/tensors';

/** One case of spec/fixtures/ssim/ssim-cases.json (written by scripts/make-ssim-fixtures.py). */
interface SsimCase {
  name: string;
  height: number;
  width: number;
  /** Row-major [H,W,3] in [-1,1]. */
  a: number[];
  b: number[];
  /** [H,W] in [0,1]: the expected value is then mask-SSIM. */
  mask?: number[];
  ssim: number;
  ssimPerChannel: number[];
}

const CASES: SsimCase[] = JSON.parse(
  fs.readFileSync(path.join(packageRoot(), 'spec', 'fixtures', 'ssim', 'ssim-cases.json'), 'utf8'),
).cases;

const image = (values: ArrayLike<number>, h: number, w: number, c = 3) =>
  tf.tensor4d(Float32Array.from(values), [1, h, w, c]);

/** The error a promise rejects with (fails the test if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  return expect.fail('expected a rejection');
}

async function fixtureValue(c: SsimCase): Promise<number> {
  const a = image(c.a, c.height, c.width);
  const b = image(c.b, c.height, c.width);
  const m = c.mask ? image(c.mask, c.height, c.width, 1) : null;
  try {
    return (m ? await maskedSsimPerImage(a, b, m) : await ssimPerImage(a, b))[0];
  } finally {
    tf.dispose([a, b, ...(m ? [m] : [])]);
  }
}

describe('core/metrics/ssim', () => {
  before(async () => {
    await initBackend('cpu');
  });

  it("uses scipy's 11-tap Gaussian of sigma 1.5 (truncate 3.5)", () => {
    expect(SSIM_RADIUS).to.equal(5);
    expect(SSIM_WINDOW).to.equal(11);
    const w = gaussianWindow();
    expect(w.length).to.equal(11);
    expect(w.reduce((s, v) => s + v, 0)).to.be.closeTo(1, 1e-15);
    // exp(-x^2 / 4.5) / sum, from scipy.ndimage._gaussian_kernel1d(1.5, 0, 5)
    expect(w[5]).to.be.closeTo(0.266011725, 1e-9);
    expect(w[0]).to.be.closeTo(0.00102838008, 1e-11);
    expect(w[4]).to.equal(w[6]);
  });

  it('has fixtures from skimage for each kind of case', () => {
    expect(CASES.map((c) => c.name)).to.deep.equal([
      'noise-vs-blurred-24x20',
      'gradient-vs-shifted-32x16',
      'masked-20x18',
      'smallest-11x13',
    ]);
  });

  for (const c of CASES) {
    it(`matches skimage's structural_similarity to 1e-5: ${c.name}`, async () => {
      const value = await fixtureValue(c);
      expect(Math.abs(value - c.ssim), `got ${value}, skimage ${c.ssim}`).to.be.at.most(1e-5);
    });
  }

  it("matches skimage's per-channel values (the mean over channels is the final value)", async () => {
    const c = CASES[0];
    for (let ch = 0; ch < 3; ch++) {
      const pick = (v: number[]) => v.filter((_, i) => i % 3 === ch).map((x) => (x + 1) / 2);
      const a = image(pick(c.a), c.height, c.width, 1);
      const b = image(pick(c.b), c.height, c.width, 1);
      const s = ssim01(a, b);
      expect(Math.abs(s.dataSync()[0] - c.ssimPerChannel[ch])).to.be.at.most(1e-5);
      tf.dispose([a, b, s]);
    }
  });

  it('gives per-image values for a batch, the same as one image at a time', async () => {
    const [c0, c1] = [CASES[0], CASES[0]];
    // Two different pairs of one size: case 0 and case 0 with its images swapped and b inverted.
    const inverted = c1.b.map((v) => -v);
    const a = tf.tensor4d(Float32Array.from([...c0.a, ...c1.a]), [2, c0.height, c0.width, 3]);
    const b = tf.tensor4d(Float32Array.from([...c0.b, ...inverted]), [2, c0.height, c0.width, 3]);
    const batch = await ssimPerImage(a, b);
    const single = image(c1.a, c1.height, c1.width);
    const singleB = image(inverted, c1.height, c1.width);
    const second = (await ssimPerImage(single, singleB))[0];
    expect(batch).to.have.length(2);
    expect(Math.abs(batch[0] - c0.ssim)).to.be.at.most(1e-5);
    expect(batch[1]).to.be.closeTo(second, 1e-6);
    expect(batch[1]).to.not.be.closeTo(batch[0], 1e-2);
    tf.dispose([a, b, single, singleB]);
  });

  it('is 1 for identical images and symmetric in its arguments', async () => {
    const a = tf.tensor4d(randomArray(2 * 16 * 14 * 3, 5), [2, 16, 14, 3]);
    const b = tf.tensor4d(randomArray(2 * 16 * 14 * 3, 6), [2, 16, 14, 3]);
    assertClose(await ssimPerImage(a, a), [1, 1], { atol: 1e-6, rtol: 0, what: 'ssim(a, a)' });
    const ab = await ssimPerImage(a, b);
    const ba = await ssimPerImage(b, a);
    assertClose(ab, ba, { atol: 1e-7, rtol: 0, what: 'ssim(a, b) vs ssim(b, a)' });
    expect(ab.every((v) => v < 0.5)).to.equal(true);
    tf.dispose([a, b]);
  });

  it('mask-SSIM with an all-ones mask equals SSIM; with an all-zeros mask it is 1', async () => {
    const a = tf.tensor4d(randomArray(2 * 12 * 15 * 3, 7), [2, 12, 15, 3]);
    const b = tf.tensor4d(randomArray(2 * 12 * 15 * 3, 8), [2, 12, 15, 3]);
    const ones = tf.ones([2, 12, 15, 1]) as tf.Tensor4D;
    const zeros = tf.zeros([2, 12, 15, 1]) as tf.Tensor4D;
    assertClose(await maskedSsimPerImage(a, b, ones), await ssimPerImage(a, b), { atol: 1e-7, rtol: 0 });
    assertClose(await maskedSsimPerImage(a, b, zeros), [1, 1], { atol: 1e-7, rtol: 0 });
    tf.dispose([a, b, ones, zeros]);
  });

  it('serves the ssim and mask_ssim metrics from loss inputs', async () => {
    const c = CASES[2];
    const images = image(c.a, c.height, c.width);
    const renderings = image(c.b, c.height, c.width);
    const masks = image(c.mask!, c.height, c.width, 1);
    const textures = tf.zeros([1, 4, 4, 3]) as tf.Tensor4D;
    const inputs = { images, renderings, masks, textures };
    expect(SSIM_METRIC.id).to.equal('ssim');
    expect(MASK_SSIM_METRIC.id).to.equal('mask_ssim');
    expect(Math.abs((await MASK_SSIM_METRIC.compute(inputs))[0] - c.ssim)).to.be.at.most(1e-5);
    expect((await SSIM_METRIC.compute(inputs))[0]).to.be.closeTo((await ssimPerImage(images, renderings))[0], 1e-9);
    tf.dispose([images, renderings, masks, textures]);
  });

  it('leaks no tensor', async () => {
    const a = tf.tensor4d(randomArray(2 * 13 * 11 * 3, 9), [2, 13, 11, 3]);
    const b = tf.tensor4d(randomArray(2 * 13 * 11 * 3, 10), [2, 13, 11, 3]);
    const m = tf.tensor4d(randomArray(2 * 13 * 11, 11).map((v) => (v + 1) / 2), [2, 13, 11, 1]);
    await expectNoTensorLeak(() => ssimPerImage(a, b), 'ssimPerImage');
    await expectNoTensorLeak(() => maskedSsimPerImage(a, b, m), 'maskedSsimPerImage');
    await expectNoTensorLeak(() => tf.dispose(ssim01(a, b)), 'ssim01');
    tf.dispose([a, b, m]);
  });

  it('refuses images smaller than the 11x11 window and mismatched inputs', async () => {
    const small = tf.zeros([1, 10, 16, 3]) as tf.Tensor4D;
    const narrow = tf.zeros([1, 16, 10, 3]) as tf.Tensor4D;
    const ok = tf.zeros([1, 16, 16, 3]) as tf.Tensor4D;
    const gray = tf.zeros([1, 16, 16, 1]) as tf.Tensor4D;
    await expectNoTensorLeak(async () => {
      for (const x of [small, narrow]) {
        expect((await rejection(ssimPerImage(x, x))).message).to.match(/smaller than the 11x11 Gaussian window/);
      }
      expect((await rejection(ssimPerImage(ok, small))).message).to.match(/one shape/);
      expect((await rejection(ssimPerImage(gray, gray))).message).to.match(/RGB/);
      expect((await rejection(maskedSsimPerImage(ok, ok, ok))).message).to.match(/masks \[1,16,16,3\] must be \[1,16,16,1\]/);
      expect(() => ssim01(small, small)).to.throw(/at least 11 pixels on each side/);
    }, 'failed calls');
    tf.dispose([small, narrow, ok, gray]);
  });

  it('computes the same on the wasm backend', async () => {
    const c = CASES[1];
    try {
      await initBackend('wasm');
      expect(Math.abs((await fixtureValue(c)) - c.ssim)).to.be.at.most(1e-5);
    } finally {
      await initBackend('cpu');
    }
  });
});
