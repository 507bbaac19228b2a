import type { Mesh } from '../interfaces/mesh';
import type {
  IdentityNetworkRecipe,
  PhotoSubject,
  PluginBenchmark,
  RetexConfig,
  Role,
  RoleTypes,
  ShippedGenerator,
  SyntheticDataWriter,
  TextureSymmetry,
} from '../plugin';

/** One implementation of a role, as `retex plugins` lists it. */
export interface ImplementationSummary {
  readonly id: string;
  /** `core` or the plugin id. */
  readonly source: string;
  readonly description: string;
}

/** A plugin, the categories it serves, and what each role has for its category. */
export interface PluginSummary {
  readonly id: string;
  readonly categories: readonly string[];
  readonly description: string;
  /** Every role; an empty list means the role is not provided yet. */
  readonly roles: Readonly<Record<Role, readonly ImplementationSummary[]>>;
}

/** What the user asked for on the command line. */
export interface ConfigRequest {
  /** Category to run; defaults to the user config's `category`. */
  readonly category?: string;
  /** Explicit config file (otherwise searched from `cwd`: retex.config.*, .retexrc, package.json#retex). */
  readonly configPath?: string;
  readonly cwd?: string;
  /** Last-word overrides from CLI flags, e.g. `{ backend: 'wasm' }`. */
  readonly overrides?: Readonly<Record<string, unknown>>;
}

/** The merged config and the files it came from, in merge order. */
export interface LoadedConfig {
  readonly config: RetexConfig;
  readonly sources: readonly string[];
}

/**
 * What the CLI needs from the plugin side. core/ never imports plugins/ or registry/: the registry
 * builds these services and hands them to the CLI (the composition root is registry/cli-main.ts).
 */
export interface CliServices {
  plugins(): readonly PluginSummary[];
  loadConfig(request: ConfigRequest): Promise<LoadedConfig>;
  /**
   * The benchmark `name` of the plugin serving `category`.
   * @throws naming the benchmarks that plugin has.
   */
  pluginBenchmark(category: string, name: string): PluginBenchmark;
  /**
   * The synthetic data writer of the plugin serving `category`.
   * @throws when that plugin has none
   */
  pluginSynth(category: string): SyntheticDataWriter;
  /**
   * Loads the implementation of `role` that the config names, in a fresh run container.
   * @throws naming the plugin and role when it fails
   */
  loadRole<R extends Role>(config: RetexConfig, role: R): Promise<RoleTypes[R]>;
  /**
   * Absolute path of the compiled module whose factories rebuild a run's roles inside worker threads
   * (`createPrepareProcessor`, `createTextureTask`; see registry/role-workers.ts).
   */
  readonly roleWorkerModule: string;
  /** The texture generator the plugin serving `category` ships, or null. */
  shippedGenerator(category: string): ShippedGenerator | null;
  /** The re-ID network recipes of the plugin serving `category`, by architecture id (may be empty). */
  identityRecipes(category: string): Readonly<Record<string, IdentityNetworkRecipe>>;
  /**
   * How `retex run` finds the category's subject in a photo.
   * @throws when the plugin serving `category` has none
   */
  photoSubject(category: string): PhotoSubject;
  /** The texture's symmetry and parts (the `project` method), or null when the plugin has none. */
  textureSymmetry(category: string): TextureSymmetry | null;
  /**
   * The category's template mesh (rest pose), for `retex mesh`.
   * @throws when the plugin serving `category` has none
   */
  templateMesh(config: RetexConfig): Promise<Mesh>;
}
