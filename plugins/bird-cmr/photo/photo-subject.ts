import { COCO_CLASSES, cocoSubjectDetector } from '../../../core/photo/coco-detector';
import { paddedCropWindow } from '../../../core/photo/crop-window';
import type { PhotoSubject } from '../../../core/plugin/photo-subject';
import { DEFAULT_CUB_PADDING } from '../cub/cub-dataset';
import { birdPhotoAnnotations } from './photo-hints';

/** Lowest COCO detector score accepted as a bird in `retex run`. */
export const MIN_RUN_BIRD_SCORE = 0.2;

/** Birds in photos: the COCO detector's `bird` class, CUB's padded square crop, the `photo` predictor. */
export const BIRD_PHOTO_SUBJECT: PhotoSubject = {
  noun: 'bird',
  predictor: 'photo',
  // CUB crops reaching past the photo are filled black, as the data set's loader does.
  fill: -1,
  loadDetector: () => cocoSubjectDetector(COCO_CLASSES.bird, MIN_RUN_BIRD_SCORE),
  frame: (box, size) => paddedCropWindow(box, size, DEFAULT_CUB_PADDING),
  annotations: birdPhotoAnnotations,
};
