import type { ImageMetrics } from '../metrics/evaluate-textures';
import { pairedBootstrap, signTest, type DifferenceInterval, type SignTestResult } from '../metrics/paired-bootstrap';
import type { CompareMetric } from '../report/compare-report';

/** The figures of a comparison, in table order. */
export const COMPARE_METRICS: readonly CompareMetric[] = [
  { key: 'ssim', label: 'SSIM', higherIsBetter: true },
  { key: 'mask_ssim', label: 'mask-SSIM', higherIsBetter: true },
  { key: 'cossim', label: 'CosSim', higherIsBetter: true },
  { key: 'cossim_r', label: 'CosSim-R', higherIsBetter: true },
  { key: 'texture_all', label: 'tex err all', higherIsBetter: false },
  { key: 'texture_visible', label: 'tex err visible', higherIsBetter: false },
  { key: 'texture_unseen', label: 'tex err never seen', higherIsBetter: false },
];

/** One variant's per-image figures (same images, same order, for every variant) and loss curve. */
export interface VariantRows {
  readonly id: string;
  readonly label: string;
  readonly rows: readonly ImageMetrics[];
  readonly curve: readonly { readonly step: number; readonly loss: number }[];
}

/** A variant's means and its differences from reid. */
export interface VariantSummary {
  readonly id: string;
  readonly label: string;
  readonly means: Record<string, number | null>;
  /** Variant minus reid with a 95% paired-bootstrap interval, per metric (absent for reid). */
  readonly vsReid?: Record<string, DifferenceInterval | null>;
  /** Per-image sign test of variant vs reid, per metric (absent for reid). */
  readonly signVsReid?: Record<string, SignTestResult | null>;
}

export interface CompareSummary {
  readonly category: string;
  readonly method: string;
  readonly budget: number;
  readonly images: number;
  readonly metrics: readonly CompareMetric[];
  readonly variants: readonly VariantSummary[];
  /** The best variant id per metric (by its direction). */
  readonly best: Record<string, string>;
  readonly notes: readonly string[];
}

const values = (rows: readonly ImageMetrics[], key: string): (number | null)[] =>
  rows.map((r) => {
    const v = (r as unknown as Record<string, unknown>)[key];
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
  });

function mean(xs: readonly (number | null)[]): number | null {
  const ok = xs.filter((x): x is number => x != null);
  return ok.length ? ok.reduce((a, b) => a + b, 0) / ok.length : null;
}

/**
 * Means per variant and metric, each variant's paired difference from `reid` over the same images (95%
 * bootstrap interval and a sign test), and the best variant per metric. Metrics no variant has are dropped.
 * @throws when the variants were scored on different images
 */
export function summariseComparison(variants: readonly VariantRows[], meta: { category: string; method: string; budget: number; images: number }): CompareSummary {
  const reid = variants.find((v) => v.id === 'reid');
  if (reid == null) throw new Error('a comparison needs the reid variant');
  for (const v of variants) {
    if (v.rows.map((r) => r.id).join('\n') !== reid.rows.map((r) => r.id).join('\n')) {
      throw new Error(`variant ${v.id} was scored on other images than reid: delete its folder and rerun`);
    }
  }
  const metrics = COMPARE_METRICS.filter((m) => variants.some((v) => mean(values(v.rows, m.key)) != null));
  const summaries: VariantSummary[] = variants.map((v) => {
    const means = Object.fromEntries(metrics.map((m) => [m.key, mean(values(v.rows, m.key))]));
    if (v.id === 'reid') return { id: v.id, label: v.label, means };
    const vsReid: Record<string, DifferenceInterval | null> = {};
    const signVsReid: Record<string, SignTestResult | null> = {};
    for (const m of metrics) {
      const a = values(v.rows, m.key);
      const b = values(reid.rows, m.key);
      const paired = a.filter((x, i) => x != null && b[i] != null).length;
      vsReid[m.key] = paired >= 2 ? pairedBootstrap(a, b) : null;
      signVsReid[m.key] = paired >= 1 ? signTest(a, b) : null;
    }
    return { id: v.id, label: v.label, means, vsReid, signVsReid };
  });
  const best: Record<string, string> = {};
  for (const m of metrics) {
    let bestId: string | null = null;
    let bestValue = NaN;
    for (const s of summaries) {
      const x = s.means[m.key];
      if (x == null) continue;
      if (bestId == null || (m.higherIsBetter ? x > bestValue : x < bestValue)) {
        bestId = s.id;
        bestValue = x;
      }
    }
    if (bestId != null) best[m.key] = bestId;
  }
  return {
    ...meta,
    metrics,
    variants: summaries,
    best,
    notes: [
      `${meta.images} test images; each variant: ${meta.method === 'train' ? `${meta.budget} training steps` : `${meta.budget} optimisation steps per image`}, same data, seed and backgrounds.`,
      '(d [lo, hi]): the variant minus reid, mean over the same images, with a 95% paired-bootstrap interval (2,000 resamples); * marks the best in each column.',
      'SSIM, mask-SSIM, CosSim, CosSim-R: higher is better; texture errors (mean |error| in [0,1] over chart texels): lower is better.',
    ],
  };
}
