import { expect } from 'chai';
import { pairedBootstrap, signTest } from '../../../core/metrics/paired-bootstrap';
import { mulberry32 } from '../../../core/random';

/** n values in [0,1) from a seeded generator. */
function noise(n: number, seed: number): number[] {
  const random = mulberry32(seed);
  return Array.from({ length: n }, () => random());
}

describe('core/metrics/paired-bootstrap', () => {
  describe('pairedBootstrap', () => {
    it('gives diff 0 and the interval [0, 0] for identical inputs', () => {
      const a = noise(40, 3);
      expect(pairedBootstrap(a, a.slice())).to.deep.equal({ diff: 0, lo: 0, hi: 0 });
    });

    it('recovers a constant shift with a tight interval', () => {
      const b = noise(50, 5);
      const a = b.map((v) => v + 0.25);
      const r = pairedBootstrap(a, b);
      expect(r.diff).to.be.closeTo(0.25, 1e-12);
      expect(r.lo).to.be.closeTo(0.25, 1e-12);
      expect(r.hi).to.be.closeTo(0.25, 1e-12);
    });

    it('is reproducible with a seed and varies with it', () => {
      const a = noise(30, 7);
      const b = noise(30, 8);
      const one = pairedBootstrap(a, b, { seed: 42, resamples: 500 });
      expect(pairedBootstrap(a, b, { seed: 42, resamples: 500 })).to.deep.equal(one);
      expect(pairedBootstrap(a, b, { seed: 43, resamples: 500 }).lo).to.not.equal(one.lo);
    });

    it('brackets the mean difference, and a wider level gives a wider interval', () => {
      const b = noise(60, 11);
      const jitter = noise(60, 12);
      const a = b.map((v, i) => v + 0.05 + 0.2 * (jitter[i] - 0.5));
      const r95 = pairedBootstrap(a, b);
      const r80 = pairedBootstrap(a, b, { level: 0.8 });
      expect(r95.lo).to.be.below(r95.diff);
      expect(r95.hi).to.be.above(r95.diff);
      expect(r95.lo).to.be.above(0); // a shift of 0.05 against noise of sd ~0.058 over 60 pairs
      expect(r95.hi - r95.lo).to.be.above(r80.hi - r80.lo);
      // The percentile interval is close to the normal one, mean +- 1.96 sd / sqrt(n), for this size.
      const d = a.map((v, i) => v - b[i]);
      const sd = Math.sqrt(d.reduce((s, v) => s + (v - r95.diff) ** 2, 0) / (d.length - 1));
      expect(r95.hi - r95.lo).to.be.closeTo((2 * 1.96 * sd) / Math.sqrt(d.length), 0.25 * (2 * 1.96 * sd) / Math.sqrt(d.length));
    });

    it('drops pairs with null or NaN, and degenerates below 2 pairs', () => {
      const r = pairedBootstrap([3, null, NaN, 5], [1, 2, 1, null]);
      expect(r).to.deep.equal({ diff: 2, lo: 2, hi: 2 });
      expect(pairedBootstrap([1, 2, 4], [0, null, 1])).to.deep.include({ diff: 2 });
      const none = pairedBootstrap([null], [1]);
      expect([none.diff, none.lo, none.hi].every(Number.isNaN)).to.equal(true);
      expect(() => pairedBootstrap([1, 2], [1])).to.throw(/length/);
      expect(() => pairedBootstrap([1, 2], [1, 2], { level: 1 })).to.throw(/level/);
    });
  });

  describe('signTest', () => {
    const pairs = (wins: number, losses: number, ties = 0): [number[], number[]] => [
      [...Array(wins).fill(1), ...Array(losses).fill(0), ...Array(ties).fill(0.5)],
      [...Array(wins).fill(0), ...Array(losses).fill(1), ...Array(ties).fill(0.5)],
    ];

    it('matches exact two-sided binomial p-values', () => {
      expect(signTest(...pairs(10, 0))).to.deep.equal({ wins: 10, losses: 0, ties: 0, p: 2 / 1024 });
      expect(signTest(...pairs(0, 10)).p).to.be.closeTo(2 / 1024, 1e-15);
      expect(signTest(...pairs(8, 2)).p).to.be.closeTo(112 / 1024, 1e-12); // 2 * (1 + 10 + 45) / 2^10
      expect(signTest(...pairs(7, 13)).p).to.be.closeTo(0.2631759643554688, 1e-12); // scipy binomtest(7, 20)
      expect(signTest(...pairs(5, 5)).p).to.equal(1);
    });

    it('leaves ties and missing pairs out of the test', () => {
      const [a, b] = pairs(10, 0, 4);
      expect(signTest([...a, null], [...b, 3])).to.deep.equal({ wins: 10, losses: 0, ties: 4, p: 2 / 1024 });
      expect(signTest([], [])).to.deep.equal({ wins: 0, losses: 0, ties: 0, p: 1 });
    });

    it('stays finite for large samples', () => {
      const r = signTest(...pairs(1200, 1000));
      expect(r.p).to.be.greaterThan(0).and.lessThan(1e-4);
    });
  });
});
