import { SUPERVISIONS, supervisedTerms, type Supervision } from '../losses/weighted-loss';
import type { RetexConfig } from '../plugin/config-types';

/** The supervisions `retex compare` sets against each other. */
export const COMPARE_LOSSES = SUPERVISIONS;
export type CompareLoss = Supervision;

/** The paper's ablations of the method. */
export const COMPARE_ABLATIONS = ['deep-only', 'no-pose-alignment', 'no-pcb', 'no-face'] as const;
export type CompareAblation = (typeof COMPARE_ABLATIONS)[number];

/** One variant: its id, a label, the config sections it sets, and whether it trains on random poses. */
export interface CompareVariant {
  readonly id: string;
  readonly label: string;
  /** Config sections set over the category's config (loss, identityNetwork). */
  readonly overrides: Readonly<Record<string, unknown>>;
  /** Train on meshes in random poses (the prepared folder of the `random-pose` predictor) instead of fitted ones. */
  readonly randomPoses: boolean;
}

/** The loss section with `supervision` as the only feature/pixel term (the config's face term kept when `keepFace`). */
function supervisedLoss(config: RetexConfig, supervision: CompareLoss, keepFace: boolean): Record<string, unknown> {
  const section = { ...config.loss } as Record<string, unknown>;
  return { ...section, terms: supervisedTerms((section.terms as Record<string, number> | undefined) ?? {}, supervision, keepFace) };
}

/**
 * The variants of a comparison: each supervision, then each ablation of `reid`.
 * @throws for an ablation that does not apply to the category (with the reason)
 */
export function compareVariants(config: RetexConfig, losses: readonly CompareLoss[], ablations: readonly CompareAblation[]): CompareVariant[] {
  const hasFace = ((config.loss as { terms?: Record<string, number> }).terms?.face ?? 0) > 0;
  const out: CompareVariant[] = losses.map((l) => ({
    id: l,
    label: l === 'reid' ? 'reid (the method)' : l,
    overrides: { loss: supervisedLoss(config, l, true) },
    randomPoses: false,
  }));
  const reid = supervisedLoss(config, 'reid', true);
  for (const a of ablations) {
    if (a === 'deep-only') {
      out.push({ id: a, label: 'reid, last stage only', overrides: { loss: { ...reid, reid: { ...(reid.reid as object), stages: 'last' } } }, randomPoses: false });
    } else if (a === 'no-pose-alignment') {
      out.push({ id: a, label: 'reid, random poses', overrides: { loss: reid }, randomPoses: true });
    } else if (a === 'no-pcb') {
      if (config.identityNetwork.type !== 'pcb') {
        throw new Error(`the ablation no-pcb swaps PCB for the plain resnet re-ID net, but the ${config.category} identity network is '${config.identityNetwork.type}': leave it out`);
      }
      out.push({ id: a, label: 'reid, plain resnet (no PCB)', overrides: { loss: reid, identityNetwork: { type: 'resnet' } }, randomPoses: false });
    } else if (a === 'no-face') {
      if (!hasFace) throw new Error(`the ablation no-face drops the face term, which the ${config.category} loss does not have: leave it out`);
      out.push({ id: a, label: 'reid, no face term', overrides: { loss: supervisedLoss(config, 'reid', false) }, randomPoses: false });
    }
  }
  return out;
}

/** The ablations that apply to a category by default (those {@link compareVariants} accepts). */
export function defaultAblations(config: RetexConfig): CompareAblation[] {
  const hasFace = ((config.loss as { terms?: Record<string, number> }).terms?.face ?? 0) > 0;
  return COMPARE_ABLATIONS.filter((a) => (a !== 'no-pcb' || config.identityNetwork.type === 'pcb') && (a !== 'no-face' || hasFace));
}
