import { SeededRandom } from '../../../core/synth/random';
import type { RgbImage } from '../../../core/synth/rgb-image';
import { builtinBodyData } from '../builtin-body/builtin-body';
import { drawOutfit, HAIR_COLOURS, SKIN_TONES, type Outfit } from './outfit';
import { paintOutfit } from './paint-outfit';
import { texelSurface } from './texel-surface';

/** How many reference textures the plugin ships. */
export const REFERENCE_TEXTURE_COUNT = 16;
/**
 * Tag of the random streams the reference outfits come from. Synth's streams start with its numeric seed
 * (`<seed>|outfit|<id>|`), so no synth run draws these outfits.
 */
export const REFERENCE_STREAM = 'reference-texture';
/** Hair styles the references cycle through, so the face term sees foreheads, hairlines and ears of each. */
const STYLES: readonly Outfit['hairStyle'][] = ['short', 'long', 'cap'];

/** One reference texture and what it was painted from. */
export interface ReferenceTexture {
  /** File name in the shipped folder, e.g. `reference-00.png`. */
  readonly file: string;
  /** Index k of the stream `reference-texture|k|` the outfit was drawn from. */
  readonly stream: number;
  readonly outfit: Outfit;
  /** 8-bit RGB atlas of the built-in body [Th, Tw]. */
  readonly texture: RgbImage;
}

/**
 * Paints the reference textures of the face/hand term with synth's own painter: full atlases of the
 * built-in body. Reference i is the first outfit of the streams `reference-texture|k|` (k = 0, 1, ...; a
 * stream is used once) with skin tone i mod 7, hair colour 3i mod 7 and hair style i mod 3, so the set
 * spans every skin tone, hair colour and hair style. Deterministic: the same images on every call.
 */
export function paintReferenceTextures(count: number, textureSize: readonly [number, number]): ReferenceTexture[] {
  const data = builtinBodyData();
  const surface = texelSurface(data, textureSize);
  const out: ReferenceTexture[] = [];
  let stream = 0;
  for (let i = 0; i < count; i++) {
    const skin = SKIN_TONES[i % SKIN_TONES.length];
    const hair = HAIR_COLOURS[(3 * i) % HAIR_COLOURS.length];
    const style = STYLES[i % STYLES.length];
    for (;; stream++) {
      const outfit = drawOutfit(SeededRandom.of(REFERENCE_STREAM, stream));
      if (outfit.skin !== skin || outfit.hair !== hair || outfit.hairStyle !== style) continue;
      const texture = paintOutfit(outfit, surface, data.jointNames, SeededRandom.of(REFERENCE_STREAM, 'grain', stream));
      out.push({ file: `reference-${String(i).padStart(2, '0')}.png`, stream, outfit, texture });
      stream++;
      break;
    }
  }
  return out;
}
