import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initBackend } from '../../../core/backend/backend';
import { tf } from '../../../core/backend/tf';
import {
  decodeRenderOperators,
  encodeRenderOperator,
  readRenderOperators,
  writeRenderOperators,
} from '../../../core/renderer/operator-file';
import { PerspectiveCamera } from '../../../core/renderer/perspective-camera';
import { uvSphereMesh } from '../../../core/renderer/primitives';
import { SparseRenderer } from '../../../core/renderer/sparse-renderer';
import { assertClose, randomArray } from '../../helpers/tensors';
import { rejects } from '../../helpers/rejection';

const renderer = new SparseRenderer();

function op(sampling: 'nearest' | 'bilinear', size: [number, number], tex: [number, number]) {
  const cam = new PerspectiveCamera({ focalLength: size[0], translation: [0, 0, 3] });
  return renderer.operator(renderer.rasterize(uvSphereMesh(8, 16), cam, ...size), tex, sampling);
}

describe('core/renderer/operator-file', () => {
  let dir: string;
  before(async () => {
    await initBackend('cpu');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retex-op-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('round-trips operators (16-bit and 32-bit indices, both samplings) through one file', async () => {
    const ops = [op('nearest', [16, 12], [8, 8]), op('bilinear', [20, 20], [300, 300]), op('bilinear', [300, 260], [8, 8])];
    const file = path.join(dir, 'ops.bin');
    await writeRenderOperators(file, ops);
    const back = await readRenderOperators(file);
    expect(back).to.have.length(3);
    back.forEach((b, i) => {
      const a = ops[i];
      expect([b.height, b.width, ...b.textureSize]).to.deep.equal([a.height, a.width, ...a.textureSize]);
      expect(b.taps.sampling).to.equal(a.taps.sampling);
      expect(Array.from(b.taps.pixels)).to.deep.equal(Array.from(a.taps.pixels));
      expect(Array.from(b.taps.taps)).to.deep.equal(Array.from(a.taps.taps));
      expect(Array.from(b.taps.weights)).to.deep.equal(Array.from(a.taps.weights));
      expect(Array.from(b.mask)).to.deep.equal(Array.from(a.mask));
    });
    const t = tf.tensor4d(randomArray(8 * 8 * 3), [1, 8, 8, 3]);
    const [x, y] = [ops[0].apply(t), back[0].apply(t)];
    assertClose(y, x, { atol: 0 });
    tf.dispose([t, x, y]);
    [...ops, ...back].forEach((o) => o.dispose());
    // Nearest, 16-bit: 4 bytes per covered pixel plus a 32-byte header.
    expect(encodeRenderOperator(ops[0]).length).to.be.at.most(32 + 4 * ops[0].coveredPixels + 4);
  });

  it('gives clear errors on a foreign file, a newer version, truncation and a shape mismatch', async () => {
    const o = op('nearest', [16, 12], [8, 8]);
    const bytes = encodeRenderOperator(o);
    expect(() => decodeRenderOperators(new TextEncoder().encode('not an operator file at all, really'), 'x.bin')).to.throw(
      /x.bin: render operator at byte 0: not a retex render operator/,
    );
    const newer = bytes.slice();
    newer[4] = 9;
    expect(() => decodeRenderOperators(newer)).to.throw(/format version 9, this retex reads version 1/);
    expect(() => decodeRenderOperators(bytes.slice(0, bytes.length - 4))).to.throw(/truncated/);
    const two = new Uint8Array(2 * bytes.length - 3);
    two.set(bytes);
    two.set(bytes.subarray(0, bytes.length - 3), bytes.length);
    expect(() => decodeRenderOperators(two)).to.throw(new RegExp(`byte ${bytes.length}: truncated`));
    const file = path.join(dir, 'one.bin');
    await writeRenderOperators(file, [o]);
    const mismatch = await rejects(readRenderOperators(file, { height: 128, width: 64, textureSize: [64, 64], sampling: 'bilinear' }));
    expect(mismatch.message).to.match(/image 16x12, expected 128x64; texture 8x8, expected 64x64; sampling 'nearest', expected 'bilinear'/);
    const missing = await rejects(readRenderOperators(path.join(dir, 'missing.bin')));
    expect(missing.message).to.match(/cannot read render operators from .*missing.bin/);
    o.dispose();
  });
});
