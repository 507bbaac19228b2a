import type { CompareVariant } from './variants';

/**
 * Seconds per training step at 128x128 on 2 cores (U-Net width 0.25, batch 4x4), the variant's validation
 * and scoring included: what every step costs (generator, renderer, the photo batch) and what each feature
 * term adds (its network's forward and backward through the rendering). From `retex compare --category bird`
 * (BENCHMARKS.md): a variant of 250 steps took 242 s with l1, 340 s with reid, 590 s with perceptual.
 */
const STEP_SECONDS_128: Readonly<Record<'base' | 'reid' | 'perceptual', number>> = { base: 0.95, reid: 0.4, perceptual: 1.3 };

/** The positive terms a variant's loss section sets. */
function variantTerms(v: CompareVariant): string[] {
  const terms = ((v.overrides.loss as { terms?: Record<string, number> } | undefined)?.terms ?? {}) as Record<string, number>;
  return Object.keys(terms).filter((k) => terms[k] > 0);
}

/** A first guess of a variant's training time in seconds, before any has run here. */
export function guessVariantSeconds(v: CompareVariant, steps: number, image: readonly [number, number]): number {
  const terms = variantTerms(v);
  let perStep = STEP_SECONDS_128.base;
  if (terms.includes('reid')) perStep += STEP_SECONDS_128.reid;
  if (terms.includes('perceptual')) perStep += STEP_SECONDS_128.perceptual;
  return (perStep * steps * image[0] * image[1]) / (128 * 128);
}

/**
 * Seconds left for the variants still to run: their guesses, scaled by how the variants this run finished
 * compared with their guesses (this machine's speed).
 * @param finished the variants timed by this process, with their guess and measured seconds
 */
export function secondsToGo(todo: readonly number[], finished: readonly { guess: number; seconds: number }[]): number {
  const guessed = finished.reduce((s, f) => s + f.guess, 0);
  const took = finished.reduce((s, f) => s + f.seconds, 0);
  const scale = guessed > 0 ? took / guessed : 1;
  return scale * todo.reduce((s, g) => s + g, 0);
}
