import { SeededRandom } from '../../../core/synth/random';

/** A verification pair: two sample indices and whether they show the same person. */
export interface VerificationPair {
  readonly a: number;
  readonly b: number;
  readonly same: boolean;
}

/** Figures of a verification run (LFW's unrestricted protocol, computed on the pairs given). */
export interface VerificationResult {
  readonly pairs: number;
  readonly genuine: number;
  /** Mean over 10 folds of the accuracy at the threshold chosen on the other 9 (LFW View 2). */
  readonly accuracy: number;
  /** Area under the ROC curve of the similarity. */
  readonly auc: number;
  /** Threshold chosen on all pairs. */
  readonly threshold: number;
}

/**
 * Deterministic LFW-style pairs: every genuine pair of each identity's images (at most `perIdentity` per
 * identity), and as many impostor pairs of random images of two different identities.
 */
export function makePairs(identities: readonly number[], seed = 0, perIdentity = 20): VerificationPair[] {
  const random = SeededRandom.of(seed, 'face-pairs');
  const byId = new Map<number, number[]>();
  identities.forEach((id, i) => {
    if (id < 0) return;
    const list = byId.get(id) ?? [];
    list.push(i);
    byId.set(id, list);
  });
  const pairs: VerificationPair[] = [];
  for (const list of byId.values()) {
    let k = 0;
    for (let i = 0; i < list.length && k < perIdentity; i++) for (let j = i + 1; j < list.length && k < perIdentity; j++, k++) pairs.push({ a: list[i], b: list[j], same: true });
  }
  const ids = [...byId.keys()];
  const genuine = pairs.length;
  if (ids.length >= 2) {
    for (let n = 0; n < genuine; n++) {
      const x = random.int(ids.length);
      let y = random.int(ids.length - 1);
      if (y >= x) y++;
      const lx = byId.get(ids[x])!;
      const ly = byId.get(ids[y])!;
      pairs.push({ a: lx[random.int(lx.length)], b: ly[random.int(ly.length)], same: false });
    }
  }
  return pairs;
}

/** The threshold maximising accuracy on `scores` (pairs with a similarity each). */
function bestThreshold(scores: readonly { s: number; same: boolean }[]): number {
  const sorted = [...scores].sort((p, q) => p.s - q.s);
  const positives = sorted.filter((p) => p.same).length;
  let correct = positives; // threshold below everything: all called "same"
  let best = correct;
  let threshold = sorted.length ? sorted[0].s - 1e-6 : 0;
  for (let i = 0; i < sorted.length; i++) {
    correct += sorted[i].same ? -1 : 1;
    if (correct > best) {
      best = correct;
      threshold = i + 1 < sorted.length ? (sorted[i].s + sorted[i + 1].s) / 2 : sorted[i].s + 1e-6;
    }
  }
  return threshold;
}

/**
 * Verification figures of a similarity (e.g. the cosine of embeddings) on pairs: 10-fold accuracy as LFW's
 * protocol computes it, and the ROC AUC.
 */
export function verify(pairs: readonly VerificationPair[], similarity: (a: number, b: number) => number): VerificationResult {
  if (pairs.length < 2 || !pairs.some((p) => p.same) || !pairs.some((p) => !p.same)) {
    throw new Error(`verification needs genuine and impostor pairs (got ${pairs.length} pairs): the test split needs identities with 2+ images`);
  }
  const scores = pairs.map((p) => ({ s: similarity(p.a, p.b), same: p.same }));
  const folds = Math.min(10, scores.length);
  let accuracy = 0;
  for (let f = 0; f < folds; f++) {
    const test = scores.filter((_, i) => i % folds === f);
    const train = scores.filter((_, i) => i % folds !== f);
    const t = bestThreshold(train.length ? train : test);
    accuracy += test.filter((p) => (p.s > t) === p.same).length / test.length / folds;
  }
  const pos = scores.filter((p) => p.same).map((p) => p.s);
  const neg = scores.filter((p) => !p.same).map((p) => p.s);
  let auc = 0;
  for (const g of pos) for (const m of neg) auc += g > m ? 1 : g === m ? 0.5 : 0;
  auc /= pos.length * neg.length;
  return { pairs: pairs.length, genuine: pos.length, accuracy, auc, threshold: bestThreshold(scores) };
}
