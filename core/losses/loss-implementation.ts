import { GENERIC_FEATURES_IMPLEMENTATION } from '../nn/graph-feature-network-implementation';
import type { Implementation, ImplementationContext, TextureRegions } from '../plugin/category-plugin';
import { ROLE_TOKENS, TEXTURE_REGIONS_TOKEN, type RoleLoader } from '../plugin/roles';
import type { FeatureDistanceSettings } from './feature-distance';
import { FeatureTerm, PixelL1Term, RegionTerm, type LossTerm } from './loss-terms';
import { loadReferenceTextures } from './reference-textures';
import { LOSS_TERM_IDS, WeightedLoss } from './weighted-loss';

const FEATURE_OPTIONS = {
  type: 'object',
  additionalProperties: false,
  properties: {
    stages: {
      description: "'all' (default), 'last' (the deep-features-only ablation) or 0-based stage indices",
      oneOf: [{ enum: ['all', 'last'] }, { type: 'array', items: { type: 'integer', minimum: 0 }, minItems: 1, uniqueItems: true }],
    },
    stageWeights: {
      description: 'one weight per compared stage (default 1 each)',
      type: 'array',
      items: { type: 'number', minimum: 0 },
      minItems: 1,
    },
    normalise: { description: 'L2-normalise each flattened feature vector (default true, as the method)', type: 'boolean' },
  },
} as const;

function featureSettings(options: unknown, stageCount: number): FeatureDistanceSettings {
  const o = (options ?? {}) as { stages?: 'all' | 'last' | number[]; stageWeights?: number[]; normalise?: boolean };
  const stages = o.stages === 'last' ? [stageCount - 1] : o.stages === 'all' || o.stages == null ? undefined : o.stages;
  return { stages, stageWeights: o.stageWeights, normalise: o.normalise };
}

async function regionTerm(context: ImplementationContext, options: Record<string, unknown>): Promise<RegionTerm> {
  const { config, container } = context;
  const size: [number, number] = [config.texture.height, config.texture.width];
  const regions = container.resolve<TextureRegions | null>(TEXTURE_REGIONS_TOKEN);
  if (regions == null) {
    throw new Error(
      `the '${config.category}' plugin defines no UV regions, so there is no face term: remove "face" from loss.terms`,
    );
  }
  const names = (options.regions as string[] | undefined) ?? regions.defaultRegions;
  const mask = await regions.mask(config, names, size);
  const dir = options.referenceTextures as string | undefined;
  const references = dir != null ? await loadReferenceTextures(dir, size) : await regions.referenceTextures(config, size);
  return new RegionTerm(mask, references, size);
}

/**
 * `loss: { "type": "weighted", "terms": { "reid": 5000, "face": 1 }, "reid": {...}, ... }`: the method's
 * objective as a weighted sum of `reid` (the identity network's features), `perceptual` (the
 * generic-features network), `l1` (pixels) and `face` (the plugin's face/hand UV regions against
 * reference textures).
 */
export const WEIGHTED_LOSS_IMPLEMENTATION: Implementation<'loss'> = {
  description: 'weighted sum of reid, perceptual, l1 and face terms (the method: 5000 reid + 1 face)',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['terms'],
    properties: {
      terms: {
        description: 'weight of each term; terms left out (or weighted 0) are not computed',
        type: 'object',
        additionalProperties: false,
        minProperties: 1,
        properties: Object.fromEntries(LOSS_TERM_IDS.map((id) => [id, { type: 'number', minimum: 0 }])),
      },
      reid: FEATURE_OPTIONS,
      perceptual: FEATURE_OPTIONS,
      face: {
        type: 'object',
        additionalProperties: false,
        properties: {
          regions: { description: "UV regions (default the plugin's face and hands)", type: 'array', items: { type: 'string' }, minItems: 1 },
          referenceTextures: { description: 'folder of reference texture images (default the plugin\'s own)', type: 'string', minLength: 1 },
        },
      },
    },
  },
  create: async (context) => {
    const { options, container } = context;
    const weights = options.terms as Record<string, number>;
    const terms: Array<{ term: LossTerm; weight: number }> = [];
    try {
      for (const [id, weight] of Object.entries(weights)) {
        if (!(weight > 0)) continue;
        let term: LossTerm;
        if (id === 'reid' || id === 'perceptual') {
          const network =
            id === 'reid'
              ? await container.resolve<RoleLoader<'identityNetwork'>>(ROLE_TOKENS.identityNetwork)()
              : await GENERIC_FEATURES_IMPLEMENTATION.create({ ...context, options: {} });
          try {
            term = new FeatureTerm(id, network, featureSettings(options[id], network.stageNames.length));
          } catch (err) {
            network.dispose();
            throw new Error(`loss.${id}: ${(err as Error).message}`);
          }
        } else if (id === 'l1') {
          term = new PixelL1Term();
        } else {
          term = await regionTerm(context, (options.face ?? {}) as Record<string, unknown>);
        }
        terms.push({ term, weight });
      }
      return new WeightedLoss(terms);
    } catch (err) {
      for (const { term } of terms) term.dispose();
      throw err;
    }
  },
};
