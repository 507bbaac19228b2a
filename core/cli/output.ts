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

/** Width tables are fitted to: the terminal's columns, else $COLUMNS, else 120. */
export function terminalWidth(): number {
  const columns = process.stdout.columns ?? Number(process.env.COLUMNS);
  return Number.isInteger(columns) && columns >= 40 ? columns : 120;
}

/**
 * Prints a table that fits `width`: when its columns do not fit side by side, they are printed in groups,
 * each a table of its own that repeats the first column. Cells may hold several lines.
 */
export function printFittedTable(head: string[], rows: string[][], width = terminalWidth()): void {
  const cellWidth = (c: string) => Math.max(...c.split('\n').map((l) => l.length));
  // Each column takes its widest cell plus padding (2) and a border (1).
  const widths = head.map((h, i) => Math.max(cellWidth(h), ...rows.map((r) => cellWidth(r[i] ?? ''))) + 3);
  const groups: number[][] = [];
  let current: number[] = [];
  let used = widths[0] + 1;
  for (let i = 1; i < head.length; i++) {
    if (current.length > 0 && used + widths[i] > width) {
      groups.push(current);
      current = [];
      used = widths[0] + 1;
    }
    current.push(i);
    used += widths[i];
  }
  if (current.length > 0 || head.length === 1) groups.push(current);
  // The same number of groups with their columns spread evenly reads better (4 + 3, not 3 + 3 + 1).
  const columns = head.length - 1;
  const even = groups.map((_, g) => Array.from({ length: Math.floor(((g + 1) * columns) / groups.length) - Math.floor((g * columns) / groups.length) }, (_, k) => 1 + Math.floor((g * columns) / groups.length) + k));
  const fits = (group: number[]) => group.reduce((a, i) => a + widths[i], widths[0] + 1) <= width;
  const chosen = even.every(fits) ? even : groups;
  for (const group of chosen) {
    const table = outputTable([head[0], ...group.map((i) => head[i])]);
    for (const r of rows) table.push([r[0], ...group.map((i) => r[i] ?? '')]);
    printLine(table.toString());
  }
}
