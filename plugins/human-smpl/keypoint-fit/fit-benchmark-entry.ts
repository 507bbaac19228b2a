import type { PluginBenchmark } from '../../../core/plugin';
import { benchKeypointFit, benchKeypointFitOnSet, type FitBenchResult } from './fit-bench';
import { syntheticSetImages } from './synthetic-set';

/** How many wrongly facing images the notes list by name. */
const LISTED_WRONG = 20;

/**
 * `retex bench fit --category human`: keypoint-fit on people with known pose, shape and camera: a
 * `retex synth --category human` set when the config's `dataset.root` is one (images evenly spaced over it),
 * else people rendered from the built-in body at the config's image size. Reports the keypoint error,
 * silhouette IoU, facing accuracy (front/back against the truth) and time per image.
 */
export const HUMAN_FIT_BENCHMARK: PluginBenchmark = {
  description:
    'keypoint-fit on people with known parameters (a retex synth set as dataset.root, else rendered ones): keypoint error, silhouette IoU, facing accuracy, time per image',
  async run({ config, count, onNote, onProgress }) {
    const images = count ?? 8;
    const root = config.dataset.root;
    let result: FitBenchResult;
    if (typeof root === 'string' && syntheticSetImages(root).length > 0) {
      onNote(`keypoint-fit on ${images} images of the synthetic set ${root}`);
      result = await benchKeypointFitOnSet(root, { images, onImage: onProgress });
    } else {
      onNote(`keypoint-fit on ${images} rendered people at ${config.image.height}x${config.image.width}`);
      result = await benchKeypointFit({ images, height: config.image.height, width: config.image.width, onImage: onProgress });
    }
    for (const failure of result.failures) onNote(`rejected ${failure}`);
    for (const wrong of result.wrong_facing.slice(0, LISTED_WRONG)) onNote(`wrong facing ${wrong}`);
    const { failures, wrong_facing: wrong, ...figures } = result;
    return [{ predictor: 'keypoint-fit', ...figures, rejected: failures.length, wrong_facing: wrong.length }];
  },
};
