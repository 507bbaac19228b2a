import * as fs from 'fs';
import * as path from 'path';
import { resolveInside } from '../../../core/io/file-guard';
import { tf } from '../../../core/backend/tf';
import type { Dataset, Sample } from '../../../core/interfaces/dataset';
import { readImage } from '../../../core/io/image-decode';
import { CUB_KEYPOINT_COUNT } from '../keypoints';
import { cropImage, paddedCropWindow, type CropWindow } from '../../../core/photo/crop-window';
import { keypointsToCrop } from './crop';
import { CubFormatError, readCubRecords, type CubRecord } from './cub-files';

/** Options of the `cub200` data set (its config section besides `type`). */
export interface CubDatasetOptions {
  /** The CUB_200_2011 folder (holding images.txt and images/). */
  readonly root: string;
  /** Folder of the segmentation masks; default `<root>/segmentations`, else `<root>/../segmentations`. */
  readonly segmentations?: string;
  /** Margin added around the bounding box on each side, as a fraction of its size. Default 0.05. */
  readonly padding?: number;
  /** Output size [height, width] of the crops (the run's `config.image`). */
  readonly size: readonly [number, number];
}

/** Default margin around the box (CMR pads its boxes by 5 % of their size). */
export const DEFAULT_CUB_PADDING = 0.05;

/** The per-sample annotations of a CUB sample (`Sample.annotations`), in crop coordinates. */
export type CubAnnotations = {
  /** 0-based species (class id - 1): the identity. */
  readonly species: number;
  readonly speciesName: string;
  readonly imageId: number;
  readonly isTraining: boolean;
  /** Bounding box [x, y, width, height] in original pixels. */
  readonly box: readonly [number, number, number, number];
  /** The crop window in original pixels. */
  readonly crop: CropWindow;
  /** [15*2] keypoints in the crop's normalised coordinates (-1..1, x right, y down); 0 where not visible. */
  readonly keypoints: readonly number[];
  /** [15] 1 = visible. */
  readonly visible: readonly number[];
  /** The segmentation PNG of the original image, when the masks are installed. */
  readonly maskPath?: string;
  /** True when the sample is the mirror image of the original photo (keypoints already swapped). */
  readonly flipped: boolean;
};

/**
 * Reads the annotations of a CUB sample, checking their shape.
 * @throws when the sample does not carry CUB annotations
 */
export function cubAnnotations(sample: Pick<Sample, 'id' | 'annotations'>): CubAnnotations {
  const a = sample.annotations as Partial<CubAnnotations>;
  const ok =
    Array.isArray(a.keypoints) && a.keypoints.length === 2 * CUB_KEYPOINT_COUNT &&
    Array.isArray(a.visible) && a.visible.length === CUB_KEYPOINT_COUNT &&
    typeof a.crop === 'object' && typeof a.flipped === 'boolean';
  if (!ok) throw new Error(`sample ${sample.id} has no CUB annotations (keypoints, visible, crop, flipped)`);
  return a as CubAnnotations;
}

/**
 * CUB-200-2011: 11,788 photos of 200 bird species with boxes, 15 part keypoints and (separately
 * downloaded) segmentation masks. Samples are square padded crops around the box, resized to the run's
 * image size; species are the identities. Splits: `train`, `test` (the official split) and `all`.
 */
export class CubDataset implements Dataset {
  readonly id = 'cub200';
  readonly size: readonly [number, number];
  private readonly splits: ReadonlyMap<string, readonly Sample[]>;

  private constructor(splits: Map<string, Sample[]>, size: readonly [number, number]) {
    this.splits = splits;
    this.size = size;
  }

  /** Reads and checks the annotation files (not the images). @throws CubFormatError naming file and line. */
  static async load(options: CubDatasetOptions): Promise<CubDataset> {
    const root = path.resolve(options.root);
    if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
      throw new CubFormatError(`CUB-200-2011 folder ${root} does not exist: set dataset.root to the CUB_200_2011 folder`);
    }
    const padding = options.padding ?? DEFAULT_CUB_PADDING;
    if (!(padding >= 0 && padding <= 2)) throw new Error(`dataset.padding must be within 0..2, got ${padding}`);
    const [h, w] = options.size;
    if (!(Number.isInteger(h) && Number.isInteger(w) && h > 0 && w > 0)) {
      throw new Error(`CUB crop size must be positive integers [height, width], got ${JSON.stringify(options.size)}`);
    }
    const segDir = resolveSegmentations(root, options.segmentations);
    const { records, classNames } = readCubRecords(root);
    const all = records.map((r) => toSample(root, r, classNames, segDir, padding, options.size));
    const splits = new Map<string, Sample[]>([
      ['train', all.filter((s) => cubAnnotations(s).isTraining)],
      ['test', all.filter((s) => !cubAnnotations(s).isTraining)],
      ['all', all],
    ]);
    return new CubDataset(splits, options.size);
  }

  samples(split: string): readonly Sample[] {
    const found = this.splits.get(split);
    if (!found) throw new Error(`CUB-200-2011 has no split '${split}'; available: ${[...this.splits.keys()].join(', ')}`);
    return found;
  }

  /** The mirror image of a sample: keypoints mirrored with left and right swapped; images load flipped. */
  flip(sample: Sample): Sample {
    const a = cubAnnotations(sample);
    const record = recordOf(sample);
    const { keypoints, visible } = keypointsToCrop(record.keypoints, record.visible, a.crop, !a.flipped);
    return {
      ...sample,
      id: a.flipped ? sample.id.replace(/#flip$/, '') : `${sample.id}#flip`,
      annotations: { ...a, keypoints: Array.from(keypoints), visible: Array.from(visible), flipped: !a.flipped, [RECORD]: record },
    };
  }

  /** The sample's padded crop, float32 [H,W,3] in [-1,1] (black outside the photo); mirrored if flipped. */
  async loadImage(sample: Sample): Promise<tf.Tensor3D> {
    const a = cubAnnotations(sample);
    const photo = await readImage(sample.imagePath);
    try {
      return cropImage(photo, a.crop, this.size, -1, a.flipped);
    } finally {
      photo.dispose();
    }
  }

  /**
   * The sample's segmentation mask cropped like the image: float32 [H*W] in [0,1] (CUB's masks are soft,
   * averaged over annotators).
   * @throws when the masks are not installed
   */
  async loadMask(sample: Sample): Promise<Float32Array> {
    return loadCubMask(cubAnnotations(sample), this.size);
  }
}

/** Loads and crops the mask a sample's annotations point to. @throws naming the missing folder or file. */
export async function loadCubMask(a: CubAnnotations, size: readonly [number, number]): Promise<Float32Array> {
  if (!a.maskPath) {
    throw new CubFormatError(
      'CUB-200-2011 segmentation masks are not installed: unpack segmentations.tgz into the CUB_200_2011 folder ' +
        '(or next to it), or set dataset.segmentations to its folder',
    );
  }
  const mask = await readImage(a.maskPath, { range: '[0,1]' });
  try {
    const cropped = tf.tidy(() => cropImage(mask, a.crop, size, 0, a.flipped).slice([0, 0, 0], [-1, -1, 1]));
    try {
      return cropped.dataSync() as Float32Array;
    } finally {
      cropped.dispose();
    }
  } finally {
    mask.dispose();
  }
}

/** Hidden key under which a sample keeps its raw record, so a flip can be recomputed exactly. */
const RECORD = '__cubRecord';

function recordOf(sample: Sample): CubRecord {
  const record = (sample.annotations as Record<string, unknown>)[RECORD] as CubRecord | undefined;
  if (!record) throw new Error(`sample ${sample.id} was not made by the cub200 data set`);
  return record;
}

function resolveSegmentations(root: string, configured: string | undefined): string | undefined {
  if (configured !== undefined) {
    const dir = path.resolve(root, configured);
    if (!fs.existsSync(dir)) throw new CubFormatError(`dataset.segmentations folder ${dir} does not exist`);
    return dir;
  }
  for (const candidate of [path.join(root, 'segmentations'), path.join(root, '..', 'segmentations')]) {
    if (fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

function toSample(
  root: string,
  r: CubRecord,
  classNames: Map<number, string>,
  segDir: string | undefined,
  padding: number,
  size: readonly [number, number],
): Sample {
  const crop = paddedCropWindow(r.box, size, padding);
  const { keypoints, visible } = keypointsToCrop(r.keypoints, r.visible, crop, false);
  const speciesName = classNames.get(r.classId) ?? path.dirname(r.name);
  const annotations: CubAnnotations & { [RECORD]: CubRecord } = {
    species: r.classId - 1,
    speciesName,
    imageId: r.imageId,
    isTraining: r.isTraining,
    box: r.box,
    crop,
    keypoints: Array.from(keypoints),
    visible: Array.from(visible),
    maskPath: segDir ? resolveInside(segDir, r.name.replace(/\.[^./]+$/, '.png'), `segmentation mask of images.txt image ${r.imageId}`) : undefined,
    flipped: false,
    [RECORD]: r,
  };
  // images.txt may name anything: the image must resolve inside images/ (symlinks included).
  const imagePath = resolveInside(path.join(root, 'images'), r.name, `images.txt image ${r.imageId}`);
  return { id: r.name, identity: r.classId - 1, imagePath, annotations };
}
