import { expect } from 'chai';
import type { RetexConfig } from '../../../core/plugin';
import { uvChartMask } from '../../../core/renderer/uv-texels';
import { builtinBodyData } from '../../../plugins/human-smpl/builtin-body/builtin-body';
import { humanSmplPlugin } from '../../../plugins/human-smpl/index';
import { texelSurface } from '../../../plugins/human-smpl/synth/texel-surface';
import * as fs from 'fs';
import {
  HUMAN_PART_NAMES,
  HUMAN_TEXTURE_SYMMETRY,
  humanMirrorMap,
  humanParts,
  PRECOMPUTED_SYMMETRY_SIZES,
  precomputedSymmetryFile,
} from '../../../plugins/human-smpl/texture-symmetry';
import { expectNoTensorLeak } from '../../helpers/tensors';

const config = (pluginOptions: Record<string, unknown> = { bodyModel: 'builtin' }): RetexConfig => ({ pluginOptions }) as unknown as RetexConfig;
const SIZES: ReadonlyArray<readonly [number, number]> = [[64, 64], [128, 128]];

describe('plugins/human-smpl/texture-symmetry', () => {
  const data = builtinBodyData();
  const joint = (name: string) => data.jointNames.indexOf(name);

  it("is the plugin's textureSymmetry", () => {
    expect(humanSmplPlugin.textureSymmetry).to.equal(HUMAN_TEXTURE_SYMMETRY);
  });

  for (const size of SIZES) {
    const [th, tw] = size;
    it(`mirror at ${size.join('x')}: -1 exactly off the charts, a near-involution taking the left side to the right`, async () => {
      const mirror = await expectNoTensorLeak(() => HUMAN_TEXTURE_SYMMETRY.mirror(config(), size), 'mirror');
      const chart = uvChartMask(data, size);
      const chartCount = chart.reduce((s, m) => s + m, 0);
      const { position } = texelSurface(data, size);
      expect(mirror).to.have.length(th * tw);
      let involution = 0;
      let sided = 0;
      let error = 0;
      for (let t = 0; t < th * tw; t++) {
        const m = mirror[t];
        if (!chart[t]) {
          expect(m, `texel ${t} is off the charts`).to.equal(-1);
          continue;
        }
        expect(chart[m], `mirror of ${t}`).to.equal(1);
        if (mirror[m] === t) involution++;
        const [x, y, z] = [0, 1, 2].map((d) => position[3 * t + d]);
        const [mx, my, mz] = [0, 1, 2].map((d) => position[3 * m + d]);
        error += Math.hypot(mx + x, my - y, mz - z);
        // The person's left (+x) maps to the right.
        if (x > 0.03) {
          sided++;
          expect(mx, `texel ${t} at x ${x}`).to.be.lessThan(0);
        }
      }
      expect(involution / chartCount, 'involution share').to.be.greaterThan(0.9);
      expect(sided).to.be.greaterThan(0.25 * chartCount);
      // The mirrored point lands within about a texel (the atlas's spacing is ~2 cm at 64x64).
      expect(error / chartCount, 'mean distance to the reflection, m').to.be.lessThan(size[0] === 64 ? 0.015 : 0.006);
    });
  }

  it('parts: every chart texel has one, none off the charts; every part is non-empty and left-right symmetric', async () => {
    const size: [number, number] = [64, 64];
    const parts = await expectNoTensorLeak(() => HUMAN_TEXTURE_SYMMETRY.parts(config(), size), 'parts');
    const mirror = await HUMAN_TEXTURE_SYMMETRY.mirror(config(), size);
    const chart = uvChartMask(data, size);
    const chartCount = chart.reduce((s, m) => s + m, 0);
    expect(parts.names).to.deep.equal([...HUMAN_PART_NAMES]);
    const counts = parts.names.map(() => 0);
    let symmetric = 0;
    parts.labels.forEach((l, t) => {
      if (!chart[t]) return expect(l, `texel ${t}`).to.equal(-1);
      expect(l, `texel ${t}`).to.be.within(0, parts.names.length - 1);
      counts[l]++;
      if (parts.labels[mirror[t]] === l) symmetric++;
    });
    counts.forEach((n, i) => expect(n, parts.names[i]).to.be.greaterThan(0));
    expect(symmetric / chartCount).to.be.greaterThan(0.95);
  });

  it('parts lie where they should on the rest body (head above the shoulders, feet below the knees, hands past the elbows)', async () => {
    const size: [number, number] = [128, 128];
    const { labels, names } = await HUMAN_TEXTURE_SYMMETRY.parts(config(), size);
    const { position, joints } = texelSurface(data, size);
    const at = (name: string, axis: number) => joints[3 * joint(name) + axis];
    labels.forEach((l, t) => {
      if (l < 0) return;
      const [x, y] = [position[3 * t], position[3 * t + 1]];
      const part = names[l];
      if (part === 'head') expect(y, `head texel ${t}`).to.be.greaterThan(at('left_shoulder', 1) - 0.05);
      if (part === 'feet') expect(y, `foot texel ${t}`).to.be.lessThan(at('left_knee', 1));
      if (part === 'hands') expect(Math.abs(x), `hand texel ${t}`).to.be.greaterThan(at('left_elbow', 0));
      if (part === 'torso') expect(Math.abs(x), `torso texel ${t}`).to.be.lessThan(at('left_shoulder', 0) + 0.05);
    });
  });

  it('the default body is the built-in one; results are cached and fresh per call', async () => {
    const a = await HUMAN_TEXTURE_SYMMETRY.mirror(config({}), [64, 64]);
    const b = await HUMAN_TEXTURE_SYMMETRY.mirror(config(), [64, 64]);
    expect(a).to.not.equal(b);
    expect(Array.from(a)).to.deep.equal(Array.from(b));
    const p = await HUMAN_TEXTURE_SYMMETRY.parts(config(), [64, 64]);
    p.labels.fill(7);
    expect((await HUMAN_TEXTURE_SYMMETRY.parts(config(), [64, 64])).labels.some((l) => l === -1)).to.equal(true);
  });

  it('the symmetry `npm run build` stores for the built-in body is the computed one, and is what the plugin returns', async () => {
    for (const size of PRECOMPUTED_SYMMETRY_SIZES) {
      const file = precomputedSymmetryFile(size);
      expect(fs.existsSync(file), `${file} (written by npm run build)`).to.equal(true);
      const stored = new Int32Array(new Uint8Array(fs.readFileSync(file)).buffer);
      const n = size[0] * size[1];
      expect(Array.from(stored.subarray(0, n))).to.deep.equal(Array.from(humanMirrorMap(data, size)));
      expect(Array.from(stored.subarray(n))).to.deep.equal(Array.from(humanParts(data, size).labels));
      expect(Array.from(await HUMAN_TEXTURE_SYMMETRY.mirror(config(), size))).to.deep.equal(Array.from(stored.subarray(0, n)));
    }
  });

  it('a licensed body without its UV layout is refused with a message naming bodyUvLayout', async () => {
    let message = '';
    await HUMAN_TEXTURE_SYMMETRY.mirror(config({ bodyModel: '/nowhere/smpl.npz' }), [64, 64]).catch((e: Error) => {
      message = e.message;
    });
    expect(message).to.match(/bodyUvLayout/);
  });
});
