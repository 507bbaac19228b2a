import type { BatchSampler, Sample } from '../../../core/interfaces/dataset';

/** mulberry32: a small deterministic generator in [0,1). */
function generator(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/**
 * The method's P x K batching with bird species as identities: each batch holds `identities` (P)
 * species with `perIdentity` (K) images each. One pass (an epoch) shuffles each species' images and
 * cuts them into groups of K (a species with fewer than K images, or a short last group, is topped up
 * by drawing again from that species), then repeatedly takes one group from each of P species, chosen
 * at random among those with groups left, until fewer than P species remain. Deterministic for a seed;
 * samples with identity -1 (distractors) are never used.
 */
export class SpeciesBatchSampler implements BatchSampler {
  *batches(samples: readonly Sample[], identities: number, perIdentity: number, seed: number): Iterable<readonly Sample[]> {
    if (!Number.isInteger(identities) || identities < 1 || !Number.isInteger(perIdentity) || perIdentity < 1) {
      throw new Error(`P x K batching needs positive integers, got P = ${identities}, K = ${perIdentity}`);
    }
    const random = generator(seed);
    const bySpecies = new Map<number, Sample[]>();
    for (const s of samples) {
      if (s.identity < 0) continue;
      const list = bySpecies.get(s.identity);
      if (list) list.push(s);
      else bySpecies.set(s.identity, [s]);
    }
    if (bySpecies.size < identities) {
      throw new Error(
        `P x K batching needs at least P = ${identities} species, but the samples hold ${bySpecies.size}: ` +
          'lower train.identitiesPerBatch or use a larger split',
      );
    }
    // Sorted keys so the result does not depend on the samples' order in the input.
    const groups = new Map<number, Sample[][]>();
    for (const species of [...bySpecies.keys()].sort((a, b) => a - b)) {
      const images = shuffle([...(bySpecies.get(species) as Sample[])].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)), random);
      const list: Sample[][] = [];
      for (let i = 0; i < images.length; i += perIdentity) {
        const group = images.slice(i, i + perIdentity);
        while (group.length < perIdentity) group.push(images[Math.floor(random() * images.length)]);
        list.push(group);
      }
      groups.set(species, list);
    }
    for (;;) {
      const available = [...groups.keys()].filter((k) => (groups.get(k) as Sample[][]).length > 0);
      if (available.length < identities) return;
      const chosen = shuffle(available, random).slice(0, identities);
      yield chosen.flatMap((k) => (groups.get(k) as Sample[][]).pop() as Sample[]);
    }
  }
}
