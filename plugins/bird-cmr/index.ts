import type { CategoryPlugin } from '../../core/plugin';

/**
 * Birds: a CMR-style mean shape with a weak-perspective camera, CUB-200-2011 data and a bird re-ID network
 * (birds of one species play the role of one identity).
 */
export const birdCmrPlugin: CategoryPlugin = {
  id: 'bird-cmr',
  categories: ['bird'],
  description: 'CMR-style bird mean shape, weak-perspective camera, CUB-200-2011 data, bird re-ID network',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      subdivisions: {
        description: 'icosphere subdivision level of the mean shape (3 gives 642 vertices / 1,280 faces, as CMR)',
        type: 'integer',
        minimum: 2,
        maximum: 5,
      },
    },
  },
  implementations: {},
};
