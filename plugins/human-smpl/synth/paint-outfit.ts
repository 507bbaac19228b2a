import type { Colour } from '../../../core/synth/colour';
import type { SeededRandom } from '../../../core/synth/random';
import type { RgbImage } from '../../../core/synth/rgb-image';
import { handColour } from './hand-colour';
import { headColour } from './head-colour';
import { garmentColour, type Outfit } from './outfit';
import type { TexelSurface } from './texel-surface';
import { texelSubsamples } from './texel-subsamples';

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
} as const;

/** Sub-texel grid (n x n) over which the face and hands are averaged: their features are about a texel wide. */
const DETAIL_SUBSAMPLES = 4;

/** Joints the face and hand painters work relative to (-1 when the body lacks one). */
interface DetailJoints {
  readonly head: number;
  readonly leftHand: number;
  readonly rightHand: number;
}

/**
 * The colour of a head, neck or hand texel, averaged over its footprint, or null for other texels.
 * Head and neck points are taken in the head joint's rest frame (the body's axes at the joint), hands
 * relative to their hand joint.
 */
function detailColour(o: Outfit, surface: TexelSurface, t: number, part: Part, joints: DetailJoints): Colour | null {
  const region = surface.region[t];
  const headish = region === 1 || part === 'head' || part === 'neck';
  if (!(region === 2 || (headish && joints.head >= 0))) return null;
  const n = surface.normal;
  const normal: [number, number, number] = [n[3 * t], n[3 * t + 1], n[3 * t + 2]];
  const points = texelSubsamples(surface, t, DETAIL_SUBSAMPLES);
  const count = points.length / 3;
  const sum = [0, 0, 0];
  const jp = surface.joints;
  let colourAt: (x: number, y: number, z: number) => Colour;
  if (region === 2) {
    const j = surface.position[3 * t] >= 0 ? joints.leftHand : joints.rightHand;
    if (j < 0) return o.skin;
    const side = Math.sign(jp[3 * j]) || 1;
    colourAt = (x, _y, z) => handColour(o, { along: (x - jp[3 * j]) * side, across: z - jp[3 * j + 2], normal });
  } else {
    const h = 3 * joints.head;
    // The head's underside (skinned to the neck near the chin) is painted as head, not as neck.
    const underHead = normal[1] < -0.3 && surface.position[3 * t + 1] - jp[h + 1] > -0.1;
    const face = region === 1 || part === 'head' || underHead;
    colourAt = (x, y, z) => headColour(o, { x: x - jp[h], y: y - jp[h + 1], z: z - jp[h + 2], normal }, face);
  }
  for (let i = 0; i < count; i++) {
    const c = colourAt(points[3 * i], points[3 * i + 1], points[3 * i + 2]);
    for (let k = 0; k < 3; k++) sum[k] += c[k];
  }
  return [sum[0] / count, sum[1] / count, sum[2] / count];
}

/** The outfit's colour at one texel of the body surface (clothes and bare arms and legs). */
function texelColour(o: Outfit, part: Part, x: number, y: number, z: number): Colour {
  const m = BODY_MARKS;
  const back = z < -0.02;
  const front = z > 0.02;
  switch (part) {
    case 'head':
    case 'neck':
      return o.skin; // painted by headColour when the body names a head joint
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
 * Paints an outfit into the body's UV atlas: every covered texel gets the colour of its surface point (the
 * face, ears, hair and hands averaged over the texel's footprint),
 * with a faint per-texel fabric grain; empty texels take their covered neighbours' colour (a few texels
 * deep) so bilinear sampling at chart borders does not bleed the atlas background into the body.
 * @returns the texture, 8-bit RGB [Th, Tw] (row 0 at v = 1)
 */
export function paintOutfit(outfit: Outfit, surface: TexelSurface, jointNames: readonly string[], random: SeededRandom): RgbImage {
  const { height, width } = surface;
  const n = height * width;
  const parts = jointNames.map(partOfJoint);
  const joints: DetailJoints = {
    head: jointNames.indexOf('head'),
    leftHand: jointNames.indexOf('left_hand'),
    rightHand: jointNames.indexOf('right_hand'),
  };
  const rgb = new Float32Array(n * 3);
  const filled = new Uint8Array(n);
  for (let t = 0; t < n; t++) {
    const j = surface.joint[t];
    if (j < 0) continue;
    const p = surface.position;
    const c = detailColour(outfit, surface, t, parts[j], joints) ?? texelColour(outfit, parts[j], p[3 * t], p[3 * t + 1], p[3 * t + 2]);
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
