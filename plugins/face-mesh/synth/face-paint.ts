import { hsv, mix, type Colour } from '../../../core/synth/colour';
import type { SeededRandom } from '../../../core/synth/random';
import type { RgbImage } from '../../../core/synth/rgb-image';
import { FACE_LANDMARKS as L, loadFaceTopology } from '../mesh/face-topology';

/** What makes a synthetic person recognisable: colours and marks painted in the face's UV layout. */
export interface FaceTraits {
  readonly skin: Colour;
  readonly lips: Colour;
  readonly iris: Colour;
  readonly brows: Colour;
  /** Brow thickness as a share of the eye width. */
  readonly browThickness: number;
  /** Beard or stubble cover of the jaw and upper lip, 0 none. */
  readonly beard: number;
  readonly beardColour: Colour;
  /** Cheek blush strength 0..1. */
  readonly blush: number;
  /** Eye shadow strength 0..1 and its colour. */
  readonly shadow: number;
  readonly shadowColour: Colour;
  /** Moles [u, v, radius] in UV. */
  readonly moles: readonly (readonly [number, number, number])[];
  /** Forehead colour band (a hat rim or fringe of hair) height as a share of the forehead, 0 none. */
  readonly fringe: number;
  readonly hair: Colour;
}

/** Draws one synthetic person. */
export function drawFaceTraits(random: SeededRandom): FaceTraits {
  const tone = random.next();
  const skin = mix([1.0, 0.87, 0.77], [0.5, 0.34, 0.24], tone * tone);
  const hair = hsv(random.range(0.02, 0.12), random.range(0.3, 0.8), random.range(0.1, 0.9));
  const male = random.chance(0.5);
  return {
    skin,
    lips: mix(skin, hsv(random.range(0.95, 1.02), random.range(0.4, 0.8), random.range(0.5, 0.9)), random.range(0.4, 0.9)),
    iris: random.pick<Colour>([[0.25, 0.15, 0.08], [0.2, 0.35, 0.6], [0.3, 0.45, 0.25], [0.45, 0.3, 0.15]]),
    brows: mix(hair, [0.1, 0.07, 0.05], random.range(0, 0.5)),
    browThickness: random.range(0.3, 0.55),
    beard: male && random.chance(0.5) ? random.range(0.3, 1) : 0,
    beardColour: hair,
    blush: random.chance(0.5) ? random.range(0.2, 0.6) : 0,
    shadow: !male && random.chance(0.6) ? random.range(0.3, 0.8) : 0,
    shadowColour: hsv(random.next(), random.range(0.3, 0.7), random.range(0.3, 0.7)),
    moles: Array.from({ length: random.int(3) }, () => [random.range(0.2, 0.8), random.range(0.2, 0.75), random.range(0.008, 0.016)] as const),
    fringe: random.chance(0.5) ? random.range(0.2, 0.7) : 0,
    hair,
  };
}

const smooth = (d: number) => (d >= 1 ? 0 : d <= 0.6 ? 1 : (1 - d) / 0.4);

/**
 * Paints a person's face texture in the canonical UV layout (row 0 at v = 1), with small per-photo
 * variation of skin tone (`jitter`, 0 for the identity's reference texture).
 */
export function paintFace(traits: FaceTraits, size: readonly [number, number], jitter = 0): RgbImage {
  const [th, tw] = size;
  const t = loadFaceTopology();
  const uv = (i: number): [number, number] => [t.uvs[2 * i], t.uvs[2 * i + 1]];
  const mid = (a: number, b: number): [number, number] => [(uv(a)[0] + uv(b)[0]) / 2, (uv(a)[1] + uv(b)[1]) / 2];
  const eyes = [mid(L.rightEyeOuter, L.rightEyeInner), mid(L.leftEyeInner, L.leftEyeOuter)];
  const eyeW = Math.abs(uv(L.rightEyeOuter)[0] - uv(L.rightEyeInner)[0]) / 2;
  const brows = [uv(L.rightBrow), uv(L.leftBrow)];
  const mouth = mid(L.mouthRight, L.mouthLeft);
  const mouthW = Math.abs(uv(L.mouthLeft)[0] - uv(L.mouthRight)[0]) / 2;
  const mouthH = Math.abs(uv(L.upperLip)[1] - uv(L.lowerLip)[1]) / 2;
  const nose = uv(L.noseTip);
  const top = uv(L.foreheadTop)[1];
  const browV = Math.max(brows[0][1], brows[1][1]);
  const pixels = new Uint8Array(th * tw * 3);
  for (let r = 0; r < th; r++) {
    for (let c = 0; c < tw; c++) {
      const u = (c + 0.5) / tw;
      const v = 1 - (r + 0.5) / th;
      let col: Colour = [traits.skin[0] * (1 + jitter), traits.skin[1] * (1 + jitter), traits.skin[2] * (1 + jitter)];
      // Shading of the nose ridge and the cheeks' sides so the face has structure.
      col = mix(col, [col[0] * 0.8, col[1] * 0.75, col[2] * 0.75], Math.min(1, Math.abs(u - 0.5) * 1.2) * 0.5);
      if (traits.fringe > 0 && v > top - (top - browV) * traits.fringe) col = traits.hair;
      if (traits.blush > 0) for (const su of [0.3, 0.7]) col = mix(col, [0.85, 0.35, 0.35], traits.blush * 0.5 * smooth(Math.hypot(u - su, v - (nose[1] + 0.02)) / 0.09));
      if (traits.beard > 0 && v < mouth[1] + mouthH * 2.5 && (v < mouth[1] - mouthH || Math.abs(u - 0.5) > mouthW * 1.1 || v > mouth[1] + mouthH)) {
        const jaw = v < nose[1] - 0.04 ? 1 : 0;
        col = mix(col, traits.beardColour, traits.beard * 0.85 * jaw);
      }
      for (const [eu, ev] of eyes) {
        const d = Math.hypot((u - eu) / eyeW, (v - ev) / (eyeW * 0.45));
        if (traits.shadow > 0) col = mix(col, traits.shadowColour, traits.shadow * smooth(Math.hypot((u - eu) / (eyeW * 1.2), (v - ev - eyeW * 0.35) / (eyeW * 0.6))));
        if (d < 1) col = mix(col, [0.95, 0.93, 0.9], smooth(d));
        const di = Math.hypot(u - eu, v - ev) / (eyeW * 0.42);
        if (di < 1) col = mix(col, traits.iris, smooth(di));
        if (di < 0.45) col = [0.05, 0.05, 0.05];
      }
      for (const [bu, bv] of brows) {
        const d = Math.hypot((u - bu) / (eyeW * 1.25), (v - bv - eyeW * 0.15) / (eyeW * traits.browThickness));
        if (d < 1) col = mix(col, traits.brows, smooth(d));
      }
      const dm = Math.hypot((u - mouth[0]) / mouthW, (v - mouth[1]) / (mouthH * 1.3));
      if (dm < 1) col = mix(col, traits.lips, smooth(dm));
      for (const [mu, mv, mr] of traits.moles) if (Math.hypot(u - mu, v - mv) < mr) col = [0.25, 0.15, 0.1];
      for (let k = 0; k < 3; k++) pixels[3 * (r * tw + c) + k] = Math.max(0, Math.min(255, Math.round(col[k] * 255)));
    }
  }
  return { height: th, width: tw, pixels };
}
