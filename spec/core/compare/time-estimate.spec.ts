import { expect } from 'chai';
import { guessVariantSeconds, secondsToGo } from '../../../core/compare/time-estimate';
import { compareVariants } from '../../../core/compare/variants';
import type { RetexConfig } from '../../../core/plugin/config-types';

const bird = { category: 'bird', identityNetwork: { type: 'resnet' }, loss: { type: 'weighted', terms: { reid: 5000 } } } as unknown as RetexConfig;

describe('core/compare/time-estimate', () => {
  it("guesses each variant's time from the networks its loss runs, scaled by steps and image size", () => {
    const [reid, perceptual, l1, deep] = compareVariants(bird, ['reid', 'perceptual', 'l1'], ['deep-only']).map((v) => guessVariantSeconds(v, 100, [128, 128]));
    expect(perceptual).to.be.greaterThan(reid);
    expect(reid).to.be.greaterThan(l1);
    expect(deep).to.equal(reid);
    const v = compareVariants(bird, ['reid'], [])[0];
    expect(guessVariantSeconds(v, 200, [128, 128])).to.be.closeTo(2 * reid, 1e-9);
    expect(guessVariantSeconds(v, 100, [128, 64])).to.be.closeTo(reid / 2, 1e-9);
  });

  it('scales what is left by how the finished variants compared with their guesses', () => {
    expect(secondsToGo([100, 50], [])).to.equal(150);
    expect(secondsToGo([100, 50], [{ guess: 100, seconds: 200 }])).to.equal(300);
    expect(secondsToGo([], [{ guess: 100, seconds: 50 }])).to.equal(0);
  });
});
