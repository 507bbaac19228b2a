import type { ReidNetworkConfig } from '../nn/reid-network';
import type { AugmentOptions } from '../train/identity/augment';
import type { IdentityTrainSettings } from '../train/identity/identity-trainer';

/** Training defaults of `retex train-identity` for one architecture of one category. */
export interface IdentityTrainDefaults extends IdentityTrainSettings {
  /** Augmentation strengths (defaults of `augmentImage` where absent). */
  readonly augment?: AugmentOptions;
}

/**
 * A re-ID network a plugin trains (and may ship) for its category, keyed by architecture id (`pcb`,
 * `resnet`): what `retex train-identity --arch <id>` builds and what the `identityNetwork` role loads when
 * the config names no weights folder.
 */
export interface IdentityNetworkRecipe {
  readonly description: string;
  /** The network's settings; `numClasses` comes from the training data. */
  readonly network: Partial<ReidNetworkConfig>;
  readonly train: IdentityTrainDefaults;
  /** Absolute path of the shipped weights folder, when the plugin ships them. */
  readonly weights?: string;
  /** The command that reproduces the shipped weights (shown when they are missing). */
  readonly reproduce?: string;
}

/** Injection token of the run's category's recipes, `Readonly<Record<string, IdentityNetworkRecipe>>`. */
export const IDENTITY_RECIPES_TOKEN = Symbol.for('retex.IDENTITY_RECIPES');
