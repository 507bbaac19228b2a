import { hsv, mix, scaleColour, type Colour } from '../../../core/synth/colour';
import type { SeededRandom } from '../../../core/synth/random';
import type { RgbImage } from '../../../core/synth/rgb-image';
import { sphereToBird } from '../shape/bird-deformation';
import { BEAK, BODY, HEAD, WING, birdSlice } from '../shape/bird-profile';

/** How the breast is marked. */
export type BreastPattern = 'plain' | 'streaked' | 'spotted';

/**
 * A species' plumage family: which markings it has and their colours. Each bird of the species is a
 * small variation of it (`varyPlumage`).
 */
export interface Plumage {
  readonly back: Colour;
  readonly head: Colour;
  /** Crown patch colour (equal to `head` when the species has no distinct crown). */
  readonly crown: Colour;
  readonly eyeStripe: Colour | null;
  readonly throat: Colour;
  readonly breast: Colour;
  readonly breastPattern: BreastPattern;
  readonly breastMark: Colour;
  readonly belly: Colour;
  readonly wing: Colour;
  /** Wing bars: 0, 1 or 2 pale or coloured bands across the closed wing. */
  readonly wingBars: number;
  readonly wingBar: Colour;
  readonly tail: Colour;
  readonly beak: Colour;
  /** Where the wing bars sit and how wide they are (z, model units), varied per bird. */
  readonly barOffset: number;
  readonly barWidth: number;
}

/** Natural plumage colours: browns, greys, olive, black and white, with saturated accents drawn separately. */
function earthy(random: SeededRandom): Colour {
  return random.chance(0.25)
    ? hsv(0, 0, random.range(0.08, 0.95))
    : hsv(random.range(0.05, 0.2), random.range(0.2, 0.7), random.range(0.2, 0.8));
}

function accent(random: SeededRandom): Colour {
  return hsv(random.next(), random.range(0.6, 1), random.range(0.6, 1));
}

/** Draws a species' plumage family. */
export function drawSpecies(random: SeededRandom): Plumage {
  const back = random.chance(0.3) ? accent(random) : earthy(random);
  const head = random.chance(0.4) ? accent(random) : random.chance(0.5) ? back : earthy(random);
  const breast = random.chance(0.4) ? accent(random) : earthy(random);
  const light = hsv(random.range(0.05, 0.2), random.range(0, 0.3), random.range(0.75, 1));
  return {
    back,
    head,
    crown: random.chance(0.5) ? (random.chance(0.5) ? accent(random) : earthy(random)) : head,
    eyeStripe: random.chance(0.5) ? (random.chance(0.5) ? [0.05, 0.05, 0.05] : light) : null,
    throat: random.chance(0.5) ? light : breast,
    breast,
    breastPattern: random.pick(['plain', 'plain', 'streaked', 'spotted'] as const),
    breastMark: scaleColour(back, 0.6),
    belly: random.chance(0.6) ? light : mix(breast, light, 0.5),
    wing: random.chance(0.5) ? scaleColour(back, 0.7) : earthy(random),
    wingBars: random.pick([0, 1, 2]),
    wingBar: random.chance(0.7) ? light : accent(random),
    tail: random.chance(0.6) ? scaleColour(back, 0.8) : earthy(random),
    beak: random.chance(0.6) ? hsv(0, 0, random.range(0.05, 0.3)) : hsv(random.range(0.05, 0.15), 0.8, random.range(0.6, 0.95)),
    barOffset: 0,
    barWidth: 0.04,
  };
}

function jitter(c: Colour, random: SeededRandom, amount: number): Colour {
  return [0, 1, 2].map((k) => Math.min(1, Math.max(0, c[k] * (1 + random.range(-amount, amount)) + random.range(-amount, amount) * 0.3))) as unknown as Colour;
}

/** One bird of a species: every colour shifted a little, the wing bars moved and resized. */
export function varyPlumage(species: Plumage, random: SeededRandom): Plumage {
  const j = (c: Colour) => jitter(c, random, 0.08);
  return {
    ...species,
    back: j(species.back),
    head: j(species.head),
    crown: j(species.crown),
    eyeStripe: species.eyeStripe ? j(species.eyeStripe) : null,
    throat: j(species.throat),
    breast: j(species.breast),
    breastMark: j(species.breastMark),
    belly: j(species.belly),
    wing: j(species.wing),
    wingBar: j(species.wingBar),
    tail: j(species.tail),
    beak: j(species.beak),
    barOffset: random.range(-0.03, 0.03),
    barWidth: random.range(0.03, 0.05),
  };
}

const EYE = { y: HEAD.y + 0.03, z: HEAD.z + 0.06, radius: 0.028 } as const;

/**
 * The plumage colour at a point of the bird's surface (model space: x left, y up, z forward), given
 * the cross-section there (`birdSlice(z)`: its height position t in 0..1 from bottom to top, half width).
 */
export function plumageColour(p: Plumage, x: number, y: number, z: number, t: number, halfWidth: number): Colour {
  if (z > BEAK.baseZ) return p.beak;
  const ax = Math.abs(x);
  const dh = Math.hypot(x, y - HEAD.y, z - HEAD.z);
  if (dh < HEAD.radius * 1.3 && z > HEAD.z - 0.2) {
    const de = Math.hypot(ax - HEAD.halfWidth, y - EYE.y, z - EYE.z);
    if (de < EYE.radius) return de < EYE.radius * 0.6 ? [0.02, 0.02, 0.02] : [0.9, 0.9, 0.85];
    if (p.eyeStripe && ax > 0.06 && Math.abs(y - EYE.y) < 0.022 && z > HEAD.z - 0.12) return p.eyeStripe;
    if (y > HEAD.y + 0.09) return p.crown;
    if (y < HEAD.y - 0.06) return p.throat;
    return p.head;
  }
  if (z < -0.45) return p.tail;
  const onWing = z < WING.frontZ && z > WING.tipZ && t > 0.3 && t < 0.9 && ax > 0.55 * halfWidth;
  if (onWing) {
    for (let b = 0; b < p.wingBars; b++) {
      const zc = BODY.z + 0.05 - 0.14 * b + p.barOffset;
      if (Math.abs(z - zc) < p.barWidth / 2) return p.wingBar;
    }
    return z < -0.35 ? scaleColour(p.wing, 0.75) : p.wing;
  }
  if (t > 0.6) return p.back;
  if (t < 0.45) {
    if (z > BODY.z + 0.1) {
      if (p.breastPattern === 'streaked' && ((x * 40) % 1 + 1) % 1 < 0.3) return p.breastMark;
      if (p.breastPattern === 'spotted') {
        const fa = ((x * 25) % 1 + 1) % 1 - 0.5;
        const fz = ((z * 25) % 1 + 1) % 1 - 0.5;
        if (fa * fa + fz * fz < 0.06) return p.breastMark;
      }
      return p.breast;
    }
    return p.belly;
  }
  return mix(p.back, p.breast, (0.6 - t) / 0.15);
}

/** Where each texel of the spherical UV layout lies on the mean shape, with its cross-section. */
interface TexelGeometry {
  /** float32 [Th*Tw*5]: x, y, z, t (height in the cross-section, 0 bottom .. 1 top), half width. */
  readonly values: Float32Array;
}

const geometryCache = new Map<string, TexelGeometry>();

/**
 * Texel (r, c) has u = (c + 0.5) / Tw (angle around the long axis from the belly midline towards the
 * bird's left) and v = 1 - (r + 0.5) / Th (1 at the beak tip, 0 at the tail tip); its surface point is
 * the mean shape's deformation of that sphere direction. The same for every bird: computed once per size.
 */
function texelGeometry(textureSize: readonly [number, number]): TexelGeometry {
  const key = textureSize.join('x');
  const cached = geometryCache.get(key);
  if (cached) return cached;
  const [th, tw] = textureSize;
  const values = new Float32Array(th * tw * 5);
  for (let r = 0; r < th; r++) {
    const theta = Math.PI * ((r + 0.5) / th);
    for (let c = 0; c < tw; c++) {
      const phi = (2 * Math.PI * (c + 0.5)) / tw;
      const [x, y, z] = sphereToBird(Math.sin(theta) * Math.sin(phi), -Math.sin(theta) * Math.cos(phi), Math.cos(theta));
      const s = birdSlice(z);
      const t = s.top > s.bottom ? (y - s.bottom) / (s.top - s.bottom) : 0.5;
      values.set([x, y, z, t, s.halfWidth], 5 * (r * tw + c));
    }
  }
  const geometry = { values };
  geometryCache.set(key, geometry);
  return geometry;
}

/**
 * Paints a bird's texture in CMR's spherical UV layout: each texel gets `plumageColour` at its surface
 * point, with a faint feather grain.
 * @returns 8-bit RGB [Th, Tw] (row 0 at v = 1, the beak end)
 */
export function paintPlumage(p: Plumage, textureSize: readonly [number, number], random: SeededRandom): RgbImage {
  const [th, tw] = textureSize;
  const g = texelGeometry(textureSize).values;
  const pixels = new Uint8Array(th * tw * 3);
  for (let i = 0; i < th * tw; i++) {
    const colour = plumageColour(p, g[5 * i], g[5 * i + 1], g[5 * i + 2], g[5 * i + 3], g[5 * i + 4]);
    const grain = 1 + (random.next() - 0.5) * 0.08;
    for (let k = 0; k < 3; k++) pixels[3 * i + k] = Math.max(0, Math.min(255, Math.round(colour[k] * grain * 255)));
  }
  return { height: th, width: tw, pixels };
}
