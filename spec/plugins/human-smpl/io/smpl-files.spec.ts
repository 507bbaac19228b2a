import { expect } from 'chai';
import { writeFileSync } from 'fs';
import * as path from 'path';
import { tf } from '../../../../core/backend/tf';
import { BodyModel } from '../../../../plugins/human-smpl/body/body-model';
import { encodeNpy, parseNpy } from '../../../../plugins/human-smpl/io/npy';
import { parseObjUvLayout } from '../../../../plugins/human-smpl/io/obj-uv-layout';
import { loadSmplFiles } from '../../../../plugins/human-smpl/io/smpl-files';
import { assertClose } from '../../../helpers/tensors';
import { nest, smplArraysOf, tempDir, writeNpz, writeUvObj } from '../helpers/smpl-fixtures';
import { testBodyData } from '../helpers/test-skeleton';
import { rejects } from '../../../helpers/rejection';

function withHeader(npy: Uint8Array, from: string, to: string): Uint8Array {
  const text = Buffer.from(npy).toString('latin1').replace(from, to);
  return Uint8Array.from(Buffer.from(text, 'latin1'));
}

describe('plugins/human-smpl SMPL files (.npz, .json, UV .obj)', () => {
  const body = testBodyData({ shapeCount: 3, poseDirs: true, blend: true });
  const dir = tempDir();
  const uvFile = path.join(dir, 'uv.obj');
  before(() => writeUvObj(uvFile, body));

  it('parses .npy of every supported dtype and shape', () => {
    for (const dtype of ['<f4', '<f8', '<i4', '<i8', '<u4'] as const) {
      const a = parseNpy(encodeNpy([1, 2, 3, 4, 5, 6], [2, 3], dtype), 'x');
      expect(a.shape).to.deep.equal([2, 3]);
      expect(Array.from(a.values)).to.deep.equal([1, 2, 3, 4, 5, 6]);
    }
    expect(parseNpy(encodeNpy([4294967295], [1], '<u4'), 'k').values[0]).to.equal(4294967295);
    expect(parseNpy(encodeNpy([7], [1], '<i8'), 'k').shape).to.deep.equal([1]);
  });

  it('says clearly when an array is in Fortran order, of an unsupported dtype, or truncated', () => {
    const npy = encodeNpy([1, 2, 3, 4], [2, 2], '<f4');
    expect(() => parseNpy(withHeader(npy, "'fortran_order': False", "'fortran_order': True "), 'weights')).to.throw(
      /'weights'.*Fortran.*C order/,
    );
    expect(() => parseNpy(withHeader(npy, "'<f4'", "'<f2'"), 'shapedirs')).to.throw(/'shapedirs' has dtype '<f2'.*supported/);
    expect(() => parseNpy(withHeader(npy, "'<f4'", "'|O'"), 'J_regressor')).to.throw(/toarray/);
    expect(() => parseNpy(withHeader(npy, "'<f4'", "'>f4'"), 'f')).to.throw(/big-endian/);
    expect(() => parseNpy(npy.slice(0, npy.length - 4), 'v_template')).to.throw(/truncated/);
  });

  for (const compress of [true, false]) {
    it(`loads an .npz export (${compress ? 'compressed' : 'stored'}) whose forward pass matches the source body`, async () => {
      const file = path.join(dir, `model-${compress}.npz`);
      writeNpz(file, smplArraysOf(body), compress);
      const data = await loadSmplFiles(file, uvFile);
      expect(data.parents[0]).to.equal(-1);
      expect(Array.from(data.parents)).to.deep.equal(Array.from(body.parents));
      assertClose(data.vTemplate, body.vTemplate, { what: 'v_template' });
      assertClose(data.uvs, body.uvs, { what: 'uvs' });
      expect(Array.from(data.uvFaces)).to.deep.equal(Array.from(body.uvFaces));
      const a = BodyModel.create(data);
      const b = BodyModel.create(body);
      const pose = tf.tensor2d(Array.from({ length: 72 }, (_, i) => Math.sin(i) * 0.4), [1, 72]);
      const betas = tf.tensor2d([[0.5, -1, 0.2]]);
      const oa = a.forward({ betas, pose });
      const ob = b.forward({ betas, pose });
      assertClose(oa.vertices, ob.vertices, { atol: 1e-6, what: 'vertices' });
      tf.dispose([pose, betas, oa.vertices, oa.joints, ob.vertices, ob.joints]);
      a.dispose();
      b.dispose();
    });
  }

  it('loads the JSON equivalent, nested arrays or {shape, data}', async () => {
    const arrays = smplArraysOf(body);
    const doc: Record<string, unknown> = {};
    for (const [k, a] of Object.entries(arrays)) {
      doc[k] = k === 'posedirs' ? { shape: a.shape, data: Array.from(a.values) } : nest(a.values, a.shape);
    }
    const file = path.join(dir, 'model.json');
    writeFileSync(file, JSON.stringify(doc));
    const data = await loadSmplFiles(file, uvFile);
    assertClose(data.shapeDirs, body.shapeDirs, { what: 'shapedirs' });
    assertClose(data.poseDirs as Float32Array, body.poseDirs as Float32Array, { what: 'posedirs' });
    expect(data.shapeCount).to.equal(3);
  });

  it('names the missing key, or the mis-shaped key with its expected shape', async () => {
    const { weights, ...noWeights } = smplArraysOf(body);
    const missing = path.join(dir, 'missing.npz');
    writeNpz(missing, noWeights);
    expect((await rejects(loadSmplFiles(missing, uvFile))).message).to.match(/missing key\(s\) 'weights'/);

    const bad = path.join(dir, 'bad-shape.npz');
    writeNpz(bad, { ...smplArraysOf(body), weights: { ...weights, shape: [24, 48] } });
    expect((await rejects(loadSmplFiles(bad, uvFile))).message).to.match(/'weights' has shape \[24,48\], expected \[48,24\]/);

    const badPose = path.join(dir, 'bad-posedirs.npz');
    const arrays = smplArraysOf(body);
    writeNpz(badPose, { ...arrays, posedirs: { shape: [48, 3, 10], values: new Float32Array(48 * 30), dtype: '<f4' } });
    expect((await rejects(loadSmplFiles(badPose, uvFile))).message).to.match(/'posedirs' has shape \[48,3,10\], expected \[48,3,207\]/);

    const fortran = path.join(dir, 'fortran.npz');
    const npy = encodeNpy(arrays.f.values, arrays.f.shape, '<i4');
    writeNpz(fortran, { ...arrays, f: withHeader(npy, "'fortran_order': False", "'fortran_order': True ") });
    expect((await rejects(loadSmplFiles(fortran, uvFile))).message).to.match(/fortran\.npz.*'f'.*Fortran/);
  });

  it('rejects a UV layout whose triangles differ from the model, or lacks UV indices', async () => {
    const file = path.join(dir, 'ok.npz');
    writeNpz(file, smplArraysOf(body));
    const shuffled = body.faces.slice();
    [shuffled[3], shuffled[4]] = [shuffled[4], shuffled[3]];
    const badUv = path.join(dir, 'bad-uv.obj');
    writeUvObj(badUv, body, shuffled);
    expect((await rejects(loadSmplFiles(file, badUv))).message).to.match(/triangle 1 uses vertex/);
    expect(() => parseObjUvLayout('v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n', 'plain.obj')).to.throw(/plain\.obj:4.*no UV index/);
    const quad = parseObjUvLayout('v 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\nvt 0 0\nvt 1 0\nvt 1 1\nvt 0 1\nf 1/1 2/2 3/3 -1/-1\n', 'q.obj');
    expect(Array.from(quad.faces)).to.deep.equal([0, 1, 2, 0, 2, 3]);
    expect(Array.from(quad.uvFaces)).to.deep.equal([0, 1, 2, 0, 2, 3]);
  });

  it('explains the expected formats for other file types', async () => {
    expect((await rejects(loadSmplFiles(path.join(dir, 'SMPL_NEUTRAL.pkl'), uvFile))).message).to.match(/\.npz or \.json.*np\.savez/);
  });
});
