/** Runs `run` with stdout collected (and stderr silenced); returns what it wrote to stdout. */
export async function captureStdout(run: () => Promise<unknown>): Promise<string> {
  const written: string[] = [];
  const original = process.stdout.write.bind(process.stdout);
  const originalErr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string) => {
    written.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    await run();
  } finally {
    process.stdout.write = original;
    process.stderr.write = originalErr;
  }
  return written.join('');
}
