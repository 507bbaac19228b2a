import { expect } from 'chai';
import { SeededRandom } from '../../../../core/synth/random';
import { builtinBodyData } from '../../../../plugins/human-smpl/builtin-body/builtin-body';
import { drawFaceLook } from '../../../../plugins/human-smpl/synth/face-look';
import { FACE_LAYOUT } from '../../../../plugins/human-smpl/synth/face-layout';
import { drawOutfit, HAIR_COLOURS, SKIN_TONES, type Outfit } from '../../../../plugins/human-smpl/synth/outfit';
import { paintOutfit } from '../../../../plugins/human-smpl/synth/paint-outfit';
import { paintReferenceTextures } from '../../../../plugins/human-smpl/synth/reference-outfits';
import { texelSurface } from '../../../../plugins/human-smpl/synth/texel-surface';

const luma = (p: Uint8Array, t: number): number => (0.299 * p[3 * t] + 0.587 * p[3 * t + 1] + 0.114 * p[3 * t + 2]) / 255;

describe('plugins/human-smpl/synth face painter', () => {
  const data = builtinBodyData();
  const surface = texelSurface(data, [128, 128]);
  const head = data.jointNames.indexOf('head');
  const [hx, hy, hz] = [0, 1, 2].map((k) => surface.joints[3 * head + k]);

  /** Dark skin, black short hair: the eye whites are the only texels of the head far lighter than the skin. */
  function darkOutfit(seed: number): Outfit {
    const base = drawOutfit(SeededRandom.of('spec', seed));
    const skin = SKIN_TONES[SKIN_TONES.length - 1];
    return { ...base, skin, hair: HAIR_COLOURS[0], hairStyle: 'short', face: drawFaceLook(SeededRandom.of('spec-face', seed), skin, HAIR_COLOURS[0], false) };
  }

  it('is deterministic per seed', () => {
    const o = drawOutfit(SeededRandom.of(3, 'outfit', 1));
    const a = paintOutfit(o, surface, data.jointNames, SeededRandom.of(3, 'grain', 1));
    const b = paintOutfit(drawOutfit(SeededRandom.of(3, 'outfit', 1)), surface, data.jointNames, SeededRandom.of(3, 'grain', 1));
    expect(Buffer.from(a.pixels).equals(Buffer.from(b.pixels))).to.equal(true);
  });

  it('paints the eyes on the front of the head at eye height, one on each side', () => {
    for (const seed of [1, 2, 3]) {
      const o = darkOutfit(seed);
      const tex = paintOutfit(o, surface, data.jointNames, SeededRandom.of('grain', seed));
      const skin = 0.299 * o.skin[0] + 0.587 * o.skin[1] + 0.114 * o.skin[2];
      const sides = new Set<number>();
      for (let t = 0; t < surface.joint.length; t++) {
        if (surface.joint[t] !== head || luma(tex.pixels, t) < skin + 0.2) continue;
        const [x, y, z] = [0, 1, 2].map((k) => surface.position[3 * t + k]);
        expect(z - hz, `light texel ${t} not on the front`).to.be.greaterThan(0.06);
        expect(Math.abs(y - hy - FACE_LAYOUT.eyeY), `light texel ${t} height`).to.be.lessThan(0.015);
        expect(Math.abs(x - hx), `light texel ${t} across`).to.be.within(0.01, 0.05);
        sides.add(Math.sign(x - hx));
      }
      expect([...sides].sort(), `seed ${seed}: eyes on both sides`).to.deep.equal([-1, 1]);
    }
  });

  it('reference textures span every skin tone and hair style, and differ from each other', () => {
    const refs = paintReferenceTextures(16, [128, 128]);
    expect(new Set(refs.map((r) => r.outfit.skin)).size).to.equal(SKIN_TONES.length);
    expect(new Set(refs.map((r) => r.outfit.hairStyle))).to.deep.equal(new Set(['short', 'long', 'cap']));
    expect(new Set(refs.map((r) => r.stream)).size).to.equal(16);
    expect(new Set(refs.map((r) => Buffer.from(r.texture.pixels).toString('base64'))).size).to.equal(16);
  });
});
