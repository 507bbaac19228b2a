import { expect } from 'chai';
import { tf } from '../../../core/backend/tf';
import type { IdentityNetwork } from '../../../core/interfaces/identity-network';
import type { LossInputs } from '../../../core/interfaces/loss';
import { featureDistance, resolveStages } from '../../../core/losses/feature-distance';
import { FeatureTerm, PixelL1Term, RegionTerm } from '../../../core/losses/loss-terms';
import { WeightedLoss } from '../../../core/losses/weighted-loss';
import { ReidNetwork } from '../../../core/nn/reid-network';
import { assertClose, expectGradientMatchesFiniteDifferences, expectNoTensorLeak, randomArray } from '../../helpers/tensors';

const TINY = { depth: 18 as const, width: 0.125, inputSize: [64, 32] as [number, number], stripes: 4, localDim: 8, numClasses: 5 };

/** Loss inputs of B images of HxW with textures of ThxTw (the caller disposes them). */
function inputs(b: number, h: number, w: number, th = 4, tw = 4, seed = 1): LossInputs {
  return {
    images: tf.tensor4d(randomArray(b * h * w * 3, seed), [b, h, w, 3]),
    renderings: tf.tensor4d(randomArray(b * h * w * 3, seed + 1), [b, h, w, 3]),
    textures: tf.tensor4d(randomArray(b * th * tw * 3, seed + 2), [b, th, tw, 3]),
    masks: tf.ones([b, h, w, 1]) as tf.Tensor4D,
  };
}

function disposeInputs(x: LossInputs): void {
  tf.dispose([x.images, x.renderings, x.textures, x.masks]);
}

describe('core/losses', () => {
  it("computes the authors' feature distance: L2-normalised flattened stages, MSE over batch x D, weighted sum", async () => {
    const a = [tf.tensor2d([[3, 4]]), tf.tensor3d([[[1], [0]]])];
    const b = [tf.tensor2d([[4, 3]]), tf.tensor3d([[[0], [2]]])];
    // Stage 0: (0.6,0.8) vs (0.8,0.6): (0.04 + 0.04) / 2 = 0.04. Stage 1: (1,0) vs (0,1): (1 + 1) / 2 = 1.
    await expectNoTensorLeak(() => tf.dispose(featureDistance(a, b)), 'featureDistance');
    const d = featureDistance(a, b);
    assertClose(d, [1.04]);
    const weighted = featureDistance(a, b, { stageWeights: [2, 0.5] });
    assertClose(weighted, [0.08 + 0.5]);
    const deep = featureDistance(a, b, { stages: [1] });
    assertClose(deep, [1]);
    // Without normalisation: stage 0 (1 + 1) / 2 = 1; stage 1 (1 + 4) / 2 = 2.5.
    const raw = featureDistance(a, b, { normalise: false });
    assertClose(raw, [3.5]);
    tf.dispose([...a, ...b, d, weighted, deep, raw]);
  });

  it('refuses stages the network does not have and weights that do not fit', () => {
    expect(() => resolveStages({ stages: [4] }, 4)).to.throw(/stage 4 does not exist: the network has stages 0\.\.3/);
    expect(() => resolveStages({ stageWeights: [1, 1] }, 4)).to.throw(/stageWeights must hold 4/);
    expect(() => resolveStages({ stageWeights: [1, 1, -1, 1] }, 4)).to.throw(/non-negative/);
    expect(resolveStages({}, 4)).to.deep.equal({ stages: [0, 1, 2, 3], weights: [1, 1, 1, 1] });
  });

  it('a feature term differentiates w.r.t. the rendering as finite differences do (smooth stand-in network)', () => {
    // A smooth network isolates the loss's own gradient (normalisation, MSE, stage weights) from the ReLU
    // kinks of a random re-ID net, whose gradient core/nn/reid-network's spec checks.
    const smooth: IdentityNetwork = {
      id: 'smooth',
      inputSize: [8, 4],
      stageNames: ['a', 'b'],
      features: (im) => [tf.tanh(im), tf.avgPool(tf.square(im), 2, 2, 'valid')],
      dispose: () => undefined,
    };
    const term = new FeatureTerm('reid', smooth, { stageWeights: [1, 3] });
    const x = inputs(2, 8, 4);
    expectGradientMatchesFiniteDifferences((r) => term.compute({ ...x, renderings: r as tf.Tensor4D }), x.renderings, { what: 'feature term' });
    disposeInputs(x);
  });

  it('the reid term over a PCB net: no tensor leak, and cached photo features give the same value', async () => {
    const term = new FeatureTerm('reid', new ReidNetwork({ ...TINY, arch: 'pcb' }));
    const x = inputs(2, 64, 32);
    const value = await expectNoTensorLeak(() => {
      const v = term.compute(x);
      const out = v.dataSync()[0];
      v.dispose();
      return out;
    }, 'reid term');
    expect(value).to.be.greaterThan(0);
    const cached = term.imageFeatures(x.images);
    const withCache = term.compute({ ...x, imageFeatures: { reid: cached } });
    assertClose(withCache, [value], { rtol: 1e-5 });
    tf.dispose([...cached, withCache]);
    disposeInputs(x);
    term.dispose();
  });

  it('the l1 term is the mean absolute pixel difference, with the matching gradient', async () => {
    const x = inputs(2, 8, 4);
    const term = new PixelL1Term();
    await expectNoTensorLeak(() => tf.dispose(term.compute(x)), 'l1 term');
    const v = term.compute(x);
    const a = Array.from(x.images.dataSync());
    const b = x.renderings.dataSync();
    assertClose(v, [a.reduce((s, ai, i) => s + Math.abs(b[i] - ai), 0) / a.length]);
    expectGradientMatchesFiniteDifferences((r) => term.compute({ ...x, renderings: r as tf.Tensor4D }), x.renderings, { eps: 1e-4, what: 'l1 term' });
    tf.dispose(v);
    disposeInputs(x);
  });

  it('the face term is the MSE inside the UV mask averaged over all texels, against the reference each sample names', async () => {
    const mask = Float32Array.from({ length: 16 }, (_, i) => (i < 4 ? 1 : 0));
    const refs = [new Float32Array(48).fill(0.5), new Float32Array(48).fill(-0.5)];
    const term = new RegionTerm(mask, refs, [4, 4]);
    const textures = tf.zeros([2, 4, 4, 3]) as tf.Tensor4D;
    const x = { ...inputs(2, 8, 4), textures };
    // Sample 0 vs reference 1, sample 1 vs reference 0: 12 masked elements of 0.25 each over 96 elements.
    const referenceIndices = tf.tensor1d([1, 0], 'int32');
    await expectNoTensorLeak(() => tf.dispose(term.compute({ ...x, referenceIndices })), 'face term');
    const v = term.compute({ ...x, referenceIndices });
    assertClose(v, [(24 * 0.25) / 96]);
    expect(term.referenceCount).to.equal(2);
    const moved = tf.tensor4d(randomArray(96, 5), [2, 4, 4, 3]);
    expectGradientMatchesFiniteDifferences((t) => term.compute({ ...x, textures: t as tf.Tensor4D }), moved, { what: 'face term' });
    expect(() => new RegionTerm(new Float32Array(3), refs, [4, 4])).to.throw(/mask has 3 texels, expected 4x4/);
    expect(() => new RegionTerm(mask, [], [4, 4])).to.throw(/no reference textures/);
    tf.dispose([v, moved, referenceIndices]);
    disposeInputs(x);
    term.dispose();
  });

  it('a weighted loss sums weight x term and reports each term unweighted', async () => {
    const x = inputs(1, 8, 4);
    const loss = new WeightedLoss([{ term: new PixelL1Term(), weight: 3 }]);
    const { total, terms } = await expectNoTensorLeak(() => {
      const b = loss.breakdown(x);
      const out = { total: b.total.dataSync()[0], terms: Object.fromEntries(Object.entries(b.terms).map(([k, t]) => [k, t.dataSync()[0]])) };
      tf.dispose([b.total, ...Object.values(b.terms)]);
      return out;
    }, 'breakdown');
    expect(total).to.be.closeTo(3 * terms.l1, 1e-6);
    expect(loss.id).to.equal('3*l1');
    expect(() => new WeightedLoss([])).to.throw(/at least one term/);
    expect(() => new WeightedLoss([{ term: new PixelL1Term(), weight: -1 }])).to.throw(/positive weight/);
    disposeInputs(x);
  });
});
