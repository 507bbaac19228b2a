import { Command } from 'commander';
import { benchRenderCommand } from './bench-render';

/** `retex bench <name>`: benchmarks that print their figures (and `--json`). */
export function benchCommand(): Command {
  return new Command('bench')
    .description('measure speed against the named goals and peers (see BENCHMARKS.md)')
    .addCommand(benchRenderCommand());
}
