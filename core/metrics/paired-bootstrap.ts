import { mulberry32 } from '../random';

/**
 * A difference of means between two paired samples (a minus b, e.g. a variant minus `reid` over the
 * same test images) with its confidence interval: `lo <= diff <= hi` in the usual case.
 */
export interface DifferenceInterval {
  /** Mean of the paired differences a[i] - b[i]. */
  readonly diff: number;
  /** Lower end of the interval (95% unless asked otherwise). */
  readonly lo: number;
  /** Upper end of the interval. */
  readonly hi: number;
}

/** Options of {@link pairedBootstrap}. */
export interface PairedBootstrapOptions {
  /** Number of bootstrap resamples; default {@link DEFAULT_BOOTSTRAP_RESAMPLES}. */
  readonly resamples?: number;
  /** Seed of the resampling generator (mulberry32); default {@link DEFAULT_BOOTSTRAP_SEED}. */
  readonly seed?: number;
  /** Two-sided confidence level in (0, 1); default 0.95. */
  readonly level?: number;
}

/** Outcome of {@link signTest}. */
export interface SignTestResult {
  /** Pairs with a > b. */
  readonly wins: number;
  /** Pairs with a < b. */
  readonly losses: number;
  /** Pairs with a == b (left out of the test, as usual). */
  readonly ties: number;
  /** Two-sided exact binomial p-value of wins vs losses under p = 1/2 (1 when there are none). */
  readonly p: number;
}

export const DEFAULT_BOOTSTRAP_RESAMPLES = 2000;
export const DEFAULT_BOOTSTRAP_SEED = 1;
export const DEFAULT_BOOTSTRAP_LEVEL = 0.95;

/** A pair counts when both values are finite numbers (null, undefined and NaN drop the pair). */
function finitePairs(a: ReadonlyArray<number | null | undefined>, b: ReadonlyArray<number | null | undefined>): Array<[number, number]> {
  if (a.length !== b.length) throw new Error(`paired samples differ in length: ${a.length} vs ${b.length}`);
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (typeof x === 'number' && typeof y === 'number' && Number.isFinite(x) && Number.isFinite(y)) pairs.push([x, y]);
  }
  return pairs;
}

/** Quantile of sorted values with linear interpolation between order statistics (R's type 7). */
function quantileSorted(sorted: Float64Array, q: number): number {
  const pos = (sorted.length - 1) * q;
  const i = Math.floor(pos);
  const frac = pos - i;
  return i + 1 < sorted.length ? sorted[i] + frac * (sorted[i + 1] - sorted[i]) : sorted[i];
}

/**
 * Mean of the paired differences a[i] - b[i] with a percentile bootstrap interval: the pairs are
 * resampled with replacement `resamples` times, and the interval is the (1-level)/2 and (1+level)/2
 * quantiles of the resampled means. Resampling pairs (not each side alone) keeps the per-image
 * correlation, which is what makes a small difference between two variants detectable.
 *
 * - Deterministic: the same inputs and seed give the same interval.
 * - Pairs where either side is null, undefined or not finite are dropped.
 * - Fewer than 2 pairs: nothing to resample, so `lo = hi = diff` (a single pair's difference; NaN
 *   for no pairs). Such a degenerate interval says "no evidence", not "certain": check the count.
 * - Throws when the arrays differ in length or the options are out of range.
 */
export function pairedBootstrap(
  a: ReadonlyArray<number | null | undefined>,
  b: ReadonlyArray<number | null | undefined>,
  options: PairedBootstrapOptions = {},
): DifferenceInterval {
  const resamples = options.resamples ?? DEFAULT_BOOTSTRAP_RESAMPLES;
  const level = options.level ?? DEFAULT_BOOTSTRAP_LEVEL;
  const seed = options.seed ?? DEFAULT_BOOTSTRAP_SEED;
  if (!Number.isInteger(resamples) || resamples < 1) throw new Error(`resamples must be a positive integer, got ${resamples}`);
  if (!(level > 0 && level < 1)) throw new Error(`level must be in (0, 1), got ${level}`);
  const d = Float64Array.from(finitePairs(a, b), ([x, y]) => x - y);
  const n = d.length;
  if (n === 0) return { diff: NaN, lo: NaN, hi: NaN };
  const diff = d.reduce((s, v) => s + v, 0) / n;
  if (n < 2) return { diff, lo: diff, hi: diff };
  const random = mulberry32(seed);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += d[Math.floor(random() * n)];
    means[r] = sum / n;
  }
  means.sort();
  const tail = (1 - level) / 2;
  return { diff, lo: quantileSorted(means, tail), hi: quantileSorted(means, 1 - tail) };
}

/**
 * Sign test of paired samples: counts a > b (wins), a < b (losses) and ties, and gives the two-sided
 * exact binomial p-value of the wins among the non-tied pairs under p = 1/2, i.e.
 * min(1, 2 * P(X <= min(wins, losses))) with X ~ Binomial(wins + losses, 1/2).
 * Pairs with a missing or non-finite side are dropped, as in {@link pairedBootstrap}.
 */
export function signTest(a: ReadonlyArray<number | null | undefined>, b: ReadonlyArray<number | null | undefined>): SignTestResult {
  let wins = 0;
  let losses = 0;
  let ties = 0;
  for (const [x, y] of finitePairs(a, b)) {
    if (x > y) wins++;
    else if (x < y) losses++;
    else ties++;
  }
  const n = wins + losses;
  const k = Math.min(wins, losses);
  // Summed in log space: 2^-n underflows past n = 1074.
  let logChoose = 0;
  let tailSum = 0;
  for (let i = 0; i <= k; i++) {
    if (i > 0) logChoose += Math.log(n - i + 1) - Math.log(i);
    tailSum += Math.exp(logChoose - n * Math.LN2);
  }
  return { wins, losses, ties, p: n === 0 ? 1 : Math.min(1, 2 * tailSum) };
}
