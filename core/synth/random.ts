import { hashString, mulberry32 } from '../random';

/**
 * A small deterministic random source for synthetic data (mulberry32). Every image draws from its own
 * stream, seeded from the run seed and the image's index, so an image does not depend on which other
 * images were generated in the same run (a resumed run gives the same bytes).
 */
export class SeededRandom {
  /** Uniform in [0,1). */
  readonly next: () => number;

  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  /** A stream for `parts` (e.g. the run seed, a purpose tag and an index), mixed by a 32-bit hash. */
  static of(...parts: readonly (number | string)[]): SeededRandom {
    return new SeededRandom(hashString(parts.map((part) => `${part}|`).join('')));
  }

  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Standard normal (Box-Muller). */
  gaussian(): number {
    return Math.sqrt(-2 * Math.log(1 - this.next())) * Math.cos(2 * Math.PI * this.next());
  }
}
