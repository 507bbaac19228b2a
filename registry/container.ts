import { container as rootContainer } from 'tsyringe';
import type { DependencyContainer } from 'tsyringe';
import { CONFIG_TOKEN, IDENTITY_RECIPES_TOKEN, ROLE_TOKENS, ROLES, TEXTURE_REGIONS_TOKEN } from '../core/plugin';
import type { RetexConfig, Role, RoleLoader, RoleTypes } from '../core/plugin';
import type { PluginRegistry } from './plugin-registry';

/**
 * A child container for one run: the config, a loader per role bound to the implementation the config
 * names, and the plugin's own extra bindings. Nothing is loaded until a role is resolved.
 */
export function createRunContainer(registry: PluginRegistry, config: RetexConfig): DependencyContainer {
  const plugin = registry.get(config.plugin);
  const child = rootContainer.createChildContainer();
  child.register(CONFIG_TOKEN, { useValue: config });
  child.register(IDENTITY_RECIPES_TOKEN, { useValue: plugin.identityNetworks ?? {} });
  child.register(TEXTURE_REGIONS_TOKEN, { useValue: plugin.textureRegions ?? null });
  for (const role of ROLES) {
    child.register(ROLE_TOKENS[role], {
      useFactory: (c) => roleLoader(registry, role, config, c),
    });
  }
  try {
    plugin.register?.(child, config);
  } catch (err) {
    throw new Error(`plugin '${plugin.id}' failed to register: ${(err as Error).message}`);
  }
  return child;
}

function roleLoader<R extends Role>(
  registry: PluginRegistry,
  role: R,
  config: RetexConfig,
  container: DependencyContainer,
): RoleLoader<R> {
  return async () => {
    const plugin = registry.get(config.plugin);
    const { type, ...options } = config[role];
    const entry = registry.implementation(plugin, role, type);
    try {
      return await entry.implementation.create({ config, options, container });
    } catch (err) {
      throw new Error(`${entry.source}: ${role} '${type}' failed to load: ${(err as Error).message}`);
    }
  };
}

/** Loads the implementation of `role` the run's config names. @throws naming the plugin and role. */
export function resolveRole<R extends Role>(container: DependencyContainer, role: R): Promise<RoleTypes[R]> {
  return container.resolve<RoleLoader<R>>(ROLE_TOKENS[role])();
}
