import type { CategoryPlugin } from '../../core/plugin';

/**
 * People: an SMPL-family body (real SMPL files or retex's open built-in body), mesh predictors that align it
 * to a photo, a PCB re-ID network and Market-1501-style data.
 */
export const humanSmplPlugin: CategoryPlugin = {
  id: 'human-smpl',
  categories: ['human'],
  description: 'SMPL-family human body, pose/shape fitting, PCB re-ID network, Market-1501 data',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      bodyModel: {
        description: "'builtin' (retex's open body) or the path of a licensed SMPL .npz/.json file",
        type: 'string',
        minLength: 1,
      },
    },
  },
  implementations: {},
};
