import { performance } from 'perf_hooks';

/**
 * Default least warm-up time of the benches' retex runs, seconds. Fresh workers start with V8's baseline
 * code (the wasm backend's and retex's kernels tier up to optimised code over their first tens of
 * calls): the shipped people PCB's two workers took 70-150 ms per step over their first ten steps and
 * 55-74 ms after about fifteen.
 */
export const DEFAULT_WARMUP_SECONDS = 5;

/** What {@link timeSteps} measured. */
export interface StepTiming<T> {
  /** Median wall time of the timed steps, ms (the median resists other load). */
  readonly ms: number;
  /** The last step's result. */
  readonly last: T;
  /** Untimed steps run before timing. */
  readonly warmupSteps: number;
}

/**
 * Times `steps` steps after warming up: at least `warmup` untimed steps and, when `warmup` > 0, untimed
 * steps until `warmupSeconds` have passed. `warmup` 0 times from the first step.
 */
export async function timeSteps<T>(step: () => Promise<T> | T, warmup: number, steps: number, warmupSeconds = DEFAULT_WARMUP_SECONDS): Promise<StepTiming<T>> {
  let last: T | undefined;
  let warmupSteps = 0;
  const start = performance.now();
  while (warmupSteps < warmup || (warmup > 0 && performance.now() - start < warmupSeconds * 1000)) {
    last = await step();
    warmupSteps++;
  }
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    last = await step();
    times.push(performance.now() - t0);
  }
  return { ms: median(times), last: last as T, warmupSteps };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Checks a --warmup value (untimed steps before timing); default 2. */
export function warmupOption(value: number | undefined): number {
  const warmup = value ?? 2;
  if (!Number.isInteger(warmup) || warmup < 0) throw new Error(`--warmup must be an integer >= 0, got ${warmup}`);
  return warmup;
}

/** Checks a --warmup-seconds value. */
export function warmupSecondsOption(value: number | undefined): number {
  const s = value ?? DEFAULT_WARMUP_SECONDS;
  if (!(s >= 0 && Number.isFinite(s))) throw new Error(`--warmup-seconds must be a number >= 0, got ${value}`);
  return s;
}
