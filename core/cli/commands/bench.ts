import { Command } from 'commander';
import type { CliServices } from '../services';
import { benchFitCommand } from './bench-fit';
import { benchIdentityCommand } from './bench-identity';
import { benchRenderCommand } from './bench-render';
import { benchRunCommand } from './bench-run';
import { benchSynthCommand } from './bench-synth';
import { benchTrainStepCommand } from './bench-train-step';

/** `retex bench <name>`: benchmarks that print their figures (and `--json`). */
export function benchCommand(services: CliServices): Command {
  return new Command('bench')
    .description('measure speed against the named goals and peers (see BENCHMARKS.md)')
    .addCommand(benchTrainStepCommand())
    .addCommand(benchRenderCommand())
    .addCommand(benchFitCommand(services))
    .addCommand(benchSynthCommand(services))
    .addCommand(benchIdentityCommand(services))
    .addCommand(benchRunCommand(services));
}
