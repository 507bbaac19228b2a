/**
 * Learning rate at `step` (0-based) of `total`: linear warm-up from 1% over the first `warmup` steps,
 * then cosine decay to 1% of `base` at the end. A pure function of the step, so a resumed run follows
 * the same curve.
 */
export function cosineLearningRate(base: number, step: number, total: number, warmup = Math.round(total * 0.05)): number {
  const floor = base * 0.01;
  if (step < warmup) return floor + ((base - floor) * (step + 1)) / warmup;
  const progress = Math.min(1, (step - warmup) / Math.max(1, total - warmup));
  return floor + ((base - floor) * (1 + Math.cos(Math.PI * progress))) / 2;
}
