import type { BatchSampler, Sample } from '../../../core/interfaces/dataset';
import { mulberry32 } from '../predictors/seeded-random';

function shuffle<T>(items: T[], rand: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/**
 * Identity-balanced P x K batches (the method: 4 identities x 4 images), as re-ID training samples them:
 * each identity's images are shuffled and cut into groups of K (an identity with fewer than K images is
 * filled up by drawing its images again, with replacement; leftovers short of K are dropped); batches take
 * one group from each of P different identities chosen at random, until fewer than P identities have groups
 * left. Samples with identity < 0 (distractors) are skipped. The same seed gives the same batches.
 */
export class IdentityBatchSampler implements BatchSampler {
  *batches(samples: readonly Sample[], identities: number, perIdentity: number, seed: number): Iterable<readonly Sample[]> {
    if (!Number.isInteger(identities) || identities < 1 || !Number.isInteger(perIdentity) || perIdentity < 1) {
      throw new Error(`P x K batching needs positive integers, got ${identities} x ${perIdentity}`);
    }
    const rand = mulberry32(seed);
    const byId = new Map<number, Sample[]>();
    for (const s of samples) {
      if (s.identity < 0) continue;
      const list = byId.get(s.identity) ?? [];
      list.push(s);
      byId.set(s.identity, list);
    }
    if (byId.size < identities) {
      throw new Error(`P x K batching needs at least P = ${identities} identities, the samples have ${byId.size}`);
    }
    const groups = new Map<number, Sample[][]>();
    for (const id of [...byId.keys()].sort((a, b) => a - b)) {
      const images = shuffle([...(byId.get(id) as Sample[])], rand);
      while (images.length < perIdentity) images.push(images[Math.floor(rand() * images.length)]);
      const chunks: Sample[][] = [];
      for (let i = 0; i + perIdentity <= images.length; i += perIdentity) chunks.push(images.slice(i, i + perIdentity));
      groups.set(id, chunks);
    }
    let available = [...groups.keys()];
    while (available.length >= identities) {
      const chosen = shuffle([...available], rand).slice(0, identities);
      const batch: Sample[] = [];
      for (const id of chosen) batch.push(...((groups.get(id) as Sample[][]).pop() as Sample[]));
      yield batch;
      available = available.filter((id) => (groups.get(id) as Sample[][]).length > 0);
    }
  }
}
