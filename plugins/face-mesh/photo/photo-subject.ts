import { paddedCropWindow } from '../../../core/photo/crop-window';
import type { PhotoSubject } from '../../../core/plugin/photo-subject';
import { BlazeFaceDetector } from './blazeface';

/**
 * Margin around BlazeFace's box (brows to mouth) on each side, as a share of its size: the crop then holds
 * the whole head outline with some background, as face-recognition crops (LFW's 250x250) do.
 */
export const FACE_BOX_PADDING = 0.2;

/** Faces in photos: BlazeFace boxes, a square crop around them, the `facemesh` predictor. */
export const FACE_PHOTO_SUBJECT: PhotoSubject = {
  noun: 'face',
  predictor: 'facemesh',
  fill: -1,
  loadDetector: async (config) => {
    const model = (config.pluginOptions.detectorModel as string | undefined) ?? undefined;
    return BlazeFaceDetector.load(model);
  },
  frame: (box, size) => paddedCropWindow(box, size, FACE_BOX_PADDING),
};
