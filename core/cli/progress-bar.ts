import { SingleBar } from 'cli-progress';

/** A progress bar on stderr, or undefined when disabled (no TTY, --no-progress). */
export function progressBar(enabled: boolean, format: string): SingleBar | undefined {
  return enabled ? new SingleBar({ format, stream: process.stderr, hideCursor: true }) : undefined;
}
