import { COCO_CLASSES, cocoSubjectDetector } from '../../core/photo/coco-detector';
import { paddedCropWindow, type CropWindow } from '../../core/photo/crop-window';
import type { PhotoSubject } from '../../core/plugin/photo-subject';

/** Lowest COCO detector score accepted as a person. */
export const MIN_PERSON_SCORE = 0.3;
/** Margin around the person box, share of its size per side: Market-1501 crops leave a little room. */
export const PERSON_PADDING = 0.06;
/** A person box this tall relative to the photo means the photo is already a person crop (Market-1501's). */
const ALREADY_CROPPED_SHARE = 0.8;

/**
 * Market-1501's framing: a window of the crop's aspect ratio (2:1 for 128x64) around the person, a little
 * margin above and below. A photo that is already such a crop (the person filling its height, about the
 * crop's aspect ratio) is taken whole, as the data set's crops are.
 */
export function framePerson(
  box: readonly [number, number, number, number],
  size: readonly [number, number],
  photoSize: readonly [number, number],
): CropWindow {
  const [ph, pw] = photoSize;
  const photoAspect = pw / ph;
  const cropAspect = size[1] / size[0];
  if (box[3] >= ALREADY_CROPPED_SHARE * ph && photoAspect > 0.7 * cropAspect && photoAspect < 1.4 * cropAspect) {
    return { x: 0, y: 0, width: pw, height: ph };
  }
  return paddedCropWindow(box, size, PERSON_PADDING);
}

/** A detection this confident and this much shorter than the photo is a person inside a larger scene. */
const CONFIDENT_PERSON = 0.5;
const SCENE_PERSON_SHARE = 0.6;

/**
 * Whether a photo is already a Market-1501-style person crop: about the crop's aspect ratio and either small
 * (at most twice the crop's height: a crop, not a scene) or without a confident person much smaller than the
 * photo in it. Detectors often miss people in such crops (scores of 0.1-0.3 on real Market-1501 images), so
 * the photo is then taken whole, and the detector is not even run for a small one.
 */
export async function isPersonCrop(
  photoSize: readonly [number, number],
  size: readonly [number, number],
  detect: () => Promise<readonly { readonly box: readonly number[]; readonly score: number }[]>,
): Promise<boolean> {
  const [ph, pw] = photoSize;
  const photoAspect = pw / ph;
  const cropAspect = size[1] / size[0];
  if (!(photoAspect > 0.7 * cropAspect && photoAspect < 1.4 * cropAspect)) return false;
  if (ph <= 2 * size[0]) return true;
  const best = (await detect())[0];
  return best == null || best.score < CONFIDENT_PERSON || best.box[3] >= SCENE_PERSON_SHARE * ph;
}

/** People in photos: the COCO detector's `person` class, Market-1501 framing, the keypoint-fit predictor. */
export const HUMAN_PHOTO_SUBJECT: PhotoSubject = {
  noun: 'person',
  predictor: 'keypoint-fit',
  fill: 0,
  loadDetector: () => cocoSubjectDetector(COCO_CLASSES.person, MIN_PERSON_SCORE),
  frame: framePerson,
  isFramedCrop: isPersonCrop,
  annotations: async (hints) => {
    if (hints.keypointsFile != null) throw new Error('--keypoints is not read for people: BlazePose finds their keypoints');
    if (hints.heading == null) return {};
    if (hints.heading !== 'front' && hints.heading !== 'back') {
      throw new Error(`--heading for a person is 'front' (facing the camera) or 'back', got '${hints.heading}'`);
    }
    return { heading: hints.heading };
  },
};
