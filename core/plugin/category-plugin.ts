import type { DependencyContainer } from 'tsyringe';
import type { Mesh } from '../interfaces/mesh';
import type { InputFingerprints } from '../synth/synth-inputs';
import type { RetexConfig } from './config-types';
import type { IdentityNetworkRecipe } from './identity-recipe';
import type { PhotoSubject } from './photo-subject';
import type { Role, RoleTypes } from './roles';
import type { TextureSymmetry } from './texture-symmetry';

/** A JSON Schema object (draft-07, as ajv reads it). */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** What an implementation's factory receives. */
export interface ImplementationContext {
  /** The whole validated config of the run. */
  readonly config: RetexConfig;
  /** This role's config section (already validated against `optionsSchema`). */
  readonly options: Readonly<Record<string, unknown>>;
  /** The run's container, to resolve other roles (e.g. a predictor that needs the renderer). */
  readonly container: DependencyContainer;
}

/** One implementation of one role, e.g. the `keypoint-fit` mesh predictor. */
export interface Implementation<R extends Role> {
  /** One line for `retex plugins`. */
  readonly description: string;
  /** JSON Schema of the role section's options besides `type` (omit for none). */
  readonly optionsSchema?: JsonSchema;
  /** Builds the implementation (loads weights, files). */
  create(context: ImplementationContext): Promise<RoleTypes[R]>;
}

/** Implementations keyed by role, then by implementation id. */
export type ImplementationTable = { readonly [R in Role]?: Readonly<Record<string, Implementation<R>>> };

/**
 * A category plugin: a plain object, registered from the registry's one list, never on import.
 */
export interface CategoryPlugin extends PluginRegistrationHook {
  /** Unique id, also the folder name under plugins/ (e.g. `human-smpl`). */
  readonly id: string;
  /** Categories it serves (e.g. `['human']`). */
  readonly categories: readonly string[];
  readonly description: string;
  /** JSON Schema of `config.pluginOptions`. */
  readonly configSchema: JsonSchema;
  /** What the plugin provides for each role. A role absent here is not provided by this plugin. */
  readonly implementations: ImplementationTable;
  /** Category-specific benchmarks, run by `retex bench <name> --category <category>` (e.g. `fit`). */
  readonly benchmarks?: Readonly<Record<string, PluginBenchmark>>;
  /** Writes a synthetic data set of the category with ground truth (`retex synth --category <category>`). */
  readonly synth?: SyntheticDataWriter;
  /**
   * Re-ID networks for the category by architecture id (`pcb`, `resnet`): the recipe `retex train-identity`
   * follows and the shipped weights the `identityNetwork` role loads by default.
   */
  readonly identityNetworks?: Readonly<Record<string, IdentityNetworkRecipe>>;
  /** Named UV regions of the category's texture (face, hands) and reference textures for them (the face term). */
  readonly textureRegions?: TextureRegions;
  /** The texture generator the plugin ships, trained by `retex train` (the default of `retex eval-generator`). */
  readonly generator?: ShippedGenerator;
  /** The category's mesh at rest (template shape, rest pose), in its model space (y up, facing +z). */
  templateMesh?(config: RetexConfig): Promise<Mesh>;
  /** How `retex run` finds and frames the subject in a whole photo. */
  readonly photo?: PhotoSubject;
  /** Left-right symmetry and parts of the texture (the `project` method of `retex run`). */
  readonly textureSymmetry?: TextureSymmetry;
}

/** A trained U-Net a plugin ships. */
export interface ShippedGenerator {
  readonly description: string;
  /** Absolute path of the model folder `retex train` wrote (`<run>/model`). */
  readonly weights: string;
  /** The commands that reproduce it (shown when the folder is missing). */
  readonly reproduce: string;
}

/**
 * Named regions of a category's UV texture and reference textures to compare them with: what the `face`
 * loss term needs (the method's face and hand masks, paired with unpaired scanned textures).
 */
export interface TextureRegions {
  /** The region names the plugin knows, e.g. `['face', 'hands']`. */
  readonly names: readonly string[];
  /** Regions the `face` loss term uses by default. */
  readonly defaultRegions: readonly string[];
  /**
   * The union of the named regions as a texture mask.
   * @returns float32 [Th*Tw] in {0,1}, row 0 at v = 1 (the renderer's texel convention)
   * @throws naming the known regions when one is unknown
   */
  mask(config: RetexConfig, regions: readonly string[], textureSize: readonly [number, number]): Promise<Float32Array>;
  /**
   * The reference textures the plugin ships, resized to `textureSize`.
   * @returns float32 [Th*Tw*3] each, RGB in [-1,1], row-major
   */
  referenceTextures(config: RetexConfig, textureSize: readonly [number, number]): Promise<Float32Array[]>;
}

/** What `retex synth` asks a plugin's synthetic data writer for. */
export interface SynthContext {
  /** Output folder (created; an existing partial run there is completed, not redone). */
  readonly out: string;
  /** Subjects: identities (humans) or species (birds); the writer's default when absent. */
  readonly subjects?: number;
  /** Images per subject; the writer's default when absent. */
  readonly imagesPerSubject?: number;
  /** Image size [H, W]; the writer's default when absent. */
  readonly size?: readonly [number, number];
  /** Seed: the same seed and options give the same bytes. */
  readonly seed: number;
  /** Folder of background photos to crop from instead of procedural backgrounds. */
  readonly backgrounds?: string;
  /** Folder of texture PNGs (one subject per file) to render instead of procedural ones. */
  readonly textures?: string;
  /** Progress: `done` of `total` images exist (written now or found from an earlier run). */
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * The content of the input images (`backgrounds`, `textures`) as checked before the run: pass it to
   * `SynthFolder.open` so the folder's plan records the inputs by content, not only by name.
   */
  readonly inputs?: InputFingerprints;
}

/** What a synthetic data writer did. */
export interface SynthSummary {
  readonly out: string;
  /** Layout of the folder, e.g. `market1501` or `cub200`. */
  readonly layout: string;
  readonly subjects: number;
  readonly images: number;
  /** Images written by this run (the rest were already there). */
  readonly written: number;
  readonly size: readonly [number, number];
  /** Images per split, e.g. `{ train: 120, test: 60, query: 20 }`. */
  readonly splits: Readonly<Record<string, number>>;
  /** Total bytes of the image files (not the ground truth). */
  readonly imageBytes: number;
}

/** A plugin's generator of synthetic data sets in its category's standard layout, with ground truth. */
export interface SyntheticDataWriter {
  readonly description: string;
  /** Default [subjects, imagesPerSubject, H, W] for `retex synth` and `retex bench synth`. */
  readonly defaults: { readonly subjects: number; readonly imagesPerSubject: number; readonly size: readonly [number, number] };
  run(context: SynthContext): Promise<SynthSummary>;
}

/** What a plugin benchmark receives. */
export interface PluginBenchmarkContext {
  /** The run's validated config (backend already initialised). */
  readonly config: RetexConfig;
  /** How many samples to score; the benchmark's own default when absent. */
  readonly count?: number;
  /** Progress for the user (stderr). */
  readonly onNote: (message: string) => void;
  /** Items done of the current part (after each image): the CLI shows a bar, or a line every tenth. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** A benchmark a plugin offers: one row of figures per measured variant (e.g. per mesh predictor). */
export interface PluginBenchmark {
  readonly description: string;
  run(context: PluginBenchmarkContext): Promise<readonly Readonly<Record<string, unknown>>[]>;
}

/** Optional extra bindings a plugin makes in a run's container (e.g. its body model), besides its roles. */
export interface PluginRegistrationHook {
  register?(container: DependencyContainer, config: RetexConfig): void;
}
