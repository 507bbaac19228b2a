import * as path from 'path';
import { buildProgram } from '../core/cli/program';
import type { CliServices, PluginSummary } from '../core/cli/services';
import { ROLES } from '../core/plugin';
import { loadConfig } from './config/load-config';
import { createRunContainer, resolveRole } from './container';
import { PluginRegistry } from './plugin-registry';
import { ALL_PLUGINS } from './plugins';

/** The CLI's view of a registry. */
export function cliServices(registry: PluginRegistry): CliServices {
  return {
    plugins: (): PluginSummary[] =>
      registry.plugins.map((plugin) => ({
        id: plugin.id,
        categories: plugin.categories,
        description: plugin.description,
        roles: Object.fromEntries(
          ROLES.map((role) => [
            role,
            registry.implementations(plugin, role).map((e) => ({
              id: e.id,
              source: e.source,
              description: e.implementation.description,
            })),
          ]),
        ) as unknown as PluginSummary['roles'],
      })),
    loadConfig: (request) => loadConfig(registry, request),
    pluginBenchmark: (category, name) => {
      const plugin = registry.forCategory(category);
      const benchmark = plugin.benchmarks?.[name];
      if (!benchmark) {
        const known = Object.keys(plugin.benchmarks ?? {});
        throw new Error(
          `plugin '${plugin.id}' (category '${category}') has no '${name}' benchmark` +
            (known.length ? `; it has: ${known.join(', ')}` : ' yet'),
        );
      }
      return benchmark;
    },
    pluginSynth: (category) => {
      const plugin = registry.forCategory(category);
      if (!plugin.synth) throw new Error(`plugin '${plugin.id}' (category '${category}') has no synthetic data writer yet`);
      return plugin.synth;
    },
    loadRole: (config, role) => resolveRole(createRunContainer(registry, config), role),
    roleWorkerModule: path.join(__dirname, 'role-workers.js'),
    shippedGenerator: (category) => registry.forCategory(category).generator ?? null,
    identityRecipes: (category) => registry.forCategory(category).identityNetworks ?? {},
    photoSubject: (category) => {
      const plugin = registry.forCategory(category);
      if (!plugin.photo) throw new Error(`plugin '${plugin.id}' (category '${category}') cannot find its subject in photos yet (no 'photo' in the plugin)`);
      return plugin.photo;
    },
    textureSymmetry: (category) => registry.forCategory(category).textureSymmetry ?? null,
    templateMesh: async (config) => {
      const plugin = registry.forCategory(config.category);
      if (!plugin.templateMesh) throw new Error(`plugin '${plugin.id}' (category '${config.category}') has no template mesh`);
      return plugin.templateMesh(config);
    },
  };
}

/** Composition root of the `retex` binary. */
export async function main(argv: readonly string[]): Promise<void> {
  const program = buildProgram(cliServices(new PluginRegistry(ALL_PLUGINS)));
  await program.parseAsync([...argv]);
}
