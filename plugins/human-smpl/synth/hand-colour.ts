import { mix, type Colour } from '../../../core/synth/colour';
import type { Outfit } from './outfit';
import { smooth } from './paint-math';

/** A hand surface point relative to its `*_hand` joint in the rest T-pose (palm down, fingers along ±x). */
export interface HandPoint {
  /** Metres from the hand joint towards the fingertips. */
  readonly along: number;
  /** Metres across the hand (the body's z: thumb side forward). */
  readonly across: number;
  readonly normal: readonly [number, number, number];
}

const PALM: Colour = [0.93, 0.74, 0.66];
/** Gaps between the four fingers, metres across the hand from its centre line. */
const FINGER_GAPS = [-0.0115, 0, 0.0115];

/**
 * Bare hands: skin, lighter and pinker on the palm, darker at the edges, with faint gaps between the
 * fingers past the knuckles and a crease at the wrist.
 */
export function handColour(o: Outfit, p: HandPoint): Colour {
  const [, ny, nz] = p.normal;
  const palm = smooth(-0.1, -0.7, ny);
  // Palms are lighter and pinker than the back of the hand, most visibly on dark skin.
  const c = mix(o.skin, mix(o.skin, PALM, 0.5), 0.45 * palm);
  let shade = 1 - 0.1 * smooth(0.4, 0.95, Math.abs(nz));
  const fingers = smooth(0.0, 0.012, p.along);
  let gap = 0;
  for (const g of FINGER_GAPS) gap = Math.max(gap, 1 - smooth(0.0008, 0.0022, Math.abs(p.across - g)));
  shade *= 1 - 0.16 * fingers * gap * (1 - smooth(0.4, 0.95, Math.abs(nz)));
  // Wrist crease, near the wrist joint (about 9 cm before the hand joint).
  shade *= 1 - 0.08 * (1 - smooth(0.002, 0.006, Math.abs(p.along + 0.085)));
  return [c[0] * shade, c[1] * shade, c[2] * shade];
}
