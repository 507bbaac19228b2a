import type { Dataset } from '../interfaces/dataset';
import type { IdentityNetwork } from '../interfaces/identity-network';
import type { Loss } from '../interfaces/loss';
import type { MeshPredictor } from '../interfaces/mesh-predictor';
import type { Renderer } from '../interfaces/renderer';
import type { TextureGenerator } from '../interfaces/texture-generator';

/**
 * The roles a run needs, each configured by a config section `{ "type": "<implementation id>", ...options }`
 * of the same name.
 */
export const ROLES = ['meshPredictor', 'textureGenerator', 'renderer', 'identityNetwork', 'dataset', 'loss'] as const;
export type Role = (typeof ROLES)[number];

/** The interface each role's implementations satisfy. */
export interface RoleTypes {
  meshPredictor: MeshPredictor;
  textureGenerator: TextureGenerator;
  renderer: Renderer;
  identityNetwork: IdentityNetwork;
  dataset: Dataset;
  loss: Loss;
}

/** Injection tokens, one per role (tsyringe). Each resolves to a `RoleLoader` of that role. */
export const ROLE_TOKENS: Readonly<Record<Role, symbol>> = Object.freeze({
  meshPredictor: Symbol.for('retex.MESH_PREDICTOR'),
  textureGenerator: Symbol.for('retex.TEXTURE_GENERATOR'),
  renderer: Symbol.for('retex.RENDERER'),
  identityNetwork: Symbol.for('retex.IDENTITY_NETWORK'),
  dataset: Symbol.for('retex.DATASET'),
  loss: Symbol.for('retex.LOSS'),
});

/** Token of the validated, merged `RetexConfig` of the current run. */
export const CONFIG_TOKEN = Symbol.for('retex.CONFIG');

/** Loads a role's implementation; loading is async (weights, files), so the container holds loaders. */
export type RoleLoader<R extends Role> = () => Promise<RoleTypes[R]>;

/** Token of the run's category's `TextureRegions` (UV regions and reference textures), or null. */
export const TEXTURE_REGIONS_TOKEN = Symbol.for('retex.TEXTURE_REGIONS');
