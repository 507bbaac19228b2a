import type { BatchSampler, Sample } from '../interfaces/dataset';
import { mulberry32, shuffle } from '../random';

/**
 * The method's P x K batching (4 identities x 4 images): each batch holds `identities` (P) identities
 * (people; for birds, species) with `perIdentity` (K) images each, in P runs of K. One pass (an epoch)
 * shuffles each identity's images and cuts them into groups of K; a short last group, or an identity
 * with fewer than K images, is topped up by drawing that identity's images again. Batches then take one
 * group from each of P identities chosen at random among those with groups left, until fewer than P
 * remain. Samples with identity < 0 (junk, distractors) are never used. Deterministic for a seed and
 * independent of the input order.
 */
export class PkBatchSampler implements BatchSampler {
  /** @param noun what an identity is, for error messages (e.g. `species`). */
  constructor(private readonly noun = 'identities') {}

  *batches(samples: readonly Sample[], identities: number, perIdentity: number, seed: number): Iterable<readonly Sample[]> {
    if (!Number.isInteger(identities) || identities < 1 || !Number.isInteger(perIdentity) || perIdentity < 1) {
      throw new Error(`P x K batching needs positive integers, got P = ${identities}, K = ${perIdentity}`);
    }
    const random = mulberry32(seed);
    const byIdentity = new Map<number, Sample[]>();
    for (const s of samples) {
      if (s.identity < 0) continue;
      const list = byIdentity.get(s.identity);
      if (list) list.push(s);
      else byIdentity.set(s.identity, [s]);
    }
    if (byIdentity.size < identities) {
      throw new Error(
        `P x K batching needs at least P = ${identities} ${this.noun}, but the samples hold ${byIdentity.size}: ` +
          'lower train.identitiesPerBatch or use a larger split',
      );
    }
    const groups = new Map<number, Sample[][]>();
    for (const id of [...byIdentity.keys()].sort((a, b) => a - b)) {
      const sorted = [...(byIdentity.get(id) as Sample[])].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const images = shuffle(sorted, random);
      const list: Sample[][] = [];
      for (let i = 0; i < images.length; i += perIdentity) {
        const group = images.slice(i, i + perIdentity);
        while (group.length < perIdentity) group.push(images[Math.floor(random() * images.length)]);
        list.push(group);
      }
      groups.set(id, list);
    }
    for (;;) {
      const available = [...groups.keys()].filter((k) => (groups.get(k) as Sample[][]).length > 0);
      if (available.length < identities) return;
      const chosen = shuffle(available, random).slice(0, identities);
      yield chosen.flatMap((k) => (groups.get(k) as Sample[][]).pop() as Sample[]);
    }
  }
}

/**
 * The endless sequence of P x K batches of a training run, as indices into `samples`: epoch e is drawn
 * with seed `seed * 7919 + e`, so batch n is the same in every run (a resumed run replays the sequence up
 * to its step).
 */
export function* pkBatchSequence(samples: readonly Sample[], identities: number, perIdentity: number, seed: number): Generator<readonly number[]> {
  const index = new Map(samples.map((s, i) => [s, i]));
  const sampler = new PkBatchSampler();
  for (let epoch = 0; ; epoch++) {
    let any = false;
    for (const batch of sampler.batches(samples, identities, perIdentity, seed * 7919 + epoch)) {
      any = true;
      yield batch.map((s) => index.get(s) as number);
    }
    if (!any) throw new Error('the P x K sampler produced no batch: fewer identities with images than identities per batch');
  }
}
