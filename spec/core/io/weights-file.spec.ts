import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tf } from '../../../core/backend/tf';
import { ModelFileError, type ModelFileErrorKind } from '../../../core/io/model-file-error';
import { loadWeights, readWeightsManifest, saveWeights } from '../../../core/io/weights-file';
import { assertClose, expectNoTensorLeak, randomArray } from '../../helpers/tensors';

async function expectModelError(p: Promise<unknown>, kind: ModelFileErrorKind, ...fragments: string[]): Promise<string> {
  const err = await p.then(
    (t) => {
      tf.dispose(t as tf.NamedTensorMap);
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(err, `expected a ModelFileError of kind ${kind}`).to.be.instanceOf(ModelFileError);
  expect((err as ModelFileError).kind, (err as Error).message).to.equal(kind);
  for (const f of fragments) expect((err as Error).message).to.contain(f);
  return (err as Error).message;
}

describe('core/io/weights-file', () => {
  let dir: string;
  let tensors: tf.NamedTensorMap;
  const expected = [
    { name: 'enc/conv1/kernel', shape: [3, 3, 3, 8] },
    { name: 'enc/conv1/bias', shape: [8] },
    { name: 'step', shape: [], dtype: 'int32' as const },
    { name: 'mask', shape: [2, 2], dtype: 'bool' as const },
  ];

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retex-weights-'));
    tensors = {
      'enc/conv1/kernel': tf.tensor4d(randomArray(3 * 3 * 3 * 8, 5), [3, 3, 3, 8]),
      'enc/conv1/bias': tf.tensor1d(randomArray(8, 6)),
      step: tf.scalar(1234, 'int32'),
      mask: tf.tensor2d([true, false, false, true], [2, 2], 'bool'),
    };
    await saveWeights(dir, tensors, { metadata: { epoch: 7, width: 0.25 } });
  });
  after(() => {
    tf.dispose(tensors);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('round-trips names, shapes, dtypes and values, and keeps metadata', async () => {
    const manifest = await readWeightsManifest(dir);
    expect(manifest.data).to.match(/^tensors-[0-9a-f]{16}\.bin$/);
    expect(fs.readdirSync(dir).filter((f) => !f.startsWith('bad-')).sort()).to.deep.equal([manifest.data, 'tensors.json']);
    expect(manifest.metadata).to.deep.equal({ epoch: 7, width: 0.25 });
    expect(manifest.byteLength).to.equal((216 + 8 + 1) * 4 + 4);
    const loaded = await loadWeights(dir, expected);
    expect(Object.keys(loaded).sort()).to.deep.equal(Object.keys(tensors).sort());
    for (const [name, t] of Object.entries(tensors)) {
      expect(loaded[name].dtype, name).to.equal(t.dtype);
      expect(loaded[name].shape, name).to.deep.equal(t.shape);
      assertClose(loaded[name], t, { atol: 0, rtol: 0, what: name });
    }
    tf.dispose(loaded);
  });

  it('creates exactly the returned tensors (no leak) and none when it rejects', async () => {
    const before = tf.memory().numTensors;
    const loaded = await loadWeights(dir);
    expect(tf.memory().numTensors - before).to.equal(4);
    tf.dispose(loaded);
    await expectNoTensorLeak(() => loadWeights(dir, expected.slice(1)).catch(() => undefined), 'rejected load');
  });

  it('says which tensor is missing, which has the wrong shape or dtype, and which is unexpected', async () => {
    const msg = await expectModelError(
      loadWeights(dir, [
        { name: 'enc/conv1/kernel', shape: [3, 3, 3, 16] },
        { name: 'enc/conv1/bias', shape: [8] },
        { name: 'step', shape: [], dtype: 'float32' },
        { name: 'enc/conv2/kernel', shape: [3, 3, 8, 8] },
      ]),
      'weights-mismatch',
      path.join(dir, 'tensors.json'),
    );
    expect(msg).to.contain("'enc/conv1/kernel' has shape [3,3,3,8], expected [3,3,3,16]");
    expect(msg).to.contain("'step' has dtype int32, expected float32");
    expect(msg).to.contain("'enc/conv2/kernel' is missing (expected shape [3,3,8,8])");
    expect(msg).to.contain("'mask' is not expected");
    expect(msg).not.to.contain("'enc/conv1/bias'");
    const partial = await loadWeights(dir, expected.slice(0, 2), { allowUnexpected: true });
    expect(Object.keys(partial)).to.have.length(4);
    tf.dispose(partial);
  });

  it('names the data file by its content and removes the previous one on a new save', async () => {
    const again = fs.mkdtempSync(path.join(os.tmpdir(), 'retex-weights-again-'));
    try {
      const [one, two] = [tf.scalar(1), tf.scalar(2)];
      const first = await saveWeights(again, { a: one });
      const second = await saveWeights(again, { a: two });
      tf.dispose([one, two]);
      expect(second.data).to.not.equal(first.data);
      expect(fs.readdirSync(again).sort()).to.deep.equal([second.data, 'tensors.json']);
      const loaded = await loadWeights(again);
      expect(loaded.a.dataSync()[0]).to.equal(2);
      tf.dispose(loaded);
    } finally {
      fs.rmSync(again, { recursive: true, force: true });
    }
  });

  it('rejects a missing manifest, malformed JSON, a foreign JSON, and a missing or truncated .bin', async () => {
    const other = fs.mkdtempSync(path.join(dir, 'bad-'));
    await expectModelError(loadWeights(other), 'not-found', path.join(other, 'tensors.json'), 'does not exist');
    fs.copyFileSync(path.join(dir, 'tensors.json'), path.join(other, 'tensors.json'));
    const binName = (await readWeightsManifest(dir)).data;
    await expectModelError(loadWeights(other), 'shard-missing', path.join(other, binName));
    const bin = fs.readFileSync(path.join(dir, binName));
    fs.writeFileSync(path.join(other, binName), bin.subarray(0, 100));
    await expectModelError(loadWeights(other), 'shard-size', 'is 100 bytes', `expects ${bin.length}`);
    fs.writeFileSync(path.join(other, 'tensors.json'), '{"format": "retex-weights", "weig');
    await expectModelError(loadWeights(other), 'malformed', 'not valid JSON');
    fs.writeFileSync(path.join(other, 'tensors.json'), '{"format": "something-else"}');
    await expectModelError(loadWeights(other), 'malformed', 'not a retex weights manifest');
  });

  it('refuses duplicate names when saving a list', async () => {
    const t = tf.zeros([2]);
    await expectModelError(
      saveWeights(path.join(dir, 'dup'), [
        { name: 'a', tensor: t },
        { name: 'a', tensor: t },
      ]),
      'weights-mismatch',
      "'a' appears twice",
    );
    t.dispose();
  });
});
