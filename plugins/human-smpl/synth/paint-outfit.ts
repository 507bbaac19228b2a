import type { Colour } from '../../../core/synth/colour';
import type { SeededRandom } from '../../../core/synth/random';
import type { RgbImage } from '../../../core/synth/rgb-image';
import { garmentColour, type Outfit } from './outfit';
import type { TexelSurface } from './texel-surface';

type Part = 'head' | 'neck' | 'torso' | 'arm' | 'leg';

function partOfJoint(name: string): Part {
  if (name === 'head') return 'head';
  if (name === 'neck') return 'neck';
  if (/shoulder|elbow|wrist|hand/.test(name)) return 'arm';
  if (/hip|knee|ankle|foot/.test(name)) return 'leg';
  return 'torso';
}

/**
 * Heights and reaches on the built-in body's rest pose (T-pose, metres, pelvis at the origin): where
 * sleeves, shorts, skirts and shoes end. Taken from its joints (knee -0.46, ankle -0.87, elbow x 0.45,
 * wrist x 0.70, neck 0.55).
 */
const BODY_MARKS = {
  neckline: 0.52,
  shortSleeve: 0.3,
  longSleeve: 0.69,
  shorts: -0.28,
  skirt: -0.38,
  longSkirt: -0.74,
  shoeTop: -0.84,
  hairline: 0.62,
  capBrim: 0.67,
} as const;

/** The outfit's colour at one texel of the body surface, or null where the atlas is empty. */
function texelColour(o: Outfit, part: Part, region: number, x: number, y: number, z: number): Colour {
  const m = BODY_MARKS;
  if (region === 2) return o.skin;
  if (region === 1) return o.hairStyle === 'cap' && y > m.capBrim + 0.04 ? o.cap : o.skin;
  const back = z < -0.02;
  const front = z > 0.02;
  switch (part) {
    case 'head':
      if (o.hairStyle === 'cap' && y > m.capBrim) return o.cap;
      if (o.hairStyle === 'long' || y > m.hairline || (back && y > m.hairline - 0.05)) return o.hair;
      return o.skin;
    case 'neck':
      return o.hairStyle === 'long' && back ? o.hair : o.skin;
    case 'arm': {
      const d = Math.abs(x);
      const sleeve = o.sleeves === 'short' ? m.shortSleeve : m.longSleeve;
      return d < sleeve ? garmentColour(o.top, y + z, -d) : o.skin;
    }
    case 'leg': {
      if (y < m.shoeTop) return o.shoes;
      const end = { trousers: m.shoeTop, shorts: m.shorts, skirt: m.skirt, 'long-skirt': m.longSkirt }[o.bottomStyle];
      return y > end ? garmentColour(o.bottom, x + z, y) : o.skin;
    }
    case 'torso': {
      if (y <= o.waist) return garmentColour(o.bottom, x + z, y);
      if (y > m.neckline) return o.hairStyle === 'long' && back ? o.hair : o.skin;
      const ax = Math.abs(x);
      if (back && o.hairStyle === 'long' && ax < 0.12 && y > 0.32) return o.hair;
      if (front && o.front === 'print' && ax < 0.08 && y > 0.2 && y < 0.36) return o.frontColour;
      if (front && o.front === 'open-jacket' && ax < 0.045) return o.frontColour;
      if (o.back === 'backpack') {
        if (back && ax < 0.14 && y > 0.1 && y < 0.44) return o.backColour;
        if (front && ax > 0.07 && ax < 0.1 && y > 0.18) return o.backColour; // straps
      }
      if (back && o.back === 'panel' && ax < 0.12 && y > 0.15 && y < 0.42) return o.backColour;
      if (back && o.back === 'stripe' && y > 0.25 && y < 0.32) return o.backColour;
      return garmentColour(o.top, x + z, y);
    }
  }
}

/**
 * Paints an outfit into the body's UV atlas: every covered texel gets the colour of its surface point,
 * with a faint per-texel fabric grain; empty texels take their covered neighbours' colour (a few texels
 * deep) so bilinear sampling at chart borders does not bleed the atlas background into the body.
 * @returns the texture, 8-bit RGB [Th, Tw] (row 0 at v = 1)
 */
export function paintOutfit(outfit: Outfit, surface: TexelSurface, jointNames: readonly string[], random: SeededRandom): RgbImage {
  const { height, width } = surface;
  const n = height * width;
  const parts = jointNames.map(partOfJoint);
  const rgb = new Float32Array(n * 3);
  const filled = new Uint8Array(n);
  for (let t = 0; t < n; t++) {
    const j = surface.joint[t];
    if (j < 0) continue;
    const p = surface.position;
    const c = texelColour(outfit, parts[j], surface.region[t], p[3 * t], p[3 * t + 1], p[3 * t + 2]);
    const grain = 1 + (random.next() - 0.5) * 0.06;
    for (let k = 0; k < 3; k++) rgb[3 * t + k] = c[k] * grain;
    filled[t] = 1;
  }
  for (let pass = 0; pass < 4; pass++) {
    const next = filled.slice();
    for (let r = 0; r < height; r++) {
      for (let c = 0; c < width; c++) {
        const t = r * width + c;
        if (filled[t]) continue;
        let count = 0;
        const sum = [0, 0, 0];
        for (const [dr, dc] of [[-1, 0], [1, 0], [0, -1], [0, 1]]) {
          const rr = r + dr;
          const cc = c + dc;
          if (rr < 0 || rr >= height || cc < 0 || cc >= width) continue;
          const u = rr * width + cc;
          if (!filled[u]) continue;
          count++;
          for (let k = 0; k < 3; k++) sum[k] += rgb[3 * u + k];
        }
        if (count === 0) continue;
        for (let k = 0; k < 3; k++) rgb[3 * t + k] = sum[k] / count;
        next[t] = 1;
      }
    }
    filled.set(next);
  }
  const pixels = new Uint8Array(n * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.max(0, Math.min(255, Math.round(rgb[i] * 255)));
  return { height, width, pixels };
}
