import { expect } from 'chai';
import type { RetexConfig } from '../../../core/plugin';
import { uvTriangleMask } from '../../../plugins/human-smpl/body/uv-region-mask';
import { builtinBodyData } from '../../../plugins/human-smpl/builtin-body/builtin-body';
import { humanSmplPlugin } from '../../../plugins/human-smpl/index';
import { texelSurface } from '../../../plugins/human-smpl/synth/texel-surface';
import { areaResize } from '../../../core/io/area-resize';
import { HUMAN_TEXTURE_REGIONS, findReferenceTexturesDir } from '../../../plugins/human-smpl/texture-regions';
import { expectNoTensorLeak } from '../../helpers/tensors';

const config = (pluginOptions: Record<string, unknown> = {}): RetexConfig => ({ pluginOptions }) as unknown as RetexConfig;
const SIZES: ReadonlyArray<readonly [number, number]> = [[64, 64], [128, 128]];
const count = (m: Float32Array): number => m.reduce((s, v) => s + v, 0);
/** Rec. 601 luma of texel i of a [-1,1] RGB texture, in [0,1]. */
const luma = (t: Float32Array, i: number): number => (0.299 * (t[3 * i] + 1) + 0.587 * (t[3 * i + 1] + 1) + 0.114 * (t[3 * i + 2] + 1)) / 2;

describe('plugins/human-smpl/texture-regions (face/hand term)', () => {
  const data = builtinBodyData();
  const joint = (name: string) => data.jointNames.indexOf(name);

  it('is the plugin\'s textureRegions, with face + hands by default', () => {
    expect(humanSmplPlugin.textureRegions).to.equal(HUMAN_TEXTURE_REGIONS);
    expect(HUMAN_TEXTURE_REGIONS.defaultRegions).to.deep.equal(['face', 'hands']);
    for (const r of ['face', 'hands', 'leftHand', 'rightHand']) expect(HUMAN_TEXTURE_REGIONS.names).to.include(r);
  });

  for (const size of SIZES) {
    it(`masks at ${size.join('x')}: binary, non-empty, inside the atlas charts; hands = left + right`, async () => {
      const charts = uvTriangleMask(data.uvs, data.uvFaces, size);
      const masks: Record<string, Float32Array> = {};
      for (const r of ['face', 'hands', 'leftHand', 'rightHand']) {
        masks[r] = await expectNoTensorLeak(() => HUMAN_TEXTURE_REGIONS.mask(config(), [r], size), `mask ${r}`);
        expect(masks[r]).to.have.length(size[0] * size[1]);
        expect(count(masks[r]), r).to.be.greaterThan(0);
        masks[r].forEach((v, t) => {
          expect(v === 0 || v === 1, `${r}[${t}] = ${v}`).to.equal(true);
          if (v) expect(charts[t], `${r}[${t}] outside the charts`).to.equal(1);
        });
      }
      masks.hands.forEach((v, t) => expect(v, `hands[${t}]`).to.equal(Math.max(masks.leftHand[t], masks.rightHand[t])));
      const both = await HUMAN_TEXTURE_REGIONS.mask(config(), HUMAN_TEXTURE_REGIONS.defaultRegions, size);
      both.forEach((v, t) => expect(v, `default[${t}]`).to.equal(Math.max(masks.face[t], masks.hands[t])));
    });
  }

  it('the face mask lies on the front of the head, the hand masks on the hands', async () => {
    const size: [number, number] = [128, 128];
    const surface = texelSurface(data, size);
    const head = joint('head');
    const [hx, hy, hz] = [0, 1, 2].map((k) => surface.joints[3 * head + k]);
    const face = await HUMAN_TEXTURE_REGIONS.mask(config(), ['face'], size);
    face.forEach((v, t) => {
      if (!v || surface.joint[t] < 0) return;
      expect([joint('head'), joint('neck')], `face texel ${t} joint`).to.include(surface.joint[t]);
      const [x, y, z] = [0, 1, 2].map((k) => surface.position[3 * t + k]);
      expect(z - hz, `face texel ${t} is not in front of the head joint`).to.be.greaterThan(0.02);
      expect(Math.abs(x - hx), `face texel ${t}`).to.be.lessThan(0.09);
      expect(Math.abs(y - hy), `face texel ${t}`).to.be.lessThan(0.12);
    });
    const left = await HUMAN_TEXTURE_REGIONS.mask(config(), ['leftHand'], size);
    const handJoints = ['left_wrist', 'left_hand'].map(joint);
    left.forEach((v, t) => {
      if (!v || surface.joint[t] < 0) return;
      expect(handJoints, `left hand texel ${t} joint`).to.include(surface.joint[t]);
      expect(surface.position[3 * t], `left hand texel ${t} x`).to.be.greaterThan(0.6);
    });
  });

  it('an unknown region is an error naming the known ones', async () => {
    let message = '';
    await HUMAN_TEXTURE_REGIONS.mask(config(), ['feet'], [64, 64]).catch((e: Error) => (message = e.message));
    expect(message).to.match(/'feet'/).and.to.match(/face, hands, leftHand, rightHand/);
  });

  it('ships 16 reference textures; they load at 64x64 and 128x128 in [-1,1], 64 being the 2x2 means of 128', async () => {
    expect(findReferenceTexturesDir()).to.match(/plugins[\\/]human-smpl[\\/]reference-textures$/);
    const big = await HUMAN_TEXTURE_REGIONS.referenceTextures(config(), [128, 128]);
    const small = await HUMAN_TEXTURE_REGIONS.referenceTextures(config(), [64, 64]);
    expect(big).to.have.length(16);
    expect(small).to.have.length(16);
    for (const [set, n] of [[big, 128], [small, 64]] as const) {
      for (const t of set) {
        expect(t).to.have.length(n * n * 3);
        expect(Math.min(...t)).to.be.at.least(-1);
        expect(Math.max(...t)).to.be.at.most(1);
      }
    }
    const expected = areaResize(big[3], [128, 128], 3, [64, 64]);
    const r = 40, c = 50, k = 1;
    const mean = (big[3][((2 * r) * 128 + 2 * c) * 3 + k] + big[3][((2 * r) * 128 + 2 * c + 1) * 3 + k] + big[3][((2 * r + 1) * 128 + 2 * c) * 3 + k] + big[3][((2 * r + 1) * 128 + 2 * c + 1) * 3 + k]) / 4;
    expect(small[3][(r * 64 + c) * 3 + k]).to.be.closeTo(mean, 1e-5);
    small[3].forEach((v, i) => expect(v, `texel value ${i}`).to.be.closeTo(expected[i], 1e-5));
  });

  it('reference faces have features: the darkest face texel is far darker than the median (eyes, brows, mouth)', async () => {
    // At 64x64 an eye is about one texel, so its contrast is diluted by the skin around it.
    const ratio: Record<number, number> = { 64: 0.8, 128: 0.5 };
    for (const size of SIZES) {
      const face = await HUMAN_TEXTURE_REGIONS.mask(config(), ['face'], size);
      const refs = await HUMAN_TEXTURE_REGIONS.referenceTextures(config(), size);
      refs.forEach((ref, i) => {
        const values: number[] = [];
        face.forEach((v, t) => v && values.push(luma(ref, t)));
        values.sort((a, b) => a - b);
        const median = values[values.length >> 1];
        expect(values[0], `reference ${i} at ${size.join('x')}: darkest ${values[0]} vs median ${median}`).to.be.lessThan(ratio[size[0]] * median);
      });
    }
  });

  it('with a licensed SMPL body, the shipped references are refused with a hint to pass --reference-textures', async () => {
    let message = '';
    await HUMAN_TEXTURE_REGIONS.referenceTextures(config({ bodyModel: '/models/smpl.npz', bodyUvLayout: '/models/smpl_uv.obj' }), [64, 64]).catch(
      (e: Error) => (message = e.message),
    );
    expect(message).to.match(/built-in body's UV layout/).and.to.match(/--reference-textures DIR/).and.to.include('/models/smpl.npz');
  });

  it('areaResize keeps the mean colour and handles non-integer ratios', () => {
    const src = Float32Array.from({ length: 5 * 7 * 3 }, (_, i) => (i * 37) % 11);
    const out = areaResize(src, [5, 7], 3, [3, 4]);
    for (let ch = 0; ch < 3; ch++) {
      let a = 0;
      let b = 0;
      for (let i = ch; i < src.length; i += 3) a += src[i];
      for (let i = ch; i < out.length; i += 3) b += out[i];
      expect(b / 12).to.be.closeTo(a / 35, 1e-4);
    }
  });
});
