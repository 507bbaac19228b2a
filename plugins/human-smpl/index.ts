import type { CategoryPlugin } from '../../core/plugin';
import { Market1501Dataset } from './data/market1501-dataset';
import { HUMAN_MESH_PREDICTORS } from './predictors/mesh-predictor-implementations';
import { HUMAN_FIT_BENCHMARK } from './keypoint-fit/fit-benchmark-entry';
import { HUMAN_SYNTH } from './synth/market-synth';
import { HUMAN_IDENTITY_NETWORKS } from './identity-networks';
import { HUMAN_GENERATOR } from './generator';
import { HUMAN_TEXTURE_REGIONS } from './texture-regions';
import { HUMAN_TEXTURE_SYMMETRY } from './texture-symmetry';
import { HUMAN_PHOTO_SUBJECT } from './photo-subject';
import { loadBodyModel } from './body/load-body-model';
import { bodyOptions } from './predictors/mesh-predictor-implementations';

export { HUMAN_MESH_PREDICTORS };
export { benchKeypointFit } from './keypoint-fit/fit-bench';

export { BodyModel } from './body/body-model';
export { loadBodyModel } from './body/load-body-model';
export { uvRegionMask } from './body/uv-region-mask';

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
      bodyUvLayout: {
        description: "with a licensed SMPL file: the path of its UV layout .obj ('vt' and 'f v/vt' lines)",
        type: 'string',
        minLength: 1,
      },
    },
  },
  implementations: {
    meshPredictor: HUMAN_MESH_PREDICTORS,
    dataset: {
      market1501: {
        description: 'Market-1501 (bounding_box_train, bounding_box_test, query); P x K identity batches',
        optionsSchema: {
          type: 'object',
          additionalProperties: false,
          properties: {
            root: { description: 'the Market-1501 folder (holding bounding_box_train/ ...)', type: 'string', minLength: 1 },
            ignoreMalformed: {
              description: 'skip image files whose names break the Market-1501 pattern (default: fail)',
              type: 'boolean',
            },
          },
        },
        create: async ({ config, options }) => {
          if (typeof options.root !== 'string') {
            throw new Error('dataset.root is not set: point it at the unpacked Market-1501 folder (Market-1501-v15.09.15)');
          }
          return Market1501Dataset.load({
            root: options.root,
            size: [config.image.height, config.image.width],
            ignoreMalformed: options.ignoreMalformed as boolean | undefined,
          });
        },
      },
    },
  },
  benchmarks: { fit: HUMAN_FIT_BENCHMARK },
  synth: HUMAN_SYNTH,
  identityNetworks: HUMAN_IDENTITY_NETWORKS,
  generator: HUMAN_GENERATOR,
  textureRegions: HUMAN_TEXTURE_REGIONS,
  textureSymmetry: HUMAN_TEXTURE_SYMMETRY,
  photo: HUMAN_PHOTO_SUBJECT,
  templateMesh: async (config) => {
    const model = await loadBodyModel(bodyOptions(config.pluginOptions));
    try {
      return model.templateMesh;
    } finally {
      model.dispose();
    }
  },
};
