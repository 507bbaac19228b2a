import { expect } from 'chai';
import { initBackend } from '../../../../core/backend/backend';
import { tf } from '../../../../core/backend/tf';
import { PixelL1Term } from '../../../../core/losses/loss-terms';
import { WeightedLoss } from '../../../../core/losses/weighted-loss';
import { UNet } from '../../../../core/nn/unet';
import { PerspectiveCamera } from '../../../../core/renderer/perspective-camera';
import { uvSphereMesh } from '../../../../core/renderer/primitives';
import type { SparseRenderOperator } from '../../../../core/renderer/render-operator';
import { SparseRenderer } from '../../../../core/renderer/sparse-renderer';
import { hostBatchToTensors, disposeBatch } from '../../../../core/train/host-tensors';
import { batchRenderOperator, renderBatch, writeDenseTaps } from '../../../../core/train/texture/batch-render';
import { assembleBatch, removeSubject } from '../../../../core/train/texture/texture-data';
import { TextureTask } from '../../../../core/train/texture/texture-task';
import { TrainStep } from '../../../../core/train/train-step';
import { assertClose, expectGradientMatchesFiniteDifferences, randomArray } from '../../../helpers/tensors';
import type { LoadedItem } from '../../../../core/prepare/prepared-set';

const renderer = new SparseRenderer();
const [H, W] = [32, 16];
const TEX: [number, number] = [8, 8];

function sphereOperator(sampling: 'nearest' | 'bilinear', turn: number): SparseRenderOperator {
  const cam = new PerspectiveCamera({ focalLength: 40, rotation: [0.2, turn, 0], translation: [0, 0, 3.5] });
  return renderer.operator(renderer.rasterize(uvSphereMesh(8, 16, 1), cam, H, W), TEX, sampling) as SparseRenderOperator;
}

function dense(ops: readonly SparseRenderOperator[]): { taps: Int32Array; weights: Float32Array } {
  const k = ops[0].taps.tapsPerPixel;
  const taps = new Int32Array(ops.length * H * W * k);
  const weights = new Float32Array(taps.length);
  ops.forEach((op, i) => writeDenseTaps(op.taps, taps.subarray(i * H * W * k, (i + 1) * H * W * k), weights.subarray(i * H * W * k, (i + 1) * H * W * k)));
  return { taps, weights };
}

describe('core/train/texture', () => {
  for (const sampling of ['nearest', 'bilinear'] as const) {
    it(`a batch's block-diagonal operator renders each sample as its own operator does, with the transpose as gradient (${sampling})`, () => {
      const ops = [sphereOperator(sampling, 0.3), sphereOperator(sampling, 1.2), sphereOperator(sampling, -2)];
      const { taps, weights } = dense(ops);
      const batchOp = batchRenderOperator(taps, weights, 3, H, W, TEX, sampling);
      const textures = tf.tensor4d(randomArray(3 * 8 * 8 * 3, 4), [3, 8, 8, 3]);
      const together = renderBatch(batchOp, textures, H);
      const alone = tf.concat(ops.map((op, i) => op.apply(tf.slice(textures, [i, 0, 0, 0], [1, -1, -1, -1]) as tf.Tensor4D)));
      assertClose(together, alone, { atol: 1e-6 });
      expectGradientMatchesFiniteDifferences((t) => tf.sum(tf.mul(renderBatch(batchOp, t as tf.Tensor4D, H), alone)), textures, { what: 'batched render' });
      tf.dispose([textures, together, alone]);
      batchOp.dispose();
      ops.forEach((op) => op.dispose());
    });
  }

  it('refuses taps of the wrong length or outside the texture, naming the image', () => {
    expect(() => batchRenderOperator(new Int32Array(5), new Float32Array(5), 1, 2, 2, TEX, 'nearest')).to.throw(/need 4 values, got 5/);
    const taps = new Int32Array(4).fill(-1);
    taps[3] = 64;
    expect(() => batchRenderOperator(taps, new Float32Array(4), 1, 2, 2, TEX, 'nearest')).to.throw(/pixel 3 of image 0 reads texel 64/);
  });

  it('fills the subject with the background on each side of it, row by row', () => {
    // One row of 5 RGB pixels: 10, [subject], [subject], 40, 50 -> the hole interpolates 10..40.
    const px = Uint8Array.from([10, 10, 10, 99, 99, 99, 99, 99, 99, 40, 40, 40, 50, 50, 50]);
    const out = removeSubject(px, [0, 1, 1, 0, 0], 1, 5);
    expect(Array.from(out.subarray(3, 9))).to.deep.equal([20, 20, 20, 30, 30, 30]);
    // A subject touching the left edge takes the first background pixel to its right (pixel 2 here).
    const edge = removeSubject(px, [1, 1, 0, 0, 0], 1, 5);
    expect(Array.from(edge.subarray(0, 6))).to.deep.equal([99, 99, 99, 99, 99, 99]);
    expect(Array.from(removeSubject(px, [0, 0, 0, 1, 1], 1, 5).subarray(9))).to.deep.equal([99, 99, 99, 99, 99, 99]);
  });

  it('cross-view batches: the generator reads another photo of the same identity; targets stay the sample\'s own', () => {
    const ops = [sphereOperator('nearest', 0.1), sphereOperator('nearest', 1), sphereOperator('nearest', 2), sphereOperator('nearest', 3)];
    // Items 0 and 1 are one identity, 2 another, 3 a third.
    const items = ops.map((op, i) => ({ split: 'train', index: i, id: `s${i}`, identity: [7, 7, 8, 9][i], image: '', renderOperator: op })) as LoadedItem[];
    const pixels = items.map((_, i) => new Uint8Array(H * W * 3).fill(10 * (i + 1)));
    const source = { items, pixels, backgrounds: pixels, size: [H, W] as const, referenceCount: 0, features: new Map(), featureShapes: new Map() };
    const seeded = (seed: number) => () => ((seed = (seed * 9301 + 49297) % 233280) / 233280);
    const first = (values: Float32Array, i: number) => Math.round((values[i * H * W * 3] + 1) * 127.5);
    const plain = assembleBatch(source, [0, 1, 2, 3], seeded(1));
    expect(plain.generatorImages, 'no cross-view: the generator reads the photos').to.equal(undefined);
    const all = assembleBatch(source, [0, 1, 2, 3], seeded(1), 1);
    const read = all.generatorImages.values as Float32Array;
    // 0 and 1 swap photos; 2 and 3 have no other photo of their identity and keep their own.
    expect([0, 1, 2, 3].map((i) => first(read, i))).to.deep.equal([20, 10, 30, 40]);
    expect([0, 1, 2, 3].map((i) => first(all.images.values as Float32Array, i))).to.deep.equal([10, 20, 30, 40]);
    // Everything but the generator's input is the same batch as without cross-view.
    expect(Array.from(all.taps.values)).to.deep.equal(Array.from(plain.taps.values));
    ops.forEach((op) => op.dispose());
  });

  it('one training step: the U-Net gets gradients through render and composite, and nothing leaks from the second step on', async () => {
    // The wasm backend (retex's kernels) is what training runs on; the cpu backend's ResizeBilinear
    // gradient is wrong for non-square images.
    await initBackend('wasm');
    const ops = [sphereOperator('nearest', 0.1), sphereOperator('nearest', 2)];
    const items = ops.map((op, i) => ({ split: 'train', index: i, id: `s${i}`, identity: i, image: '', renderOperator: op })) as LoadedItem[];
    const pixels = items.map((_, i) => Uint8Array.from(randomArray(H * W * 3, 20 + i), (v) => Math.round((v + 1) * 127)));
    const source = { items, pixels, backgrounds: pixels, size: [H, W] as const, referenceCount: 0, features: new Map(), featureShapes: new Map() };
    const random = (() => {
      let s = 0;
      return () => ((s = (s * 9301 + 49297) % 233280) / 233280);
    })();
    const unet = new UNet({ width: 0.0625, inputSize: [H, W], textureSize: TEX });
    const task = new TextureTask(unet, new WeightedLoss([{ term: new PixelL1Term(), weight: 1 }]), 'nearest');
    const step = new TrainStep(task, { learningRate: 1e-3 });
    const counts: number[] = [];
    for (let s = 0; s < 3; s++) {
      const batch = hostBatchToTensors(assembleBatch(source, [0, 1, 0, 1], random));
      const g = step.computeGradients(batch, true);
      expect(Object.keys(g.grads).length).to.equal(task.trainableVariables().length);
      expect(Object.values(g.grads).some((t) => tf.tidy(() => t.abs().max().dataSync()[0]) > 0)).to.equal(true);
      expect(task.lossTerms().l1).to.be.greaterThan(0);
      step.applyGradients(g.grads);
      g.dispose();
      disposeBatch(batch);
      counts.push(tf.memory().numTensors);
    }
    expect(counts[2]).to.equal(counts[1]);
    task.dispose();
    ops.forEach((op) => op.dispose());
    await initBackend('cpu');
  });
});
