import type { BackendRequest } from '../backend/backend';
import type { Role } from './roles';

/** A role's config section: which implementation, plus that implementation's own options. */
export interface RoleSection {
  readonly type: string;
  readonly [option: string]: unknown;
}

/** The merged configuration of a run (configs/<category>.json + the user's retex config + CLI flags). */
export type RetexConfig = {
  /** Category name, e.g. `human` or `bird`. */
  readonly category: string;
  /** Id of the plugin that serves the category. */
  readonly plugin: string;
  /** Plugin-wide options, validated by the plugin's own schema. */
  readonly pluginOptions: Readonly<Record<string, unknown>>;
  readonly backend: BackendRequest;
  /** Input image size [height, width]. */
  readonly image: { readonly height: number; readonly width: number };
  /** UV texture size [height, width]. */
  readonly texture: { readonly height: number; readonly width: number };
  readonly train: Readonly<TrainSettings>;
} & { readonly [R in Role]: RoleSection };

/** Training settings (the method's recipe is the default: Adam 1e-4, 4 identities x 4 images). */
export interface TrainSettings {
  identitiesPerBatch: number;
  imagesPerIdentity: number;
  epochs: number;
  learningRate: number;
  weightDecay: number;
  checkpointEvery: number;
  seed: number;
}
