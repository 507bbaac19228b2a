import pc from 'picocolors';

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
