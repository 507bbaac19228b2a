import { ALL_PLUGINS } from './plugins';
import { PluginRegistry } from './plugin-registry';

export { PluginRegistry } from './plugin-registry';
export { createRunContainer, resolveRole } from './container';
export { loadConfig, deepMerge, defaultConfigDir } from './config/load-config';
export { ConfigError } from './config/validate';
export { ALL_PLUGINS } from './plugins';

/** The registry of every plugin retex ships. */
export function defaultRegistry(): PluginRegistry {
  return new PluginRegistry(ALL_PLUGINS);
}
