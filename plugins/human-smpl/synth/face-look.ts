import { mix, scaleColour, type Colour } from '../../../core/synth/colour';
import type { SeededRandom } from '../../../core/synth/random';

/** The facial traits of one identity (what the face painter varies between people besides skin and hair). */
export interface FaceLook {
  /** Iris colour. */
  readonly iris: Colour;
  /** Lip colour: the skin tone pulled towards red and slightly darkened. */
  readonly lips: Colour;
  /** Eyebrow colour (from the hair, darker) and thickness multiplier (about 0.7 to 1.3). */
  readonly brow: Colour;
  readonly browWeight: number;
  /** Offsets (metres) of the eye line and of the front hairline from the painter's average face. */
  readonly eyeShift: number;
  readonly hairlineShift: number;
  /** Half the distance between the eye centres, metres. */
  readonly eyeHalfSpacing: number;
  /** Hair combed down over the forehead (a fringe), for long hair. */
  readonly fringe: boolean;
}

const DARK_IRISES: readonly Colour[] = [[0.16, 0.09, 0.05], [0.25, 0.14, 0.07], [0.32, 0.2, 0.1]];
const LIGHT_IRISES: readonly Colour[] = [[0.36, 0.3, 0.14], [0.26, 0.4, 0.58], [0.3, 0.42, 0.26], [0.42, 0.46, 0.5]];
const LIP_RED: Colour = [0.7, 0.24, 0.26];

/**
 * Draws an identity's facial traits from its skin and hair colours (darker skin: mostly brown irises;
 * brows follow the hair, darkened so that blond and grey brows still show).
 */
export function drawFaceLook(random: SeededRandom, skin: Colour, hair: Colour, longHair: boolean): FaceLook {
  const skinLight = (skin[0] + skin[1] + skin[2]) / 3;
  const iris = random.chance(skinLight > 0.7 ? 0.45 : 0.05) ? random.pick(LIGHT_IRISES) : random.pick(DARK_IRISES);
  const lips = scaleColour(mix(skin, LIP_RED, random.range(0.25, 0.45)), random.range(0.8, 0.92));
  // Brows follow the hair but always read darker than the skin (blond brows on dark skin would vanish).
  const fromHair = mix(scaleColour(hair, 0.7), mix(skin, [0.05, 0.04, 0.03], 0.7), 0.35);
  const brow: Colour = [Math.min(fromHair[0], skin[0] * 0.55), Math.min(fromHair[1], skin[1] * 0.55), Math.min(fromHair[2], skin[2] * 0.55)];
  return {
    iris,
    lips,
    brow,
    browWeight: random.range(0.7, 1.3),
    eyeShift: random.range(-0.003, 0.003),
    hairlineShift: random.range(-0.006, 0.008),
    eyeHalfSpacing: random.range(0.029, 0.033),
    fringe: longHair && random.chance(0.35),
  };
}
