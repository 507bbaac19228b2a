import { hsv, mix, scaleColour, type Colour } from '../../../core/synth/colour';
import type { SeededRandom } from '../../../core/synth/random';
import { drawFaceLook, type FaceLook } from './face-look';

/** Patterns a garment can carry, in body-surface coordinates (so they continue across UV seams). */
export type GarmentPattern = 'plain' | 'horizontal-stripes' | 'vertical-stripes' | 'checks' | 'dots';
const PATTERNS: readonly GarmentPattern[] = ['plain', 'plain', 'horizontal-stripes', 'vertical-stripes', 'checks', 'dots'];

/** Colours and pattern of one garment. */
export interface Garment {
  readonly colour: Colour;
  /** The pattern's second colour. */
  readonly accent: Colour;
  readonly pattern: GarmentPattern;
  /** Pattern period in metres. */
  readonly period: number;
}

/**
 * One identity's look: everything a re-ID network could tell people apart by. Front and back differ
 * (a chest print or open jacket in front; a back panel, stripe or backpack behind).
 */
export interface Outfit {
  readonly skin: Colour;
  readonly hair: Colour;
  readonly hairStyle: 'short' | 'long' | 'cap';
  readonly cap: Colour;
  readonly top: Garment;
  readonly sleeves: 'short' | 'long';
  /** Height (rest pose, metres above the pelvis) where the top ends and the bottom begins. */
  readonly waist: number;
  readonly front: 'none' | 'print' | 'open-jacket';
  /** Colour of the chest print, or of the shirt under an open jacket. */
  readonly frontColour: Colour;
  readonly back: 'none' | 'panel' | 'stripe' | 'backpack';
  readonly backColour: Colour;
  readonly bottom: Garment;
  readonly bottomStyle: 'trousers' | 'shorts' | 'skirt' | 'long-skirt';
  readonly shoes: Colour;
  /** Eyes, brows, lips, hairline. */
  readonly face: FaceLook;
}

/** Skin tones, light to dark. */
export const SKIN_TONES: readonly Colour[] = [
  [0.98, 0.84, 0.72], [0.94, 0.76, 0.62], [0.87, 0.67, 0.52], [0.76, 0.55, 0.4], [0.6, 0.41, 0.29], [0.44, 0.29, 0.2], [0.3, 0.2, 0.14],
];
/** Hair colours: black, browns, blond, grey, red. */
export const HAIR_COLOURS: readonly Colour[] = [
  [0.06, 0.05, 0.05], [0.16, 0.1, 0.06], [0.3, 0.19, 0.1], [0.55, 0.4, 0.22], [0.8, 0.68, 0.45], [0.6, 0.6, 0.6], [0.5, 0.2, 0.08],
];
/** Neutral clothing colours (black, white, greys, navy, denim, khaki, brown, olive): common in street scenes. */
const NEUTRALS: readonly Colour[] = [
  [0.06, 0.06, 0.07], [0.92, 0.92, 0.9], [0.5, 0.5, 0.52], [0.25, 0.25, 0.27], [0.1, 0.14, 0.3], [0.25, 0.36, 0.55], [0.72, 0.64, 0.46],
  [0.36, 0.24, 0.14], [0.33, 0.37, 0.2],
];

function clothColour(random: SeededRandom): Colour {
  return random.chance(0.45) ? random.pick(NEUTRALS) : hsv(random.next(), random.range(0.45, 0.95), random.range(0.35, 0.95));
}

/** A colour that stands out against `base` (a different hue, or light on dark). */
function contrasting(base: Colour, random: SeededRandom): Colour {
  const light = (base[0] + base[1] + base[2]) / 3;
  return random.chance(0.5) ? hsv(random.next(), random.range(0.5, 1), light > 0.5 ? random.range(0.1, 0.4) : random.range(0.7, 1)) : light > 0.5 ? [0.08, 0.08, 0.1] : [0.95, 0.95, 0.93];
}

function garment(random: SeededRandom): Garment {
  const colour = clothColour(random);
  return { colour, accent: contrasting(colour, random), pattern: random.pick(PATTERNS), period: random.range(0.035, 0.11) };
}

/** Draws an identity's outfit. */
export function drawOutfit(random: SeededRandom): Outfit {
  const top = garment(random);
  const bottomStyle = random.pick(['trousers', 'trousers', 'trousers', 'shorts', 'skirt', 'long-skirt'] as const);
  // Bottoms are mostly plain neutrals, as in street photos; patterns are rarer than on tops.
  const bottomBase = random.chance(0.6) ? random.pick(NEUTRALS) : clothColour(random);
  const bottom: Garment = random.chance(0.75)
    ? { colour: bottomBase, accent: bottomBase, pattern: 'plain', period: 0.05 }
    : { ...garment(random), colour: bottomBase };
  const look: Omit<Outfit, 'face'> = {
    skin: random.pick(SKIN_TONES),
    hair: random.pick(HAIR_COLOURS),
    hairStyle: random.pick(['short', 'short', 'long', 'long', 'cap'] as const),
    cap: clothColour(random),
    top,
    sleeves: random.chance(0.5) ? 'short' : 'long',
    waist: random.range(-0.02, 0.1),
    front: random.pick(['none', 'none', 'print', 'open-jacket'] as const),
    frontColour: contrasting(top.colour, random),
    back: random.pick(['none', 'panel', 'stripe', 'backpack'] as const),
    backColour: random.chance(0.5) ? contrasting(top.colour, random) : scaleColour(clothColour(random), 0.8),
    bottom,
    bottomStyle,
    shoes: random.chance(0.6) ? random.pick(NEUTRALS) : clothColour(random),
  };
  // Drawn last so that the clothes of a seed stay those drawn before faces existed.
  return { ...look, face: drawFaceLook(random, look.skin, look.hair, look.hairStyle === 'long') };
}

/**
 * The garment's colour at a surface point: `a` runs around the body (x + z, metres), `y` up.
 */
export function garmentColour(g: Garment, a: number, y: number): Colour {
  const p = g.period;
  switch (g.pattern) {
    case 'plain':
      return g.colour;
    case 'horizontal-stripes':
      return ((y / p) % 1 + 1) % 1 < 0.45 ? g.accent : g.colour;
    case 'vertical-stripes':
      return ((a / p) % 1 + 1) % 1 < 0.4 ? g.accent : g.colour;
    case 'checks': {
      const odd = (Math.floor(a / p) + Math.floor(y / p)) & 1;
      const band = ((a / p) % 1 + 1) % 1 < 0.2 || ((y / p) % 1 + 1) % 1 < 0.2;
      return odd ? g.colour : band ? g.accent : mix(g.colour, g.accent, 0.45);
    }
    case 'dots': {
      const fa = ((a / p) % 1 + 1) % 1 - 0.5;
      const fy = ((y / p) % 1 + 1) % 1 - 0.5;
      return fa * fa + fy * fy < 0.09 ? g.accent : g.colour;
    }
  }
}
