import { expect } from 'chai';
import { captureStdout } from '../../helpers/capture-output';
import { initBackend } from '../../../core/backend/backend';
import { runBenchTrainStep } from '../../../core/bench/train-step';
import { classifierConvLayers, trainStepConvFlops, unetConvLayers } from '../../../core/bench/train-step-flops';
import { benchTrainStepCommand } from '../../../core/cli/commands/bench-train-step';
import { ResNetClassifier } from '../../../core/nn/resnet-classifier';
import { UNet } from '../../../core/nn/unet';

describe('core/bench/train-step', () => {
  after(async () => {
    await initBackend('cpu');
  });

  it('lists exactly the networks\' convolutions, with kernel shapes equal to the variables\'', () => {
    const unet = new UNet({ width: 0.25 });
    const clf = new ResNetClassifier({ width: 0.25 });
    try {
      for (const [layers, net] of [
        [unetConvLayers({ width: 0.25 }), unet],
        [classifierConvLayers({ width: 0.25 }), clf],
      ] as const) {
        const kernels = new Map(
          net.namedVariables().filter((v) => v.path.endsWith('kernel') && v.variable.rank === 4).map((v) => [v.path, v.variable.shape]),
        );
        expect(layers.map((l) => `${l.name}/kernel`).sort()).to.deep.equal([...kernels.keys()].sort());
        for (const l of layers) {
          expect(kernels.get(`${l.name}/kernel`)).to.deep.equal([l.kernel, l.kernel, l.inChannels, l.outChannels]);
        }
      }
    } finally {
      unet.dispose();
      clf.dispose();
    }
    const byName = new Map(classifierConvLayers({ width: 0.25 }).map((l) => [l.name, l]));
    expect([byName.get('classifier/stage4/block1/conv2')!.outHeight, byName.get('classifier/stage4/block1/conv2')!.outWidth]).to.deep.equal([8, 8]);
  });

  it('counts forward + both gradients, without the input gradient of a conv reading the images', () => {
    const one = { name: 'c', kernel: 3, inChannels: 2, outChannels: 4, outHeight: 5, outWidth: 6, inputNeedsGradient: true };
    const forward = 2 * 9 * 2 * 4 * 5 * 6 * 7;
    expect(trainStepConvFlops([one], 7)).to.equal(3 * forward);
    expect(trainStepConvFlops([{ ...one, inputNeedsGradient: false }], 7)).to.equal(2 * forward);
    const first = unetConvLayers({ width: 0.25 })[0];
    expect(first.name).to.equal('unet/down1/conv1');
    expect(first.inputNeedsGradient).to.equal(false);
  });

  it('measures a tiny configuration on 1 thread and 2 workers and prints one JSON object with --json', async () => {
    const notes: string[] = [];
    const r = await runBenchTrainStep({
      backend: 'wasm', width: 1 / 16, batch: 2, steps: 1, warmup: 0, warmupSeconds: 0, threads: 2, skipTorch: true, onNote: (m) => notes.push(m),
    });
    expect(r.backend).to.equal('wasm');
    expect(r.retex_ms_per_step).to.be.greaterThan(0);
    expect(r.retex_ms_per_step_1thread).to.be.greaterThan(0);
    expect(r.torch_ms_per_step).to.equal(null);
    expect(r.ratio).to.equal(null);
    expect(r.torch_note).to.match(/skipped/);
    expect(r.conv_gflops_per_step).to.be.greaterThan(0);
    expect(r.wasm_matmul_peak_gflops).to.be.greaterThan(0);
    expect(notes.some((n) => n.includes('2 workers'))).to.equal(true);

    const written = await captureStdout(() =>
      benchTrainStepCommand().parseAsync(
        ['--backend', 'wasm', '--width', '0.0625', '--batch', '2', '--steps', '1', '--warmup', '0', '--warmup-seconds', '0', '--threads', '1', '--no-torch', '--json'],
        { from: 'user' },
      ),
    );
    const parsed = JSON.parse(written);
    expect(parsed).to.include.keys('backend', 'retex_ms_per_step', 'torch_ms_per_step', 'ratio', 'ratio_1thread', 'width', 'batch', 'threads', 'conv_gflops_per_step', 'retex_gflops_per_s', 'wasm_matmul_peak_gflops');
    expect(parsed.width).to.equal(0.0625);
    expect(parsed.threads).to.equal(1);
  });
});
