import { tf } from '../backend/tf';
import type { Loss, LossInputs } from '../interfaces/loss';
import { FeatureTerm, type LossTerm } from './loss-terms';

/** The term names a loss config may weigh. */
export const LOSS_TERM_IDS = ['reid', 'perceptual', 'l1', 'face'] as const;
export type LossTermId = (typeof LOSS_TERM_IDS)[number];

/** The supervisions a generator can be trained with (the paper's comparison). */
export const SUPERVISIONS = ['reid', 'perceptual', 'l1'] as const;
export type Supervision = (typeof SUPERVISIONS)[number];

/** Weight of each supervision: the feature terms share the method's 5000 (same normalised form). */
export const SUPERVISION_WEIGHTS: Readonly<Record<Supervision, number>> = { reid: 5000, perceptual: 5000, l1: 1 };

/**
 * Loss terms with `supervision` as the only feature/pixel term (the face term kept when `keepFace`). A dropped
 * term is set to 0, not deleted: a config section set over the category's config merges key by key, so a term
 * merely absent would come back from the config.
 */
export function supervisedTerms(configured: Readonly<Record<string, number>>, supervision: Supervision, keepFace = true): Record<string, number> {
  const terms: Record<string, number> = Object.fromEntries([...Object.keys(configured), ...SUPERVISIONS].map((k) => [k, 0]));
  if (keepFace && (configured.face ?? 0) > 0) terms.face = configured.face;
  terms[supervision] = SUPERVISION_WEIGHTS[supervision];
  return terms;
}

/** The method's total: 5000 x re-ID + 1 x face (FACTS.md). */
export const METHOD_LOSS_TERMS: Readonly<Partial<Record<LossTermId, number>>> = { reid: 5000, face: 1 };

/** Values of one step's terms (unweighted) and the weighted total, for logs and progress bars. */
export interface LossBreakdown {
  readonly total: tf.Scalar;
  /** Unweighted value of each term by id. */
  readonly terms: Readonly<Record<string, tf.Scalar>>;
}

/**
 * The `Loss` role: a weighted sum of terms, e.g. `{ reid: 5000, face: 1 }`. Owns its terms.
 */
export class WeightedLoss implements Loss {
  readonly id: string;

  constructor(readonly terms: ReadonlyArray<{ readonly term: LossTerm; readonly weight: number }>) {
    if (terms.length === 0) throw new Error('a loss needs at least one term with a positive weight');
    for (const { term, weight } of terms) {
      if (!(Number.isFinite(weight) && weight > 0)) throw new Error(`loss term '${term.id}' needs a positive weight, got ${weight}`);
    }
    this.id = terms.map((t) => `${t.weight}*${t.term.id}`).join('+');
  }

  /** The feature terms (their photo features are what training caches). */
  featureTerms(): FeatureTerm[] {
    return this.terms.map((t) => t.term).filter((t): t is FeatureTerm => t instanceof FeatureTerm);
  }

  /** The term with this id, if present. */
  term(id: string): LossTerm | undefined {
    return this.terms.find((t) => t.term.id === id)?.term;
  }

  compute(inputs: LossInputs): tf.Scalar {
    const { total, terms } = this.breakdown(inputs);
    // The per-term values are not returned: free them (gradients keep their own copies).
    tf.dispose(Object.values(terms));
    return total;
  }

  /** The total and each term's unweighted value; the caller owns all of them. */
  breakdown(inputs: LossInputs): LossBreakdown {
    const terms: Record<string, tf.Scalar> = {};
    const weighted: tf.Scalar[] = [];
    for (const { term, weight } of this.terms) {
      const value = term.compute(inputs);
      terms[term.id] = value;
      weighted.push(tf.mul(value, weight));
    }
    const total = (weighted.length === 1 ? weighted[0] : tf.addN(weighted)) as tf.Scalar;
    if (weighted.length > 1) tf.dispose(weighted);
    return { total, terms };
  }

  dispose(): void {
    for (const { term } of this.terms) term.dispose();
  }
}
