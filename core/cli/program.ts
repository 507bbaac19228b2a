import { Command } from 'commander';
import { backendCommand } from './commands/backend';
import { benchCommand } from './commands/bench';
import { compareCommand } from './commands/compare';
import { configCommand } from './commands/config';
import { evalGeneratorCommand } from './commands/eval-generator';
import { evalIdentityCommand } from './commands/eval-identity';
import { exportCommand } from './commands/export';
import { importWeightsCommand } from './commands/import-weights';
import { pluginsCommand } from './commands/plugins';
import { meshCommand } from './commands/mesh';
import { newPluginCommand } from './commands/new-plugin';
import { prepareCommand } from './commands/prepare';
import { runCommand } from './commands/run';
import { trainCommand } from './commands/train';
import { synthCommand } from './commands/synth';
import { trainIdentityCommand } from './commands/train-identity';
import { viewCommand } from './commands/view';
import type { CliServices } from './services';

/** The `retex` command line: one file per command under commands/. */
export function buildProgram(services: CliServices): Command {
  const program = new Command('retex')
    .description('re-identification supervised UV texture generation from a single photo')
    .showHelpAfterError()
    .addCommand(pluginsCommand(services))
    .addCommand(configCommand(services))
    .addCommand(backendCommand())
    .addCommand(runCommand(services))
    .addCommand(meshCommand(services))
    .addCommand(viewCommand())
    .addCommand(exportCommand())
    .addCommand(importWeightsCommand())
    .addCommand(synthCommand(services))
    .addCommand(prepareCommand(services))
    .addCommand(trainCommand(services))
    .addCommand(evalGeneratorCommand(services))
    .addCommand(compareCommand(services))
    .addCommand(trainIdentityCommand(services))
    .addCommand(evalIdentityCommand(services))
    .addCommand(benchCommand(services))
    .addCommand(newPluginCommand(services));
  return program;
}
