import { mix, type Colour } from '../../../core/synth/colour';
import { FACE_LAYOUT as L } from './face-layout';
import type { Outfit } from './outfit';
import { ellipse, interpolate, smooth } from './paint-math';

/** A surface point in the head joint's rest frame (metres; x left, y up, z forward) with its outward unit normal. */
export interface HeadPoint {
  readonly x: number;
  readonly y: number;
  readonly z: number;
  readonly normal: readonly [number, number, number];
}

const times = (c: Colour, k: number): Colour => [c[0] * k, c[1] * k, c[2] * k];
// Slightly grey: the white of the eye sits in the shade of the lids.
const EYE_WHITE: Colour = [0.84, 0.82, 0.78];
const PUPIL: Colour = [0.03, 0.025, 0.025];
const LASH: Colour = [0.06, 0.045, 0.04];
const BLUSH: Colour = [0.85, 0.42, 0.4];

/** Height above which hair grows, by azimuth from the front (radians): forehead, temples, sideburns, nape. */
function hairline(o: Outfit, azimuth: number): number {
  const front = (o.face.fringe ? 0.05 : L.hairline) + o.face.hairlineShift;
  if (o.hairStyle === 'long') {
    // Long hair frames the face and covers the ears and the back of the head down to the neck.
    return interpolate([[0, front], [0.55, front - 0.002], [0.9, front - 0.028], [1.02, -0.1], [1.1, -0.3]], azimuth);
  }
  return interpolate(
    [[0, front], [0.55, front - 0.002], [0.95, front - 0.024], [1.15, 0.02], [1.3, 0], [1.9, -0.02], [2.4, -0.045], [Math.PI, -0.06]],
    azimuth,
  );
}

/** Skin with soft shading: darker at the sides of the face, under the jaw, in the eye sockets; a faint blush. */
function shadedSkin(o: Outfit, p: HeadPoint, azimuth: number, face: boolean): Colour {
  let shade = 1 - 0.1 * smooth(0.35, 1.45, azimuth);
  shade *= 1 - 0.1 * smooth(-0.35, -0.85, p.normal[1]);
  if (!face) {
    // The upper neck's front is in the jaw's shadow (the jaw's own underside is shaded by its normal above).
    const neckFront = smooth(-0.13, -0.075, p.y) * smooth(-0.02, 0.03, p.z) * smooth(-0.5, -0.2, p.normal[1]);
    return times(o.skin, shade * (1 - 0.14 * neckFront));
  }
  if (azimuth > L.featureAzimuth || p.z <= 0) return times(o.skin, shade);
  const ax = Math.abs(p.x);
  const eyeY = L.eyeY + o.face.eyeShift;
  const ex = ax - o.face.eyeHalfSpacing;
  shade *= 1 - 0.1 * ellipse(ex, p.y - eyeY - 0.003, 0.02, 0.012, 0.006);
  // Nose: lit ridge and tip, shaded flanks, a shadow under it.
  const ridge = smooth(eyeY, L.noseY + 0.004, p.y) * (p.y > L.noseY - 0.002 ? 1 : 0);
  shade *= 1 - 0.07 * ridge * smooth(0.004, 0.009, ax) * (1 - smooth(0.012, 0.017, ax));
  shade *= 1 + 0.05 * ellipse(p.x, p.y - L.noseY - 0.006, 0.008, 0.008, 0.004);
  shade *= 1 - 0.12 * ellipse(p.x, p.y - L.noseY + 0.005, 0.012, 0.003, 0.002);
  // Shadow under the lower lip, and the chin.
  shade *= 1 - 0.07 * ellipse(p.x, p.y - L.mouthY + L.lowerLip + 0.004, 0.016, 0.003, 0.002);
  // Cheeks redden visibly on light skin only.
  const light = (o.skin[0] + o.skin[1] + o.skin[2]) / 3;
  const blush = 0.1 * smooth(0.35, 0.8, light) * ellipse(ax - 0.042, p.y + 0.014, 0.016, 0.012, 0.008);
  return times(mix(o.skin, BLUSH, blush), shade);
}

/** Eyes, brows, nostrils and lips over the skin colour `c` (front of the head only). */
function features(o: Outfit, p: HeadPoint, c: Colour): Colour {
  const ax = Math.abs(p.x);
  const soft = 0.0012;
  const eyeY = L.eyeY + o.face.eyeShift;
  const ex = ax - o.face.eyeHalfSpacing;
  const ey = p.y - eyeY;
  // Upper lid and lashes: a dark arc just over the eye.
  const lid = ey > -0.001 ? ellipse(ex, ey, L.eyeHalfWidth * 1.15, L.eyeHalfHeight * 1.7, soft) : 0;
  c = mix(c, mix(o.skin, LASH, 0.75), lid);
  const white = ellipse(ex, ey, L.eyeHalfWidth, L.eyeHalfHeight, soft);
  c = mix(c, EYE_WHITE, white);
  c = mix(c, o.face.iris, Math.min(white, ellipse(ex, ey + 0.0004, L.irisRadius, L.irisRadius, soft)));
  c = mix(c, PUPIL, Math.min(white, ellipse(ex, ey + 0.0004, L.pupilRadius, L.pupilRadius, soft)));
  // Brows: arched, thicker at the inner end.
  const bx = ex;
  const browY = eyeY + L.browRise + 0.003 * (1 - (bx / 0.018) ** 2);
  const half = L.browHalfThickness * o.face.browWeight * (1.25 - 0.5 * smooth(-0.016, 0.02, bx));
  const along = smooth(-0.019, -0.015, bx) * (1 - smooth(0.017, 0.021, bx));
  c = mix(c, o.face.brow, 0.9 * along * (1 - smooth(half - soft, half + soft, Math.abs(p.y - browY))));
  // Nostrils.
  c = mix(c, times(o.skin, 0.4), 0.85 * ellipse(ax - 0.0075, p.y - L.noseY + 0.001, 0.0035, 0.0022, 0.001));
  // Lips: a lens, the upper lip thinner, with the dark line between them.
  const my = p.y - L.mouthY;
  const lips = ellipse(p.x, my, L.mouthHalfWidth, my > 0 ? L.upperLip : L.lowerLip, soft);
  c = mix(c, my > 0 ? times(o.face.lips, 0.92) : o.face.lips, lips);
  const line = (1 - smooth(0.0006, 0.0018, Math.abs(my))) * (1 - smooth(L.mouthHalfWidth - 0.004, L.mouthHalfWidth, ax));
  return mix(c, times(o.face.lips, 0.35), 0.8 * line);
}

/** An ear at the side of the head: rim in skin colour, a darker bowl, a shadow around it on the head. */
function ear(o: Outfit, p: HeadPoint, azimuth: number, c: Colour): Colour {
  const u = (azimuth - L.earAzimuth) * L.earRadius;
  const v = p.y - L.earY;
  // Narrower at the lobe.
  const a = L.earHalfWidth * (v < 0 ? 1 - 0.35 * smooth(0, -L.earHalfHeight, v) : 1);
  const shadow = ellipse(u, v, a * 1.3, L.earHalfHeight * 1.12, 0.002);
  c = times(c, 1 - 0.12 * shadow);
  const outer = ellipse(u, v, a, L.earHalfHeight, 0.0012);
  const rim = 1 - ellipse(u, v, a * 0.82, L.earHalfHeight * 0.88, 0.0012);
  const bowl = ellipse(u + 0.002, v - 0.002, a * 0.55, L.earHalfHeight * 0.6, 0.0015);
  const skin = mix(o.skin, BLUSH, 0.1);
  return mix(c, times(skin, (1 - 0.08 * rim) * (1 - 0.2 * bowl)), outer);
}

/** Hair colour with faint strands (combed back from the face) and a lighter crown. */
function hairColour(o: Outfit, p: HeadPoint, azimuth: number): Colour {
  const strands = 0.93 + 0.07 * Math.sin(azimuth * 47 + p.y * 35);
  return times(o.hair, strands * (1 + 0.08 * smooth(0.5, 0.95, p.normal[1])));
}

/**
 * The colour of a head (or neck) surface point for an outfit: shaded skin, eyes, brows, nose, lips and ears
 * (`face`: false on the neck, which gets only skin, hair and the jaw's shadow), under the hair of the
 * outfit's style (a hairline around the forehead, sideburns and nape; long hair covering the ears) or a cap.
 */
export function headColour(o: Outfit, p: HeadPoint, face: boolean): Colour {
  const azimuth = Math.abs(Math.atan2(p.x, p.z));
  let c = shadedSkin(o, p, azimuth, face);
  if (face && azimuth < L.featureAzimuth && p.z > 0) c = features(o, p, c);
  // On the neck, long hair falls down the back only.
  const line = !face && o.hairStyle === 'long' ? interpolate([[1.75, 1], [1.9, -1]], azimuth) : hairline(o, azimuth);
  // Hair thins into the skin over a few millimetres at the hairline.
  const hair = smooth(line - 0.002, line + 0.004, p.y);
  c = mix(c, hairColour(o, p, azimuth), hair);
  if (face && o.hairStyle !== 'long') c = ear(o, p, azimuth, c);
  if (o.hairStyle === 'cap') {
    const capLine = interpolate([[0, L.capFront], [0.9, L.capFront - 0.004], [1.4, L.capBack + 0.004], [Math.PI, L.capBack]], azimuth);
    c = times(c, 1 - 0.15 * smooth(capLine - 0.016, capLine, p.y) * (1 - smooth(0.9, 1.4, azimuth)));
    const brim = (1 - smooth(capLine + 0.008, capLine + 0.012, p.y)) * (1 - smooth(1.0, 1.3, azimuth));
    c = mix(c, times(o.cap, 1 - 0.3 * brim), smooth(capLine - 0.001, capLine + 0.001, p.y));
  }
  return c;
}
