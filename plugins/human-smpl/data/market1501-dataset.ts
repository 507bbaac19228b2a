import { existsSync, readdirSync, statSync } from 'fs';
import * as path from 'path';
import { resolveInside } from '../../../core/io/file-guard';
import type { tf } from '../../../core/backend/tf';
import type { Dataset, Sample } from '../../../core/interfaces/dataset';
import { readImage } from '../../../core/io/image-decode';
import { MARKET_NAME_PATTERN, parseMarketName } from './market1501-names';

/** Split names and the folders that hold them. */
export const MARKET_SPLITS: Readonly<Record<string, string>> = Object.freeze({
  train: 'bounding_box_train',
  test: 'bounding_box_test',
  gallery: 'bounding_box_test',
  query: 'query',
});

const IMAGE_EXT = /\.(jpe?g|png)$/i;

/** Options of the Market-1501 reader. */
export interface Market1501Options {
  /** The Market-1501 folder (holding bounding_box_train/, bounding_box_test/, query/). */
  readonly root: string;
  /** Images are decoded to this size [H, W] (the method: 128 x 64). */
  readonly size: readonly [number, number];
  /** Skip image files whose names break the Market-1501 pattern instead of failing. Default false. */
  readonly ignoreMalformed?: boolean;
}

/**
 * The Market-1501 person re-identification data set.
 *
 * Samples carry `identity` = the person id of the file name, and annotations `camera`, `sequence`,
 * `frame`, `box`, `personId` (as written) and, in the train split, `label` (0..N-1 over the train ids, for
 * classifiers). Ids are handled as the benchmark's evaluation code does:
 * - junk boxes (person id -1: bad detections) are left out of every split, as evaluation ignores them;
 * - distractors (person id 0000: boxes with no person of interest) stay in the gallery with identity -1,
 *   so they count as wrong matches; they never appear in train or query;
 * - at evaluation, gallery images of the query's identity from the query's camera are junk for that query
 *   (the metric's job, recorded here through `camera`).
 * Non-image files (Thumbs.db, ...) are skipped; image files with malformed names are reported.
 */
export class Market1501Dataset implements Dataset {
  readonly id = 'market1501';
  private readonly cache = new Map<string, readonly Sample[]>();

  private constructor(private readonly options: Market1501Options) {}

  /**
   * Checks the folder layout and reads the train split.
   * @throws when the root or its bounding_box_train folder is missing, or names are malformed
   */
  static load(options: Market1501Options): Market1501Dataset {
    if (!existsSync(options.root) || !statSync(options.root).isDirectory()) {
      throw new Error(`Market-1501 root '${options.root}' is not a folder; set dataset.root to the unpacked Market-1501-v15.09.15 folder`);
    }
    const ds = new Market1501Dataset(options);
    ds.samples('train');
    return ds;
  }

  /** Number of distinct identities of a split (distractors not counted). */
  identityCount(split: string): number {
    return new Set(this.samples(split).filter((s) => s.identity >= 0).map((s) => s.identity)).size;
  }

  /**
   * Samples of `train`, `test` (alias `gallery`) or `query`, sorted by file name.
   * @throws for an unknown split, a missing folder, or malformed file names (listing a few)
   */
  samples(split: string): readonly Sample[] {
    const folder = MARKET_SPLITS[split];
    if (!folder) throw new Error(`Market-1501 has no split '${split}'; splits: ${Object.keys(MARKET_SPLITS).join(', ')}`);
    const cached = this.cache.get(folder);
    if (cached) return cached;
    const joined = path.join(this.options.root, folder);
    if (!existsSync(joined)) {
      throw new Error(`Market-1501 split '${split}' needs the folder '${joined}', which does not exist (expected ${Object.values(MARKET_SPLITS).filter((v, i, a) => a.indexOf(v) === i).join('/, ')}/ under the root)`);
    }
    // The split folder and every image in it must resolve inside the root (a symlink out is refused).
    const dir = resolveInside(this.options.root, folder, `Market-1501 split folder`);
    const names = readdirSync(dir).filter((n) => IMAGE_EXT.test(n)).sort();
    const malformed: string[] = [];
    const samples: Sample[] = [];
    for (const name of names) {
      const parsed = parseMarketName(name);
      if (!parsed) {
        malformed.push(name);
        continue;
      }
      if (parsed.personId === -1) continue; // junk
      const distractor = parsed.personId === 0;
      if (distractor && folder !== 'bounding_box_test') {
        throw new Error(`${path.join(dir, name)}: distractor id 0000 outside the gallery; this folder is not Market-1501's ${folder}`);
      }
      samples.push({
        id: name,
        identity: distractor ? -1 : parsed.personId,
        imagePath: resolveInside(this.options.root, path.join(folder, name), 'Market-1501 image'),
        annotations: { ...parsed, distractor },
      });
    }
    if (malformed.length > 0 && !this.options.ignoreMalformed) {
      throw new Error(
        `${dir}: ${malformed.length} image name(s) do not follow Market-1501's pattern ${MARKET_NAME_PATTERN}: ` +
          `${malformed.slice(0, 5).join(', ')}${malformed.length > 5 ? ', ...' : ''} ` +
          '(rename or remove them, or set dataset.ignoreMalformed to skip them)',
      );
    }
    if (samples.length === 0) throw new Error(`${dir}: no Market-1501 images found`);
    let out: readonly Sample[] = samples;
    if (folder === 'bounding_box_train') {
      const ids = [...new Set(samples.map((s) => s.identity))].sort((a, b) => a - b);
      const label = new Map(ids.map((id, i) => [id, i]));
      out = samples.map((s) => ({ ...s, annotations: { ...s.annotations, label: label.get(s.identity) } }));
    }
    this.cache.set(folder, out);
    return out;
  }

  /** Decodes a sample to float32 [H,W,3] in [-1,1] at the configured size (stretched, as the method does). */
  loadImage(sample: Sample): Promise<tf.Tensor3D> {
    return readImage(sample.imagePath, { size: this.options.size, range: '[-1,1]' });
  }
}
