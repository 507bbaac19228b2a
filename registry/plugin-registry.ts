import { CORE_IMPLEMENTATIONS, ROLES } from '../core/plugin';
import type { CategoryPlugin, Implementation, ImplementationTable, Role } from '../core/plugin';

/** Where an implementation comes from: core, or the plugin that serves the category. */
export interface ImplementationEntry<R extends Role> {
  readonly id: string;
  readonly source: string;
  readonly implementation: Implementation<R>;
}

/** The plugins of this build, keyed by id; built once from `ALL_PLUGINS`. */
export class PluginRegistry {
  private readonly byId = new Map<string, CategoryPlugin>();
  private readonly byCategory = new Map<string, CategoryPlugin>();

  constructor(
    plugins: readonly CategoryPlugin[],
    private readonly core: ImplementationTable = CORE_IMPLEMENTATIONS,
  ) {
    for (const plugin of plugins) this.add(plugin);
  }

  private add(plugin: CategoryPlugin): void {
    if (this.byId.has(plugin.id)) throw new Error(`plugin id '${plugin.id}' is registered twice`);
    for (const category of plugin.categories) {
      const owner = this.byCategory.get(category);
      if (owner) throw new Error(`category '${category}' is served by both '${owner.id}' and '${plugin.id}'`);
    }
    for (const role of ROLES) {
      for (const implId of Object.keys(plugin.implementations[role] ?? {})) {
        if (this.core[role]?.[implId]) {
          throw new Error(`plugin '${plugin.id}': ${role} '${implId}' clashes with core's implementation of that id`);
        }
      }
    }
    this.byId.set(plugin.id, plugin);
    for (const category of plugin.categories) this.byCategory.set(category, plugin);
  }

  get plugins(): readonly CategoryPlugin[] {
    return [...this.byId.values()];
  }

  get categories(): readonly string[] {
    return [...this.byCategory.keys()];
  }

  /** @throws naming the known plugin ids. */
  get(id: string): CategoryPlugin {
    const plugin = this.byId.get(id);
    if (!plugin) throw new Error(`unknown plugin '${id}'; known plugins: ${[...this.byId.keys()].join(', ')}`);
    return plugin;
  }

  /** @throws naming the known categories. */
  forCategory(category: string): CategoryPlugin {
    const plugin = this.byCategory.get(category);
    if (!plugin) {
      throw new Error(`unknown category '${category}'; known categories: ${this.categories.join(', ')}`);
    }
    return plugin;
  }

  /** The implementations of `role` available to `plugin`'s category: core's, then the plugin's. */
  implementations<R extends Role>(plugin: CategoryPlugin, role: R): ImplementationEntry<R>[] {
    const entries: ImplementationEntry<R>[] = [];
    const add = (table: ImplementationTable, source: string) => {
      const impls = (table[role] ?? {}) as Readonly<Record<string, Implementation<R>>>;
      for (const [id, implementation] of Object.entries(impls)) entries.push({ id, source, implementation });
    };
    add(this.core, 'core');
    add(plugin.implementations, plugin.id);
    return entries;
  }

  /**
   * The implementation a config section names.
   * @throws saying the role is not provided yet, or listing the implementations that exist.
   */
  implementation<R extends Role>(plugin: CategoryPlugin, role: R, type: string): ImplementationEntry<R> {
    const entries = this.implementations(plugin, role);
    const found = entries.find((e) => e.id === type);
    if (found) return found;
    if (entries.length === 0) {
      throw new Error(
        `${role} is not provided yet for category '${plugin.categories.join('/')}' ` +
          `(neither core nor plugin '${plugin.id}' implements it in this version of retex)`,
      );
    }
    throw new Error(
      `unknown ${role} '${type}' for plugin '${plugin.id}'; available: ${entries.map((e) => e.id).join(', ')}`,
    );
  }
}
