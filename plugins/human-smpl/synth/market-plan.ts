import { SeededRandom } from '../../../core/synth/random';

/** Market-1501's folders. */
export type MarketFolder = 'bounding_box_train' | 'bounding_box_test' | 'query';

/** One image of the plan. */
export interface MarketImagePlan {
  /** Person id, 1-based (Market's 0 means distractor, so ids start at 1). */
  readonly identity: number;
  /** Index of the image among its identity's images. */
  readonly index: number;
  readonly folder: MarketFolder;
  /** Camera 1..6. */
  readonly camera: number;
  /** File name without the folder, `IIII_cCs1_FFFFFF_BB.jpg`. */
  readonly name: string;
}

/** Market-1501 has six cameras. */
export const MARKET_CAMERAS = 6;
/** Most identities the 4-digit person id allows. */
export const MAX_MARKET_IDENTITIES = 9999;
/** Most images per identity the frame/box fields encode uniquely (frame = id * 100 + k mod 100, box = 1 + k div 100). */
export const MAX_MARKET_IMAGES_PER_IDENTITY = 9900;

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/**
 * Splits identities like Market-1501: the first half (rounded up) are training ids, all their images in
 * bounding_box_train; the others are test ids, each with queries in query/ and the rest in the gallery
 * (bounding_box_test). A test identity's first two images come from two different cameras; the first
 * is a query, the second stays in the gallery, so every query has a cross-camera match (Market's
 * evaluation ignores same-camera matches). With 6 or more images, up to a quarter are queries, from
 * cameras not used by the first two.
 * @throws for counts outside what the layout can name
 */
export function planMarket(identities: number, imagesPerIdentity: number, seed: number): MarketImagePlan[] {
  if (!Number.isInteger(identities) || identities < 2 || identities > MAX_MARKET_IDENTITIES) {
    throw new Error(`--identities must be a whole number in 2..${MAX_MARKET_IDENTITIES} (one train and one test identity at least), got ${identities}`);
  }
  if (!Number.isInteger(imagesPerIdentity) || imagesPerIdentity < 2 || imagesPerIdentity > MAX_MARKET_IMAGES_PER_IDENTITY) {
    throw new Error(`--images-per-identity must be a whole number in 2..${MAX_MARKET_IMAGES_PER_IDENTITY} (a test identity needs a query and a gallery image), got ${imagesPerIdentity}`);
  }
  const trainCount = Math.ceil(identities / 2);
  const plan: MarketImagePlan[] = [];
  for (let id = 1; id <= identities; id++) {
    const random = SeededRandom.of(seed, 'cameras', id);
    const cameras = Array.from({ length: imagesPerIdentity }, () => 1 + random.int(MARKET_CAMERAS));
    if (cameras[1] === cameras[0]) cameras[1] = 1 + ((cameras[0] + random.int(MARKET_CAMERAS - 1)) % MARKET_CAMERAS);
    const train = id <= trainCount;
    const queries = new Set<number>();
    if (!train) {
      queries.add(0);
      const most = Math.max(1, Math.floor(imagesPerIdentity / 4));
      const used = new Set([cameras[0], cameras[1]]);
      for (let k = 2; k < imagesPerIdentity && queries.size < most && imagesPerIdentity >= 6; k++) {
        if (used.has(cameras[k])) continue;
        used.add(cameras[k]);
        queries.add(k);
      }
    }
    for (let k = 0; k < imagesPerIdentity; k++) {
      const folder: MarketFolder = train ? 'bounding_box_train' : queries.has(k) ? 'query' : 'bounding_box_test';
      const name = `${pad(id, 4)}_c${cameras[k]}s1_${pad(id * 100 + (k % 100), 6)}_${pad(1 + Math.floor(k / 100), 2)}.jpg`;
      plan.push({ identity: id, index: k, folder, camera: cameras[k], name });
    }
  }
  return plan;
}
