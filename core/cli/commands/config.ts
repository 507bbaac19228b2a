import { Command } from 'commander';
import { note, printJson } from '../output';
import type { CliServices, LoadedConfig } from '../services';
import { BACKEND_REQUESTS } from '../../backend/backend';

export interface ConfigOptions {
  readonly print?: boolean;
  readonly category?: string;
  readonly config?: string;
  readonly backend?: string;
}

/** Loads, merges and validates the config; with `print`, writes it as JSON on stdout. */
export async function runConfig(services: CliServices, options: ConfigOptions): Promise<LoadedConfig> {
  const loaded = await services.loadConfig({
    category: options.category,
    configPath: options.config,
    overrides: options.backend ? { backend: options.backend } : undefined,
  });
  note(`config from: ${loaded.sources.join(' + ')}${options.backend ? ' + --backend' : ''}`);
  if (options.print) printJson(loaded.config);
  else note('config is valid (use --print to see it)');
  return loaded;
}

export function configCommand(services: CliServices): Command {
  return new Command('config')
    .description('validate the merged config (configs/<category>.json + your retex config + flags)')
    .option('--print', 'print the merged config as JSON')
    .option('-c, --category <name>', 'category (e.g. human, bird)')
    .option('--config <file>', 'config file to use instead of searching for retex.config.* / .retexrc')
    .option('--backend <name>', `compute backend: ${BACKEND_REQUESTS.join('|')}`)
    .action(async (options: ConfigOptions) => {
      await runConfig(services, options);
    });
}
