import * as fs from 'fs';
import * as path from 'path';
import type { tf } from '../../../core/backend/tf';
import type { Dataset, Sample } from '../../../core/interfaces/dataset';
import { readImage } from '../../../core/io/image-decode';
import { cropImage } from '../../../core/photo/crop-window';
import { GROUND_TRUTH_FOLDER } from '../../../core/synth/ground-truth';

/** Image extensions the face folder reads. */
const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.bmp'];
/** Folders of a data root that are not identities (retex's own outputs, hidden folders). */
const RESERVED = new Set([GROUND_TRUTH_FOLDER, 'retex-prepared']);

/** Options of the `face-folder` data set. */
export interface FaceFolderOptions {
  /** The data root: one folder per identity (LFW's `lfw/` or `lfw-deepfunneled/`, or a retex synth set). */
  readonly root: string;
  /** Output size [H, W]. */
  readonly size: readonly [number, number];
  /** Share of each image's side kept, centred (LFW's 250x250 images hold the face in the middle ~40%; default 1). */
  readonly centerCrop?: number;
  /** Share of the identities (sorted by name) that are training identities (default 0.5). */
  readonly trainShare?: number;
}

/** Defaults of {@link FaceFolderOptions}. */
export const DEFAULT_FACE_CENTER_CROP = 1;
export const DEFAULT_FACE_TRAIN_SHARE = 0.5;

/**
 * The usual face-recognition layout (LFW, CASIA-WebFace, VGGFace2): `root/<identity>/<image>`. Identities are
 * the sorted folder names, labelled 0..N-1; the first `trainShare` of them (at least one, at most N-1) are
 * the `train` split and the rest the `test` split, so the split is deterministic and disjoint by identity,
 * as in LFW's protocol (View 2 tests on people never trained on). `all` holds every image.
 */
export class FaceFolderDataset implements Dataset {
  readonly id = 'face-folder';
  readonly identities: readonly string[];
  private readonly splits: Readonly<Record<string, readonly Sample[]>>;

  private constructor(
    readonly options: FaceFolderOptions,
    identities: string[],
    splits: Record<string, Sample[]>,
  ) {
    this.identities = identities;
    this.splits = splits;
  }

  /**
   * Lists the folder (no image is decoded).
   * @throws when the root is missing or holds fewer than two identities with images
   */
  static load(options: FaceFolderOptions): FaceFolderDataset {
    const root = path.resolve(options.root);
    const centerCrop = options.centerCrop ?? DEFAULT_FACE_CENTER_CROP;
    const trainShare = options.trainShare ?? DEFAULT_FACE_TRAIN_SHARE;
    if (!(centerCrop > 0 && centerCrop <= 1)) throw new Error(`face-folder: centerCrop must be in (0, 1], got ${centerCrop}`);
    if (!(trainShare > 0 && trainShare < 1)) throw new Error(`face-folder: trainShare must be in (0, 1), got ${trainShare}`);
    if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
      throw new Error(`face-folder: ${root} is not a folder; point dataset.root (--data) at a folder holding one folder of photos per person (e.g. LFW's lfw/)`);
    }
    const identities: string[] = [];
    const files: string[][] = [];
    for (const entry of fs.readdirSync(root, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (!entry.isDirectory() || entry.name.startsWith('.') || RESERVED.has(entry.name)) continue;
      const images = fs
        .readdirSync(path.join(root, entry.name))
        .filter((f) => IMAGE_EXTENSIONS.includes(path.extname(f).toLowerCase()) && !f.startsWith('.'))
        .sort();
      if (images.length === 0) continue;
      identities.push(entry.name);
      files.push(images);
    }
    if (identities.length < 2) {
      throw new Error(`face-folder: ${root} holds ${identities.length} identity folder(s) with images; it needs at least 2 (root/<person>/<photo>.jpg)`);
    }
    const nTrain = Math.min(identities.length - 1, Math.max(1, Math.round(identities.length * trainShare)));
    const splits: Record<string, Sample[]> = { train: [], test: [], all: [] };
    identities.forEach((name, label) => {
      for (const f of files[label]) {
        const sample: Sample = {
          id: `${name}/${f}`,
          identity: label,
          imagePath: path.join(root, name, f),
          annotations: { person: name },
        };
        splits[label < nTrain ? 'train' : 'test'].push(sample);
        splits.all.push(sample);
      }
    });
    return new FaceFolderDataset({ ...options, root, centerCrop, trainShare }, identities, splits);
  }

  samples(split: string): readonly Sample[] {
    const s = this.splits[split];
    if (!s) throw new Error(`face-folder has no split '${split}': its splits are ${Object.keys(this.splits).join(', ')}`);
    return s;
  }

  /** The image's centre crop at the configured size, float32 [H,W,3] in [-1,1]. */
  async loadImage(sample: Sample): Promise<tf.Tensor3D> {
    const photo = await readImage(sample.imagePath);
    try {
      const [h, w] = photo.shape;
      const [oh, ow] = this.options.size;
      const k = this.options.centerCrop ?? 1;
      // The largest window of the output's aspect ratio inside the kept centre.
      const side = Math.min(h * k, ((w * k) / ow) * oh);
      const window = { x: w / 2 - (side * ow) / oh / 2, y: h / 2 - side / 2, width: (side * ow) / oh, height: side };
      return cropImage(photo, window, [oh, ow], -1, false);
    } finally {
      photo.dispose();
    }
  }
}
