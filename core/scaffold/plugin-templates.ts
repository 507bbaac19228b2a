import { SUPERVISION_WEIGHTS } from '../losses/weighted-loss';

/** What the templates of `retex new-plugin` are filled with. */
export interface PluginTemplateValues {
  /** Plugin id, also its folder under plugins/ (kebab-case). */
  readonly id: string;
  /** The category it serves. */
  readonly category: string;
  /** The exported constant, e.g. `faceMeshPlugin`. */
  readonly constant: string;
}

/** `face-mesh` -> `faceMeshPlugin`. */
export function pluginConstantName(id: string): string {
  return `${id.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase())}Plugin`;
}

/**
 * plugins/<id>/index.ts: a plugin with no implementations yet and a TODO per role. Nothing is stubbed:
 * `retex plugins` reports the roles the author has not written as "not provided yet".
 */
export function pluginIndexTemplate({ id, category, constant }: PluginTemplateValues): string {
  return `import type { CategoryPlugin } from '../../core/plugin';

/**
 * The '${category}' category. Written by \`retex new-plugin\`; docs/writing-a-plugin.md walks through each
 * step below, and spec/plugins/${id}/contract.spec.ts checks the result.
 *
 * Core already provides, for every category: textureGenerator 'unet', renderer 'rasterizer', identityNetwork
 * 'pcb' / 'resnet' (weights from identityNetworks below or the config) and 'generic-features', and loss
 * 'weighted'. configs/${category}.json picks among them.
 *
 * TODO, the roles only this plugin can provide (until then \`retex plugins\` lists them as "not provided yet"
 * and the contract spec reports their checks as pending):
 *
 * - meshPredictor (core/interfaces/mesh-predictor.ts): places the category's mesh in an image and returns
 *   { mesh, camera } (AlignedMesh). predict() takes float32 [H,W,3] in [-1,1] and must throw a message a
 *   user can act on when the image shows no ${category}. configs/${category}.json names it 'photo'; add
 *     meshPredictor: { photo: { description, optionsSchema, create: async ({ config, options }) => new MyPredictor(...) } }
 * - dataset (core/interfaces/dataset.ts): reads a folder of images with identity labels in splits
 *   ('train', 'test', ...); loadImage() gives float32 [H,W,3] in [-1,1] at config.image. configs names it
 *   'images'; its options must take \`root\` (retex prepare/train pass --data as dataset.root).
 *
 * Optional, each unlocking a command (see the guide): synth (retex synth, and the tiny set of the contract
 * spec), photo (retex run on whole photos), templateMesh (retex mesh), textureSymmetry (retex run -m project),
 * textureRegions (the 'face' loss term), identityNetworks (retex train-identity, the shipped re-ID net),
 * generator (the default model of retex run / eval-generator), benchmarks (retex bench <name>).
 */
export const ${constant}: CategoryPlugin = {
  id: '${id}',
  categories: ['${category}'],
  description: 'TODO: one line on what this plugin provides for ${category}',
  // JSON Schema of config.pluginOptions (plugin-wide options, e.g. a mesh file); none yet.
  configSchema: { type: 'object', additionalProperties: false, properties: {} },
  implementations: {
    // meshPredictor: { photo: { ... } },  TODO (see above)
    // dataset: { images: { ... } },       TODO (see above)
  },
};
`;
}

/** configs/<category>.json: core's implementations where core has them, the plugin's roles by the names the TODOs use. */
export function pluginConfigTemplate({ id, category }: PluginTemplateValues): string {
  const config = {
    category,
    plugin: id,
    pluginOptions: {},
    backend: 'auto',
    image: { height: 128, width: 128 },
    texture: { height: 64, width: 64 },
    meshPredictor: { type: 'photo' },
    textureGenerator: { type: 'unet', width: 1 },
    renderer: { type: 'rasterizer', sampling: 'bilinear' },
    identityNetwork: { type: 'generic-features' },
    dataset: { type: 'images' },
    loss: { type: 'weighted', terms: { reid: SUPERVISION_WEIGHTS.reid } },
    train: { identitiesPerBatch: 4, imagesPerIdentity: 4, epochs: 120, learningRate: 0.0001, weightDecay: 0.00001, checkpointEvery: 1, seed: 0 },
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** spec/plugins/<id>/contract.spec.ts: the contract suite on the new plugin. */
export function pluginSpecTemplate({ id, constant }: PluginTemplateValues): string {
  return `import { ${constant} } from '../../../plugins/${id}';
import { describeCategoryPlugin } from '../../helpers/plugin-contract';

// The contract every category plugin meets. Checks of roles and extensions the plugin does not provide yet
// are reported as pending. Fixtures (a tiny data set maker, a photo, the no-subject message) are described
// in spec/helpers/plugin-contract.ts and docs/writing-a-plugin.md.
describeCategoryPlugin(${constant}, {});
`;
}
