import type { PluginBenchmark } from '../../../core/plugin';
import { benchKeypointFit } from './fit-bench';

/**
 * `retex bench fit --category human`: keypoint-fit on people rendered from the built-in body with known
 * pose, shape and camera, at the config's image size.
 */
export const HUMAN_FIT_BENCHMARK: PluginBenchmark = {
  description: 'keypoint-fit on rendered people with known parameters: keypoint reprojection error, silhouette IoU, time per image',
  async run({ config, count, onNote }) {
    const images = count ?? 8;
    onNote(`keypoint-fit on ${images} rendered people at ${config.image.height}x${config.image.width}`);
    const result = await benchKeypointFit({ images, height: config.image.height, width: config.image.width });
    for (const failure of result.failures) onNote(`rejected ${failure}`);
    const { failures, ...figures } = result;
    return [{ predictor: 'keypoint-fit', ...figures, rejected: failures.length }];
  },
};
