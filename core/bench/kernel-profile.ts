import type { tf } from '../backend/tf';

/** Time spent in one kernel during a profiled step (an entry of the benches' --json profiles). */
export interface KernelShare {
  readonly kernel: string;
  readonly ms: number;
  readonly calls: number;
  /** Fraction of the summed kernel time. */
  readonly share: number;
}

/** The shapes tf.profile records for a kernel. */
export interface ProfiledKernel {
  readonly name: string;
  readonly inputShapes?: (number[] | null)[];
  readonly outputShapes?: (number[] | null)[];
}

/** `x` rounded to `digits` decimals. */
export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/**
 * Kernel times of a profile grouped by `label` (null leaves a kernel out), largest first.
 * @returns the first `limit` groups and the summed time of all groups
 */
export function kernelShares(
  profile: Awaited<ReturnType<typeof tf.profile>>,
  limit: number,
  label: (k: ProfiledKernel) => string | null,
): { kernels: KernelShare[]; totalMs: number } {
  const by = new Map<string, { ms: number; calls: number }>();
  for (const k of profile.kernels) {
    const name = label(k as unknown as ProfiledKernel);
    if (name == null) continue;
    const e = by.get(name) ?? { ms: 0, calls: 0 };
    e.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    e.calls += 1;
    by.set(name, e);
  }
  const total = [...by.values()].reduce((a, e) => a + e.ms, 0) || 1;
  const kernels = [...by.entries()]
    .sort((a, b) => b[1].ms - a[1].ms)
    .slice(0, limit)
    .map(([kernel, e]) => ({ kernel, ms: round(e.ms, 1), calls: e.calls, share: round(e.ms / total, 3) }));
  return { kernels, totalMs: total };
}

/**
 * Convolutions get their filter size in the label ("Conv2D 3x3"; the filter is the second input of Conv2D
 * and Conv2DBackpropInput, the output of Conv2DBackpropFilter), batch norm's depthwise affine its role
 * (the only depthwise convolutions in retex's networks).
 */
export function convolutionLabel(k: ProfiledKernel): string {
  const filter = k.name === 'Conv2DBackpropFilter' ? k.outputShapes?.[0] : k.inputShapes?.[1];
  if (/^(Fused)?Conv2D(BackpropInput|BackpropFilter)?$/.test(k.name) && filter?.length === 4) return `${k.name} ${filter[0]}x${filter[1]}`;
  if (k.name.startsWith('DepthwiseConv2dNative') || k.name === 'FusedDepthwiseConv2D') return `${k.name} (batch-norm affine)`;
  return k.name;
}
