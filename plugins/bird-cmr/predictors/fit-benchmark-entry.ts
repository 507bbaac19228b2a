import type { PluginBenchmark } from '../../../core/plugin';
import { CocoDetector } from '../../../core/photo/coco-detector';
import { buildBirdMeanShape, DEFAULT_SUBDIVISIONS } from '../shape/mean-shape';
import { AnnotationFitPredictor } from './annotation-fit';
import { benchmarkAnnotationFit, benchmarkPhotoFit } from './fit-benchmark';
import { PhotoPredictor } from './photo';

/**
 * `retex bench fit --category bird`: both predictors on birds rendered with known random cameras
 * (a bird shape that differs from the mean shape, 3 px keypoint noise for annotation-fit).
 */
export const BIRD_FIT_BENCHMARK: PluginBenchmark = {
  description: 'mesh predictors on rendered birds with known cameras: rotation error, silhouette IoU, time per image',
  async run({ config, count, onNote }) {
    const shape = buildBirdMeanShape((config.pluginOptions.subdivisions as number | undefined) ?? DEFAULT_SUBDIVISIONS);
    const settings = { count: count ?? 20, keypointNoisePx: 3, shapeMismatch: true };
    onNote(`annotation-fit on ${settings.count} rendered birds`);
    const { keypoint_only: keypointOnly, ...annotation } = await benchmarkAnnotationFit(new AnnotationFitPredictor(shape), shape, settings);
    onNote(`photo (silhouette camera in the detector's box) on ${settings.count} synthetic photos`);
    const { keypoint_only: _unused, ...photo } = await benchmarkPhotoFit(new PhotoPredictor(shape, await CocoDetector.load()), shape, settings);
    return [
      { predictor: 'annotation-fit', ...annotation, keypoint_only_rot_err_deg: keypointOnly.rot_err_deg, keypoint_only_iou: keypointOnly.iou },
      { predictor: 'photo', ...photo },
    ];
  },
};
