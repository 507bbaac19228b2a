import { Command } from 'commander';
import { ROLES } from '../../plugin';
import { printJson, printLine, outputTable } from '../output';
import type { CliServices, PluginSummary } from '../services';

export interface PluginsOptions {
  readonly json?: boolean;
}

/** Lists plugins, their categories and, per role, the implementations available (or "not provided yet"). */
export function runPlugins(services: CliServices, options: PluginsOptions): readonly PluginSummary[] {
  const plugins = services.plugins();
  if (options.json) {
    printJson(plugins);
    return plugins;
  }
  for (const plugin of plugins) {
    printLine(`${plugin.id}  (category: ${plugin.categories.join(', ')})  ${plugin.description}`);
    const table = outputTable(['role', 'implementations']);
    for (const role of ROLES) {
      const impls = plugin.roles[role];
      table.push([
        role,
        impls.length === 0 ? 'not provided yet' : impls.map((i) => `${i.id} [${i.source}]: ${i.description}`).join('\n'),
      ]);
    }
    printLine(table.toString());
    printLine();
  }
  return plugins;
}

export function pluginsCommand(services: CliServices): Command {
  return new Command('plugins')
    .description('list plugins, the categories they serve and what each provides for every role')
    .option('--json', 'machine-readable output')
    .action((options: PluginsOptions) => {
      runPlugins(services, options);
    });
}
