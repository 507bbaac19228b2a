import { WEIGHTED_LOSS_IMPLEMENTATION } from '../losses/loss-implementation';
import { GENERIC_FEATURES_IMPLEMENTATION } from '../nn/graph-feature-network-implementation';
import { REID_IMPLEMENTATIONS } from '../nn/reid-network-implementation';
import { GENERATOR_INPUTS, type GeneratorInput } from '../interfaces/texture-generator';
import { UNet } from '../nn/unet';
import { SparseRenderer } from '../renderer/sparse-renderer';
import type { CullMode } from '../renderer/rasterizer';
import type { ImplementationTable } from './category-plugin';

/**
 * Implementations that core itself provides for every category. A plugin may add implementations of the
 * same roles under other ids, but may not reuse these ids. A role missing here and in the plugin is
 * reported as not provided.
 */
export const CORE_IMPLEMENTATIONS: ImplementationTable = {
  loss: { weighted: WEIGHTED_LOSS_IMPLEMENTATION },
  identityNetwork: { ...REID_IMPLEMENTATIONS, 'generic-features': GENERIC_FEATURES_IMPLEMENTATION },
  renderer: {
    rasterizer: {
      description: 'CPU z-buffer rasterizer to sparse texture-to-image operators (nearest or bilinear taps)',
      optionsSchema: {
        type: 'object',
        additionalProperties: false,
        properties: {
          sampling: { enum: ['nearest', 'bilinear'] },
          cull: { enum: ['none', 'back', 'front'] },
        },
      },
      create: async ({ options }) => new SparseRenderer({ cull: options.cull as CullMode | undefined }),
    },
  },
  textureGenerator: {
    unet: {
      description: "the paper's U-Net (64-128-256-512-512 channels x width), image -> UV texture",
      optionsSchema: {
        type: 'object',
        additionalProperties: false,
        properties: {
          width: { type: 'number', exclusiveMinimum: 0, maximum: 4 },
          seed: { type: 'integer', minimum: 0 },
          weights: { type: 'string', minLength: 1, description: 'folder of weights saved by retex train' },
          input: { enum: [...GENERATOR_INPUTS], description: "what the U-Net reads: the photo (the paper) or the project method's texture" },
        },
      },
      create: async ({ config, options }) => {
        if (typeof options.weights === 'string') {
          const net = await UNet.load(options.weights);
          // A U-Net that reads projections takes textures; one that reads photos, images.
          const key = net.input === 'projection' ? 'texture' : 'image';
          const [h, w] = net.inputSize;
          const { height: eh, width: ew } = config[key];
          if (h !== eh || w !== ew) {
            net.dispose();
            throw new Error(
              `the U-Net in ${options.weights} takes ${h}x${w} ${key}s but the config's ${key} is ` +
                `${eh}x${ew}: set "${key}" to match, or train new weights`,
            );
          }
          return net;
        }
        const textureSize: [number, number] = [config.texture.height, config.texture.width];
        const input = (options.input as GeneratorInput | undefined) ?? 'photo';
        return new UNet({
          width: options.width as number | undefined,
          seed: options.seed as number | undefined,
          input,
          inputSize: input === 'projection' ? textureSize : [config.image.height, config.image.width],
          textureSize,
        });
      },
    },
  },
};
