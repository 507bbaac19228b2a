import { expect } from 'chai';
import { summariseComparison, type VariantRows } from '../../../core/compare/compare-summary';
import { lossSection } from '../../../core/cli/commands/train';
import { compareVariants, defaultAblations } from '../../../core/compare/variants';
import type { ImageMetrics } from '../../../core/metrics/evaluate-textures';
import type { RetexConfig } from '../../../core/plugin/config-types';
import { deepMerge, type Json } from '../../../registry/config/load-config';

const rows = (ssim: number[], unseen: number[]): ImageMetrics[] =>
  ssim.map((s, i) => ({ id: `img${i}`, ssim: s, mask_ssim: s, texture_unseen: unseen[i] }));

const human = {
  category: 'human',
  identityNetwork: { type: 'pcb' },
  loss: { type: 'weighted', terms: { reid: 5000, face: 1 }, reid: { stageWeights: [1, 1, 1, 1] } },
} as unknown as RetexConfig;
const bird = { category: 'bird', identityNetwork: { type: 'resnet' }, loss: { type: 'weighted', terms: { reid: 5000 } } } as unknown as RetexConfig;

describe('core/compare', () => {
  it('builds each supervision with the face term kept, and the ablations of reid', () => {
    const v = compareVariants(human, ['reid', 'perceptual', 'l1'], ['deep-only', 'no-pose-alignment', 'no-pcb', 'no-face']);
    expect(v.map((x) => x.id)).to.deep.equal(['reid', 'perceptual', 'l1', 'deep-only', 'no-pose-alignment', 'no-pcb', 'no-face']);
    const terms = (id: string) => ((v.find((x) => x.id === id)?.overrides.loss as { terms: Record<string, number> }).terms);
    // What a variant trains with is its overrides merged into the category's config, as retex merges them.
    const merged = (id: string) => {
      const over = v.find((x) => x.id === id)?.overrides as Json;
      const loss = (deepMerge(human as unknown as Json, over) as { loss: { terms: Record<string, number> } }).loss;
      return Object.fromEntries(Object.entries(loss.terms).filter(([, w]) => w > 0));
    };
    expect(merged('reid')).to.deep.equal({ face: 1, reid: 5000 });
    expect(merged('perceptual')).to.deep.equal({ face: 1, perceptual: 5000 });
    expect(merged('l1')).to.deep.equal({ face: 1, l1: 1 });
    expect(merged('no-face')).to.deep.equal({ reid: 5000 });
    expect(merged('deep-only')).to.deep.equal({ face: 1, reid: 5000 });
    expect(terms('perceptual')).to.include({ reid: 0, l1: 0 });
    const deep = v.find((x) => x.id === 'deep-only')?.overrides.loss as { reid: { stages: string; stageWeights: number[] } };
    expect(deep.reid).to.deep.equal({ stageWeights: [1, 1, 1, 1], stages: 'last' });
    expect(v.find((x) => x.id === 'no-pcb')?.overrides.identityNetwork).to.deep.equal({ type: 'resnet' });
    expect(v.find((x) => x.id === 'no-pose-alignment')?.randomPoses).to.equal(true);
  });

  it('retex train --loss trains with that supervision alone once its section is merged into the config', () => {
    for (const loss of ['perceptual', 'l1'] as const) {
      const merged = (deepMerge(human as unknown as Json, { loss: lossSection(human, loss) }) as { loss: { terms: Record<string, number> } }).loss.terms;
      expect(Object.fromEntries(Object.entries(merged).filter(([, w]) => w > 0)), loss).to.deep.equal({ face: 1, [loss]: loss === 'l1' ? 1 : 5000 });
    }
  });

  it('refuses ablations that do not apply, and leaves them out by default', () => {
    expect(() => compareVariants(bird, ['reid'], ['no-pcb'])).to.throw(/bird identity network is 'resnet'/);
    expect(() => compareVariants(bird, ['reid'], ['no-face'])).to.throw(/does not have/);
    expect(defaultAblations(bird)).to.deep.equal(['deep-only', 'no-pose-alignment']);
    expect(defaultAblations(human)).to.deep.equal(['deep-only', 'no-pose-alignment', 'no-pcb', 'no-face']);
  });

  it('summarises means, paired differences from reid with intervals, and the best per column by its direction', () => {
    const variants: VariantRows[] = [
      { id: 'reid', label: 'reid', rows: rows([0.8, 0.7, 0.9], [0.2, 0.3, 0.1]), curve: [] },
      { id: 'l1', label: 'l1', rows: rows([0.85, 0.75, 0.95], [0.25, 0.35, 0.15]), curve: [] },
    ];
    const s = summariseComparison(variants, { category: 'human', method: 'train', budget: 10, images: 3 });
    expect(s.metrics.map((m) => m.key)).to.deep.equal(['ssim', 'mask_ssim', 'texture_unseen']);
    expect(s.best).to.deep.equal({ ssim: 'l1', mask_ssim: 'l1', texture_unseen: 'reid' });
    const l1 = s.variants[1];
    expect(l1.vsReid?.ssim?.diff).to.be.closeTo(0.05, 1e-9);
    expect(l1.vsReid?.ssim?.lo).to.be.closeTo(0.05, 1e-9);
    expect(l1.signVsReid?.texture_unseen).to.include({ wins: 3, losses: 0 });
    expect(s.variants[0].vsReid).to.equal(undefined);
  });

  it('refuses variants scored on different images', () => {
    const variants: VariantRows[] = [
      { id: 'reid', label: 'reid', rows: rows([0.8, 0.7], [0.2, 0.3]), curve: [] },
      { id: 'l1', label: 'l1', rows: rows([0.8], [0.2]), curve: [] },
    ];
    expect(() => summariseComparison(variants, { category: 'human', method: 'train', budget: 1, images: 2 })).to.throw(/other images than reid/);
  });
});
