import * as fs from 'fs';
import * as path from 'path';
import type { PluginBenchmark } from '../../../core/plugin';
import { CocoDetector } from '../../../core/photo/coco-detector';
import { GROUND_TRUTH_FOLDER } from '../../../core/synth/ground-truth';
import { buildBirdMeanShape, DEFAULT_SUBDIVISIONS } from '../shape/mean-shape';
import { AnnotationFitPredictor } from './annotation-fit';
import { benchmarkAnnotationFit, benchmarkPhotoFit } from './fit-benchmark';
import { PhotoPredictor } from './photo';
import { benchmarkPhotoFitOnSynthSet } from './photo-fit-synth-set';

/** Images of a synthetic set scored when `--count` is not given. */
const DEFAULT_SYNTH_SET_COUNT = 200;

/**
 * `retex bench fit --category bird`: both predictors on birds rendered with known random cameras
 * (a bird shape that differs from the mean shape, 3 px keypoint noise for annotation-fit); the photo
 * predictor twice, fitting by the silhouette alone (as before the heading network) and with it. When
 * `dataset.root` is a `retex synth --category bird` folder (e.g. one made with an unseen seed), the photo
 * predictor is also scored on its images (`--count` of them, default 200) against their true cameras.
 */
export const BIRD_FIT_BENCHMARK: PluginBenchmark = {
  description:
    'mesh predictors on rendered birds with known cameras: rotation error, silhouette IoU, head/tail accuracy, time per image ' +
    '(and on the synthetic set in dataset.root, when it has ground truth)',
  async run({ config, count, onNote, onProgress }) {
    const shape = buildBirdMeanShape((config.pluginOptions.subdivisions as number | undefined) ?? DEFAULT_SUBDIVISIONS);
    const settings = { count: count ?? 20, keypointNoisePx: 3, shapeMismatch: true, onImage: onProgress };
    onNote(`annotation-fit on ${settings.count} rendered birds`);
    const { keypoint_only: keypointOnly, ...annotation } = await benchmarkAnnotationFit(new AnnotationFitPredictor(shape), shape, settings);
    const rows: Record<string, unknown>[] = [
      { predictor: 'annotation-fit', ...annotation, keypoint_only_rot_err_deg: keypointOnly.rot_err_deg, keypoint_only_iou: keypointOnly.iou },
    ];
    const detector = await CocoDetector.load();
    // Both share the detector; `withCue` owns it (and its heading network) and disposes them.
    const silhouetteOnly = new PhotoPredictor(shape, detector, { headingWeight: 0 });
    let withCue: PhotoPredictor;
    try {
      withCue = await PhotoPredictor.create(shape, detector);
    } catch (err) {
      detector.dispose();
      throw err;
    }
    try {
      const variants: [string, PhotoPredictor][] = [
        ['photo (silhouette only)', silhouetteOnly],
        ['photo', withCue],
      ];
      for (const [name, predictor] of variants) {
        onNote(`${name} (in the bird's box) on ${settings.count} synthetic photos`);
        const { keypoint_only: _unused, ...photo } = await benchmarkPhotoFit(predictor, shape, settings);
        rows.push({ predictor: name, ...photo });
      }
      const root = config.dataset.root;
      if (typeof root === 'string' && fs.existsSync(path.join(root, GROUND_TRUTH_FOLDER, 'params'))) {
        for (const [name, predictor] of variants) {
          const n = count ?? DEFAULT_SYNTH_SET_COUNT;
          onNote(`${name} on ${n} images of ${root}`);
          const result = await benchmarkPhotoFitOnSynthSet(predictor, shape, root, { count: n, onImage: onProgress });
          rows.push({ predictor: `${name} on ${path.basename(root)}`, ...result });
        }
      }
    } finally {
      withCue.dispose();
    }
    return rows;
  },
};
