import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initBackend } from '../../../core/backend/backend';
import { tf } from '../../../core/backend/tf';
import type { HostTensor } from '../../../core/io/host-tensor';
import { ModelFileError } from '../../../core/io/model-file-error';
import { readSafetensors } from '../../../core/io/safetensors';
import { readTensorArchive } from '../../../core/io/tensor-archive';
import { ReidNetwork } from '../../../core/nn/reid-network';
import { importTorchCheckpoint, planTorchImport, type TorchLayout } from '../../../core/nn/torch-import';
import { packageRoot } from '../../../core/paths';
import { runRetex } from '../../helpers/cli';
import { expectNoTensorLeak } from '../../helpers/tensors';
import { modelFileErrorOf } from '../../helpers/model-file-error';

/** What scripts/make-identity-fixtures.py wrote (spec/fixtures/identity/manifest.json). */
interface Fixture {
  readonly name: string;
  readonly layout: TorchLayout;
  readonly weights: string;
  readonly expected: string;
  readonly inputShape: [number, number, number, number];
  readonly stageShapes: number[][];
  readonly logitsShape: number[];
  readonly depth: number;
  readonly width: number;
  readonly stripes: number | null;
  readonly localDim: number | null;
  readonly numClasses: number;
  readonly keys: number;
  readonly torchFloat32Error: number[];
}

const DIR = path.join(packageRoot(), 'spec', 'fixtures', 'identity');
const FIXTURES: Fixture[] = JSON.parse(fs.readFileSync(path.join(DIR, 'manifest.json'), 'utf8')).fixtures;
/** The goal: every stage within 1e-4 of PyTorch, relative to the stage's largest magnitude. */
const TOLERANCE = 1e-4;

/** max |a - b| / max |b|. */
function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).to.equal(expected.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  if (!(diff === diff)) return Infinity;
  return diff / scale;
}

function tensorOf(t: HostTensor): tf.Tensor {
  return tf.tensor(t.values, [...t.shape], 'float32');
}

/** Per backend, the relative error of each fixture's stages and logits (printed at the end). */
const report: string[] = [];

async function checkParity(fx: Fixture, backend: string): Promise<void> {
  const expected = (await readSafetensors(path.join(DIR, fx.expected))).tensors;
  const [, h, w] = fx.inputShape;
  const { net, plan } = await importTorchCheckpoint(path.join(DIR, fx.weights), fx.layout, { inputSize: [h, w] });
  const input = tensorOf(expected.get('input')!) as tf.Tensor4D;
  try {
    expect(plan.config.depth).to.equal(fx.depth);
    expect(plan.config.width).to.equal(fx.width);
    expect(plan.config.numClasses).to.equal(fx.numClasses);
    if (fx.stripes != null) expect(plan.config.stripes).to.equal(fx.stripes);
    if (fx.localDim != null) expect(plan.config.localDim).to.equal(fx.localDim);
    const errors: number[] = [];
    await expectNoTensorLeak(async () => {
      const stages = net.features(input);
      try {
        for (let s = 0; s < 4; s++) {
          expect(stages[s].shape, `layer${s + 1} shape`).to.deep.equal(fx.stageShapes[s]);
          const err = relativeError(await stages[s].data(), expected.get(`layer${s + 1}`)!.values);
          errors.push(err);
          expect(err, `${fx.name} layer${s + 1} on ${backend}`).to.be.at.most(TOLERANCE);
        }
      } finally {
        tf.dispose(stages);
      }
      const out = net.forward(input, false);
      try {
        const want = expected.get('logits')!;
        expect(out.logits.length).to.equal(want.shape[0]);
        const got = tf.stack(out.logits);
        const err = relativeError(await got.data(), want.values);
        got.dispose();
        errors.push(err);
        expect(err, `${fx.name} logits on ${backend}`).to.be.at.most(TOLERANCE);
      } finally {
        tf.dispose([...out.stages, ...out.logits, out.embedding]);
      }
    }, 'features + forward');
    report.push(
      `${backend.padEnd(4)} ${fx.name.padEnd(24)} ${errors.map((e) => e.toExponential(1)).join('  ')}` +
        `   (torch f32: ${fx.torchFloat32Error.map((e) => e.toExponential(1)).join(' ')})`,
    );
  } finally {
    input.dispose();
    net.dispose();
  }
}

function describeParity(backend: 'cpu' | 'wasm'): void {
  describe(`parity with PyTorch on ${backend}`, () => {
    before(async () => {
      await initBackend(backend);
    });
    after(async () => {
      await initBackend('cpu');
    });
    for (const fx of FIXTURES) {
      it(`${fx.name} (${fx.layout}, ${fx.weights}): layer1..4 and logits within ${TOLERANCE} of torch`, async () => {
        await checkParity(fx, backend);
      });
    }
  });
}

/** The layumi fixture's state dict, for hand-edited variants. */
async function layumiState(): Promise<Map<string, HostTensor>> {
  return (await readTensorArchive(path.join(DIR, 'pcb-layumi.safetensors'))).tensors;
}


describe('core/nn/torch-import', () => {
  after(() => {
    if (report.length > 0) {
      process.stdout.write(`\n      max |retex - torch| / max |torch|: layer1 layer2 layer3 layer4 logits\n`);
      for (const line of report) process.stdout.write(`      ${line}\n`);
    }
  });

  it('has fixtures for the three layouts, with the key counts of the real checkpoints', () => {
    const byName = new Map(FIXTURES.map((f) => [f.name, f]));
    // 374 (layumi) and 338 (open-reid) are the key counts of the real ResNet-50 checkpoints; 320 is torchvision's.
    expect(byName.get('pcb-layumi')!.keys).to.equal(374);
    expect(byName.get('pcb-openreid')!.keys).to.equal(338);
    expect(byName.get('torchreid-resnet50')!.keys).to.equal(320);
    expect(byName.get('torchreid-resnet18-bf16')!.depth).to.equal(18);
  });

  describeParity('cpu');
  describeParity('wasm');

  it('maps the layouts onto retex variable paths and HWIO / [in,out] kernels', async () => {
    const plan = planTorchImport(await layumiState(), 'pcb-layumi', { file: 'layumi.safetensors' });
    expect(plan.config).to.include({ arch: 'pcb', head: 'per-stripe', depth: 50, lastStride: 1, stripes: 6, localDim: 16, numClasses: 10 });
    expect(plan.config.inputSize).to.deep.equal([384, 128]);
    expect(plan.weights.get('reid/conv1/kernel')!.shape).to.deep.equal([7, 7, 3, 4]);
    expect(plan.weights.get('reid/layer4/0/downsample/conv/kernel')!.shape).to.deep.equal([1, 1, 64, 128]);
    expect(plan.weights.get('reid/stripe5/reduce/kernel')!.shape).to.deep.equal([128, 16]);
    expect(plan.weights.get('reid/classifier0/kernel')!.shape).to.deep.equal([16, 10]);
    expect(plan.weights.has('reid/stripe0/reduce_bn/moving_variance')).to.equal(true);
    // fc (torchvision's ImageNet head, unused by PCB) and the BN counters are read and ignored.
    expect(plan.ignoredKeys).to.include.members(['model.fc.weight', 'model.fc.bias', 'model.bn1.num_batches_tracked']);
    expect(plan.ignoredKeys.filter((k) => !k.endsWith('num_batches_tracked'))).to.have.length(2);
    // conv: [O,I,kh,kw] -> [kh,kw,I,O]; spot-check one element.
    const state = await layumiState();
    const torch = state.get('model.conv1.weight')!;
    const retex = plan.weights.get('reid/conv1/kernel')!;
    const [o, i, kh, kw] = [3, 2, 5, 1];
    expect(retex.values[((kh * 7 + kw) * 3 + i) * 4 + o]).to.equal(torch.values[((o * 3 + i) * 7 + kh) * 7 + kw]);
    // linear: [out,in] -> [in,out].
    const lin = state.get('classifier2.classifier.0.weight')!;
    expect(plan.weights.get('reid/classifier2/kernel')!.values[7 * 10 + 4]).to.equal(lin.values[4 * 16 + 7]);
  });

  it('removes the DataParallel module. prefix and honours the input-size and last-stride options', async () => {
    const prefixed = new Map([...(await layumiState())].map(([k, v]) => [`module.${k}`, v]));
    const plan = planTorchImport(prefixed, 'pcb-layumi', { inputSize: [256, 128], lastStride: 2 });
    expect(plan.strippedModulePrefix).to.equal(true);
    expect(plan.config.inputSize).to.deep.equal([256, 128]);
    expect(plan.config.lastStride).to.equal(2);
  });

  it('gives one error with the missing keys, the unexpected keys and the first shape mismatch', async () => {
    const state = await layumiState();
    state.delete('model.layer2.1.bn2.running_var');
    state.delete('classifier3.add_block.1.bias');
    state.set('model.extra_head.weight', state.get('model.conv1.weight')!);
    const bad = state.get('model.layer3.0.conv2.weight')!;
    state.set('model.layer3.0.conv2.weight', { ...bad, shape: [bad.shape[0], bad.shape[1], 9, 1] });
    const err = modelFileErrorOf(() => planTorchImport(state, 'pcb-layumi', { file: 'edited.safetensors' }));
    expect(err.kind).to.equal('weights-mismatch');
    expect(err.file).to.equal('edited.safetensors');
    expect(err.message).to.match(/^edited\.safetensors does not match the 'pcb-layumi' layout it was read as/);
    expect(err.message).to.match(/missing 2 of \d+ expected keys: model\.layer2\.1\.bn2\.running_var, classifier3\.add_block\.1\.bias\n/);
    expect(err.message).to.match(/unexpected 1 keys: model\.extra_head\.weight\n/);
    expect(err.message).to.match(/first shape mismatch: 'model\.layer3\.0\.conv2\.weight' is \[16,16,9,1\] in the file, the layout expects \[16,16,3,3\]/);
  });

  it('names the format a checkpoint was read as and the one it matches', async () => {
    const file = path.join(DIR, 'pcb-layumi.safetensors');
    let err: ModelFileError | undefined;
    await importTorchCheckpoint(file, 'pcb-openreid').catch((e: ModelFileError) => (err = e));
    expect(err).to.be.instanceOf(ModelFileError);
    const message = err!.message;
    expect(message).to.include(`${file} does not match the 'pcb-openreid' layout`);
    // base.* and the open-reid head are missing (first 10 shown, with a count); the layumi keys are unexpected.
    expect(message).to.match(/missing \d+ of \d+ expected keys: base\.conv1\.weight, base\.bn1\.weight, .*\.\.\. \(\d+ more\)/);
    expect(message).to.match(/unexpected 315 keys: classifier0\.add_block\.0\.bias, .*\.\.\. \(305 more\)\n/);
    expect(message).to.include("the file matches the 'pcb-layumi' layout: use --format pcb-layumi");
    expect(message.split('\n').length).to.be.at.most(6);
  });

  it('reports a ResNet-101 trunk and a width beyond 4 in the same error', async () => {
    const state = await layumiState();
    const proto = state.get('model.layer3.1.conv1.weight')!;
    for (let b = 6; b < 23; b++) state.set(`model.layer3.${b}.conv1.weight`, proto);
    const err = modelFileErrorOf(() => planTorchImport(state, 'pcb-layumi'));
    expect(err.message).to.match(/bottleneck blocks 3, 4, 23, 3 per stage \(a ResNet-101\); retex builds ResNet-18/);
    expect(err.message).to.match(/unexpected 17 keys: model\.layer3\.6\.conv1\.weight/);
  });

  it('refuses a checkpoint with a non-finite weight, naming the key', async () => {
    const state = await layumiState();
    const t = state.get('model.layer1.0.bn1.running_var')!;
    const values = Float32Array.from(t.values);
    values[2] = NaN;
    state.set('model.layer1.0.bn1.running_var', { ...t, values });
    expect(() => planTorchImport(state, 'pcb-layumi', { file: 'nan.safetensors' })).to.throw(
      /nan\.safetensors: 'model\.layer1\.0\.bn1\.running_var' holds a non-finite value \(NaN at element 2\)/,
    );
  });

  describe('retex import-weights (the CLI)', () => {
    let tmp: string;
    before(() => {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'retex-import-'));
    });
    after(() => {
      fs.rmSync(tmp, { recursive: true, force: true });
    });

    it('writes a weights folder that ReidNetwork.load reads and that gives the same stages', async () => {
      const fx = FIXTURES.find((f) => f.name === 'pcb-openreid')!;
      const input = path.join(DIR, fx.weights);
      const out = path.join(tmp, 'pcb');
      const run = runRetex(['import-weights', '--format', 'pcb-openreid', '--in', input, '--out', out, '--json']);
      expect(run.status, run.stderr).to.equal(0);
      const summary = JSON.parse(run.stdout);
      expect(summary).to.include({ format: 'pcb-openreid', arch: 'pcb', depth: 50, width: 0.0625, stripes: 6, localDim: 16, classes: 12, head: 'shared' });
      expect(summary.identityNetwork).to.deep.equal({ type: 'pcb', weights: out });
      expect(summary.inputSize).to.deep.equal([384, 128]);
      expect(fs.readdirSync(out).sort()[0]).to.match(/^weights-[0-9a-f]{16}\.bin$/);

      const [, h, w] = fx.inputShape;
      const loaded = await ReidNetwork.load(out, { inputSize: [h, w] });
      const direct = await importTorchCheckpoint(input, 'pcb-openreid', { inputSize: [h, w] });
      const expected = (await readSafetensors(path.join(DIR, fx.expected))).tensors;
      const x = tensorOf(expected.get('input')!) as tf.Tensor4D;
      try {
        const a = loaded.features(x);
        const b = direct.net.features(x);
        for (let s = 0; s < 4; s++) expect(Array.from(a[s].dataSync())).to.deep.equal(Array.from(b[s].dataSync()));
        tf.dispose([...a, ...b]);
      } finally {
        x.dispose();
        loaded.dispose();
        direct.net.dispose();
      }

      // Importing again into the same folder (an earlier import) is allowed; the summary is human-readable.
      const again = runRetex(['import-weights', '--format', 'pcb-openreid', '--in', input, '--out', out, '--input-size', '384x192']);
      expect(again.status, again.stderr).to.equal(0);
      expect(again.stdout).to.match(/read .*pcb-openreid\.safetensors \(safetensors, 338 tensors\) as pcb-openreid/);
      expect(again.stdout).to.match(/ResNet-50, width 0\.0625, last stride 1, 6 stripes x 16 \(shared head\), 12 classes, input 384x192/);
      expect(again.stdout).to.match(/ignored: base\.fc\.bias, base\.fc\.weight \(torchvision's ImageNet classifier, unused by PCB\); 54 BatchNorm/);
      expect(again.stdout).to.include(`"identityNetwork": { "type": "pcb", "weights": ${JSON.stringify(out)} }`);
      expect(fs.readdirSync(out).filter((f) => f.endsWith('.bin'))).to.have.length(1);
    });

    it('imports an .npz export', () => {
      const out = path.join(tmp, 'torchreid');
      const run = runRetex(['import-weights', '--format', 'torchreid-resnet50', '--in', path.join(DIR, 'torchreid-resnet50.npz'), '--out', out, '--json']);
      expect(run.status, run.stderr).to.equal(0);
      expect(JSON.parse(run.stdout)).to.include({ inputFormat: 'npz', arch: 'resnet', lastStride: 2, classes: 9, stripes: null });
    });

    it('refuses to overwrite the input or a folder holding other files, and a wrong layout fails with one message', () => {
      const input = path.join(DIR, 'pcb-openreid.safetensors');
      const self = runRetex(['import-weights', '--format', 'pcb-openreid', '--in', input, '--out', input]);
      expect(self.status).to.equal(1);
      expect(self.stderr).to.match(/--out .* is the input file/);
      const busy = path.join(tmp, 'busy');
      fs.mkdirSync(busy);
      fs.writeFileSync(path.join(busy, 'notes.txt'), 'keep me');
      const refused = runRetex(['import-weights', '--format', 'pcb-openreid', '--in', input, '--out', busy]);
      expect(refused.status).to.equal(1);
      expect(refused.stderr).to.match(/already holds other files \(notes\.txt\)/);
      expect(fs.readdirSync(busy)).to.deep.equal(['notes.txt']);
      const wrong = runRetex(['import-weights', '--format', 'torchreid-resnet50', '--in', input, '--out', path.join(tmp, 'wrong')]);
      expect(wrong.status).to.equal(1);
      expect(wrong.stderr).to.match(/does not match the 'torchreid-resnet50' layout[\s\S]*use --format pcb-openreid/);
      expect(fs.existsSync(path.join(tmp, 'wrong'))).to.equal(false);
      const badFormat = runRetex(['import-weights', '--format', 'pcb', '--in', input, '--out', path.join(tmp, 'x')]);
      expect(badFormat.status).to.not.equal(0);
      expect(badFormat.stderr).to.match(/pcb-layumi, pcb-openreid, torchreid-resnet50/);
    });
  });
});
