import pc from 'picocolors';
import Table from 'cli-table3';

/** Figures and results go to stdout; progress and notes go to stderr so `--json` output stays parseable. */
export function note(message: string): void {
  process.stderr.write(`${pc.dim(message)}\n`);
}

/** Prints one JSON document on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLine(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/**
 * A terminal table whose borders and header are coloured only where colours are on (picocolors follows
 * NO_COLOR, FORCE_COLOR and whether stdout is a terminal), so piped output holds no escape codes.
 */
export function outputTable(head: string[]): Table.Table {
  const colour = pc.isColorSupported && process.stdout.isTTY === true;
  return new Table({ head, style: colour ? { head: [] } : { head: [], border: [] } });
}
