import * as path from 'path';
import { readImage, readPixels } from '../../../core/io/image-decode';
import { quaternionToMatrix } from '../../../core/renderer/rotation';
import { readGroundTruthParams } from '../../../core/synth/ground-truth';
import { mulberry32 } from '../../../core/random';
import { rotationAngleDeg } from '../camera/quaternion';
import { readCubRecords } from '../cub/cub-files';
import { headOnRightEnd, sameHeading } from '../photo/heading';
import type { BirdMeanShape } from '../shape/mean-shape';
import type { PhotoPredictor } from './photo';
import { maskIou, renderSilhouette } from './silhouette';

/** Settings of {@link benchmarkPhotoFitOnSynthSet}. */
export interface SynthSetBenchmarkSettings {
  /** How many images to score, spread evenly over the set. Default all. */
  readonly count?: number;
  /** Seed of the box jitter. Default 1. */
  readonly seed?: number;
  /** Called after each image with its index and whether the head was on the right end. */
  readonly onImage?: (done: number, total: number, name: string, headingRight: boolean) => void;
}

/** Figures of the photo predictor on a `retex synth --category bird` folder (JSON keys as printed). */
export interface SynthSetBenchmarkResult {
  /** Share of birds fitted with the head on the right end in the image (`headOnRightEnd`). */
  readonly heading_accuracy: number;
  /** Share of birds whose fitted forward axis is within 90 degrees of the true one (`sameHeading`). */
  readonly heading_accuracy_3d: number;
  readonly rot_err_deg: number;
  readonly rot_err_deg_median: number;
  /** Silhouette IoU of the fitted mean shape against the true mask, at the image's resolution. */
  readonly iou: number;
  /** IoU of the estimated foreground mask against the true mask. */
  readonly mask_iou: number;
  readonly ms_per_image: number;
  readonly count: number;
  /** Images (relative to images/) whose head ended on the wrong end. */
  readonly heading_failures: readonly string[];
}

const mean = (a: readonly number[]): number => a.reduce((s, v) => s + v, 0) / Math.max(1, a.length);

/**
 * Scores the photo predictor on a CUB-layout synthetic set with ground-truth cameras (`retex synth
 * --category bird`, e.g. a set made with a seed training never saw): each image is fitted inside its
 * true box grown by a random 0-10 % per side (as a detector gives it; the COCO detector does not find
 * these renderings reliably), and the fitted camera is compared with the one the bird was rendered with.
 * @param root the set's folder (images.txt, images/, segmentations/, ground_truth/)
 */
export async function benchmarkPhotoFitOnSynthSet(
  predictor: PhotoPredictor,
  shape: BirdMeanShape,
  root: string,
  settings: SynthSetBenchmarkSettings = {},
): Promise<SynthSetBenchmarkResult> {
  const { records } = readCubRecords(root);
  const total = Math.min(records.length, settings.count ?? records.length);
  const chosen = Array.from({ length: total }, (_, i) => records[Math.floor((i * records.length) / total)]);
  const random = mulberry32(settings.seed ?? 1);
  const rot: number[] = [];
  const ious: number[] = [];
  const maskIous: number[] = [];
  const failures: string[] = [];
  let sameWay = 0;
  let ms = 0;
  for (const [n, record] of chosen.entries()) {
    const imagePath = path.join(root, 'images', record.name);
    const truth = readGroundTruthParams(root, imagePath) as { camera?: { quaternion?: number[] } };
    const q = truth.camera?.quaternion;
    if (!Array.isArray(q) || q.length !== 4) throw new Error(`ground truth of ${imagePath} has no camera quaternion: is ${root} a retex synth bird set?`);
    const image = await readImage(imagePath);
    const [h, w] = image.shape;
    const seg = await readPixels(path.join(root, 'segmentations', record.name.replace(/\.jpg$/, '.png')), { size: [h, w] });
    const trueMask = new Float32Array(h * w);
    for (let p = 0; p < trueMask.length; p++) trueMask[p] = seg.pixels[seg.channels * p] > 127 ? 1 : 0;
    const grow = () => 0.1 * random();
    const [bx, by, bw, bh] = record.box;
    const box: [number, number, number, number] = [bx - grow() * bw, by - grow() * bh, bw * (1 + grow() + grow()), bh * (1 + grow() + grow())];
    try {
      const t0 = process.hrtime.bigint();
      const { aligned, report } = await predictor.fitInBox({ image, id: record.name, imagePath }, { box, score: 1 });
      ms += Number(process.hrtime.bigint() - t0) / 1e6;
      rot.push(rotationAngleDeg(quaternionToMatrix(report.camera.quaternion), quaternionToMatrix(q)));
      ious.push(maskIou(renderSilhouette(shape.mesh, report.camera, h, w), trueMask));
      maskIous.push(maskIou(aligned.mask as Float32Array, trueMask));
      const right = headOnRightEnd(report.camera.quaternion, q);
      if (!right) failures.push(record.name);
      if (sameHeading(report.camera.quaternion, q)) sameWay++;
      settings.onImage?.(n + 1, total, record.name, right);
    } finally {
      image.dispose();
    }
  }
  return {
    heading_accuracy: 1 - failures.length / Math.max(1, total),
    heading_accuracy_3d: sameWay / Math.max(1, total),
    rot_err_deg: mean(rot),
    rot_err_deg_median: [...rot].sort((a, b) => a - b)[Math.floor(rot.length / 2)] ?? NaN,
    iou: mean(ious),
    mask_iou: mean(maskIous),
    ms_per_image: ms / Math.max(1, total),
    count: total,
    heading_failures: failures,
  };
}
