import { expect } from 'chai';
import type { Sample } from '../../../core/interfaces/dataset';
import { PkBatchSampler } from '../../../core/data/pk-batch-sampler';

/** counts[i] images of species i, plus one distractor (identity -1). */
function samples(counts: number[]): Sample[] {
  const out: Sample[] = counts.flatMap((n, species) =>
    Array.from({ length: n }, (_, k) => ({ id: `s${species}/img${k}`, identity: species, imagePath: `/x/s${species}/${k}.jpg`, annotations: {} })),
  );
  out.push({ id: 'distractor', identity: -1, imagePath: '/x/d.jpg', annotations: {} });
  return out;
}

describe('core/data/pk-batch-sampler (P x K batching; species as identities here)', () => {
  const sampler = new PkBatchSampler('species');
  const all = samples([8, 8, 8, 8, 5, 3, 12]);

  it('yields batches of P species x K images of one species each, never a distractor', () => {
    const batches = [...sampler.batches(all, 4, 4, 7)];
    expect(batches.length).to.be.greaterThan(2);
    for (const batch of batches) {
      expect(batch).to.have.length(16);
      const species = [0, 4, 8, 12].map((o) => batch[o].identity);
      expect(new Set(species).size, 'P distinct species').to.equal(4);
      for (let p = 0; p < 4; p++) for (let k = 0; k < 4; k++) expect(batch[4 * p + k].identity).to.equal(species[p]);
      expect(batch.some((s) => s.identity < 0)).to.equal(false);
    }
  });

  it('uses every image of an epoch at most once, except to top up a short species group', () => {
    const batches = [...sampler.batches(all, 2, 4, 3)];
    const seen = new Map<string, number>();
    for (const b of batches) for (const s of b) seen.set(s.id, (seen.get(s.id) ?? 0) + 1);
    for (const [id, n] of seen) {
      const species = Number(id.slice(1, id.indexOf('/')));
      // Species 4 (5 images) and 5 (3 images) are topped up by repeats; the others never repeat.
      if (species !== 4 && species !== 5) expect(n, id).to.equal(1);
    }
    // With P = 2 every group but at most P - 1 is used: 2+2+2+2+2+1+3 = 14 groups, so 7 batches.
    expect(batches.length).to.equal(7);
  });

  it('is deterministic for a seed, differs between seeds, and ignores the input order', () => {
    const ids = (seed: number, input: Sample[]) => [...sampler.batches(input, 3, 2, seed)].map((b) => b.map((s) => s.id).join(','));
    expect(ids(5, all)).to.deep.equal(ids(5, all));
    expect(ids(5, [...all].reverse())).to.deep.equal(ids(5, all));
    expect(ids(6, all)).to.not.deep.equal(ids(5, all));
  });

  it('explains when there are fewer species than P, and rejects non-positive P or K', () => {
    expect(() => [...sampler.batches(samples([3, 3]), 4, 4, 0)]).to.throw(/at least P = 4 species, but the samples hold 2/);
    expect(() => [...sampler.batches(all, 0, 4, 0)]).to.throw(/positive integers/);
  });
});
