import { Command } from 'commander';
import { benchRenderCommand } from './bench-render';
import { benchTrainStepCommand } from './bench-train-step';

/** `retex bench <name>`: benchmarks that print their figures (and `--json`). */
export function benchCommand(): Command {
  return new Command('bench')
    .description('measure speed against the named goals and peers (see BENCHMARKS.md)')
    .addCommand(benchTrainStepCommand())
    .addCommand(benchRenderCommand());
}
