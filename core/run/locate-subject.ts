import { tf } from '../backend/tf';
import { cropImage, type CropWindow } from '../photo/crop-window';
import type { PhotoSubject, SubjectDetection, SubjectDetector } from '../plugin/photo-subject';

/** A subject box smaller than this (pixels, shorter side) is too small to texture. */
export const MIN_SUBJECT_SIDE = 24;
/** A second detection scoring at least this share of the best one's, apart from it, is a second subject. */
export const SECOND_SUBJECT_SHARE = 0.5;
/** Boxes overlapping more than this (IoU) are the same subject seen twice by the detector. */
const SAME_SUBJECT_IOU = 0.3;
/** A box edge this close to the photo's border (share of the photo's side, at least 2 px) touches it. */
const BORDER_MARGIN = 0.01;
/** A box spanning this share of the photo's side is a photo already cropped to the subject on that axis. */
const FRAMED_SHARE = 0.85;

/** Where the subject is in the photo and the crop the category's networks take. */
export interface LocatedSubject {
  /** The subject box [x, y, w, h] in photo pixels (detected or given). */
  readonly box: readonly [number, number, number, number];
  /** Detector score, or null for a box the user gave. */
  readonly score: number | null;
  /** The crop window in photo pixels (the data set's framing of the box). */
  readonly window: CropWindow;
  /** float32 [H,W,3] in [-1,1] at the crop size; the caller owns it. */
  readonly crop: tf.Tensor3D;
}

function iou(a: readonly number[], b: readonly number[]): number {
  const x = Math.max(0, Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]));
  const y = Math.max(0, Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]));
  const inter = x * y;
  return inter / (a[2] * a[3] + b[2] * b[3] - inter);
}

const fmtBox = (b: readonly number[]) => b.map((v) => Math.round(v)).join(',');

/**
 * The one subject of a photo: the detector's best box, refused with a message a person can act on when
 * there is none, several, or one too small or cut off by the photo's border.
 * @param name the photo's name for messages
 */
export function chooseSubject(
  detections: readonly SubjectDetection[],
  photoSize: readonly [number, number],
  noun: string,
  name: string,
): SubjectDetection {
  const [h, w] = photoSize;
  if (detections.length === 0) {
    throw new Error(`no ${noun} found in ${name}: check that the photo shows one, or give its box with --box x,y,width,height (pixels)`);
  }
  const best = detections[0];
  const others = detections.slice(1).filter((d) => d.score >= SECOND_SUBJECT_SHARE * best.score && iou(d.box, best.box) < SAME_SUBJECT_IOU);
  if (others.length > 0) {
    const boxes = [best, ...others].map((d) => `${fmtBox(d.box)} (score ${d.score.toFixed(2)})`).join('; ');
    throw new Error(`${name} shows ${others.length + 1} ${noun}s (boxes x,y,width,height: ${boxes}): choose one with --box x,y,width,height, or crop the photo to one`);
  }
  const [bx, by, bw, bh] = best.box;
  if (Math.min(bw, bh) < MIN_SUBJECT_SIDE) {
    throw new Error(
      `the ${noun} in ${name} is only ${Math.round(bw)}x${Math.round(bh)} pixels (box ${fmtBox(best.box)}): too small to texture ` +
        `(at least ${MIN_SUBJECT_SIDE} pixels a side); use a closer or larger photo`,
    );
  }
  const cut: string[] = [];
  const edge = (lo: number, extent: number, side: number, low: string, high: string) => {
    const margin = Math.max(2, BORDER_MARGIN * side);
    if (extent >= FRAMED_SHARE * side) return; // the photo is already a crop of the subject on this axis
    if (lo <= margin) cut.push(low);
    if (lo + extent >= side - margin) cut.push(high);
  };
  edge(bx, bw, w, 'left', 'right');
  edge(by, bh, h, 'top', 'bottom');
  if (cut.length > 0) {
    throw new Error(
      `the ${noun} in ${name} looks cut off at the photo's ${cut.join(' and ')} border (box ${fmtBox(best.box)} of a ${w}x${h} photo): ` +
        `use a photo with the whole ${noun} in view, or pass --box x,y,width,height to take it as it is`,
    );
  }
  return best;
}

/**
 * Finds the subject (or takes the user's box), frames it the way the category's data set does and crops
 * it at `size`.
 * @param photo float32 [H,W,3] in [-1,1] (not disposed)
 * @param box the user's [x, y, w, h] (skips the detector and the checks on it)
 */
export async function locateSubject(
  photo: tf.Tensor3D,
  subject: PhotoSubject,
  detector: SubjectDetector,
  size: readonly [number, number],
  name: string,
  box?: readonly [number, number, number, number],
): Promise<LocatedSubject> {
  const [h, w] = photo.shape;
  let chosen: SubjectDetection;
  let score: number | null = null;
  if (box != null) {
    const [x, y, bw, bh] = box;
    if (!(bw >= 1 && bh >= 1 && x < w && y < h && x + bw > 0 && y + bh > 0)) {
      throw new Error(`--box ${box.join(',')} lies outside ${name} (${w}x${h} pixels): give x,y,width,height inside the photo`);
    }
    chosen = { box, score: 1 };
  } else {
    let found: Promise<SubjectDetection[]> | undefined;
    const detect = () => (found ??= detector.detect(photo));
    if (await subject.isFramedCrop?.([h, w], size, detect)) {
      chosen = { box: [0, 0, w, h], score: 1 };
    } else {
      chosen = chooseSubject(await detect(), [h, w], subject.noun, name);
      score = chosen.score;
    }
  }
  const window = subject.frame(chosen.box, size, [h, w]);
  const crop = cropImage(photo, window, size, subject.fill, false);
  return { box: chosen.box, score, window, crop };
}
