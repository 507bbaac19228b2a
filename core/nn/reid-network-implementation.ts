import * as fs from 'fs';
import * as path from 'path';
import type { ImplementationContext, Implementation } from '../plugin/category-plugin';
import { IDENTITY_RECIPES_TOKEN, type IdentityNetworkRecipe } from '../plugin/identity-recipe';
import { NETWORK_WEIGHTS_STEM } from './weights-io';
import { ReidNetwork, type ReidArch } from './reid-network';

const OPTIONS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    weights: { type: 'string', minLength: 1, description: 'weights folder (retex train-identity or retex import-weights)' },
    inputSize: {
      type: 'array',
      items: { type: 'integer', minimum: 32, maximum: 1024 },
      minItems: 2,
      maxItems: 2,
      description: '[H, W] the network resizes images to (default: the size it was trained at)',
    },
  },
} as const;

/** The weights folder a run uses (the config's, else the category's shipped one), checked to hold weights. */
export function identityWeightsFolder(arch: string, context: ImplementationContext): string {
  const given = context.options.weights as string | undefined;
  if (given != null) {
    const dir = path.resolve(given);
    checkWeightsFolder(dir, 'point identityNetwork.weights at a folder written by retex train-identity or retex import-weights');
    return dir;
  }
  const recipes = context.container.isRegistered(IDENTITY_RECIPES_TOKEN, true)
    ? context.container.resolve<Readonly<Record<string, IdentityNetworkRecipe>>>(IDENTITY_RECIPES_TOKEN)
    : {};
  const recipe = recipes[arch];
  if (recipe?.weights == null) {
    throw new Error(
      `the category '${context.config.category}' ships no '${arch}' weights: train them with ` +
        `\`retex train-identity --category ${context.config.category} --arch ${arch} --data DIR\` or import a PyTorch ` +
        `checkpoint with \`retex import-weights\`, then set identityNetwork.weights to the folder`,
    );
  }
  checkWeightsFolder(recipe.weights, `they are made by: ${recipe.reproduce ?? `retex train-identity --arch ${arch}`}`);
  return recipe.weights;
}

/**
 * @throws when `dir` holds no saved network, saying how to get one (`how`: e.g. the recipe's command).
 */
export function checkWeightsFolder(dir: string, how: string): void {
  if (!fs.existsSync(path.join(dir, `${NETWORK_WEIGHTS_STEM}.json`))) {
    throw new Error(`${dir} holds no re-ID weights (${NETWORK_WEIGHTS_STEM}.json is missing): ${how}`);
  }
}

function reidImplementation(arch: ReidArch, description: string): Implementation<'identityNetwork'> {
  return {
    description,
    optionsSchema: OPTIONS_SCHEMA,
    create: async (context) => {
      const dir = identityWeightsFolder(arch, context);
      const inputSize = context.options.inputSize as [number, number] | undefined;
      const net = await ReidNetwork.load(dir, inputSize ? { inputSize } : {});
      if (net.config.arch !== arch) {
        net.dispose();
        throw new Error(`${dir} holds a '${net.config.arch}' network, not '${arch}': set identityNetwork.type to '${net.config.arch}'`);
      }
      return net;
    },
  };
}

/** Core's re-ID identity networks; the weights come from the config or the category's plugin. */
export const REID_IMPLEMENTATIONS: Readonly<Record<ReidArch, Implementation<'identityNetwork'>>> = {
  pcb: reidImplementation('pcb', 'PCB re-ID network (ResNet trunk, last stride 1, horizontal stripes), frozen; features = its 4 residual stages'),
  resnet: reidImplementation('resnet', 'global-pool ResNet re-ID network (torchreid style, last stride 2), frozen; features = its 4 residual stages'),
};
