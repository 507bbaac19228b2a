import { expect } from 'chai';
import * as fs from 'fs';
import * as path from 'path';
import { captureStdout } from '../../helpers/capture-output';
import { initBackend } from '../../../core/backend/backend';
import { pipelineHostBatch } from '../../../core/bench/pipeline-batch';
import { runBenchPipelineStep } from '../../../core/bench/pipeline-step';
import { createPipelineBenchTask, resolvePipelineTaskOptions, SHIPPED_PEOPLE_PCB, type PipelineTaskOptions } from '../../../core/bench/pipeline-task';
import { benchTrainStepCommand } from '../../../core/cli/commands/bench-train-step';
import { HUMAN_GENERATOR } from '../../../plugins/human-smpl/generator';
import { HUMAN_IDENTITY_NETWORKS } from '../../../plugins/human-smpl/identity-networks';

/** Small enough for a spec: a 64x32 photo, a 32x32 texture, both networks at width 1/16. */
const TINY: PipelineTaskOptions = {
  unetWidth: 1 / 16,
  imageSize: [64, 32],
  textureSize: [32, 32],
  reid: { ...SHIPPED_PEOPLE_PCB, width: 1 / 16, stripes: 2, localDim: 8, inputSize: [64, 32] },
};

/** The keys `retex bench train-step --json` documents, which --pipeline keeps. */
const TRAIN_STEP_KEYS = [
  'backend', 'retex_ms_per_step', 'torch_ms_per_step', 'ratio', 'ratio_1thread', 'retex_ms_per_step_1thread',
  'torch_ms_per_step_1thread', 'width', 'batch', 'threads', 'steps', 'warmup', 'warmup_seconds', 'params', 'conv_gflops_per_step',
  'retex_gflops_per_s', 'retex_gflops_per_s_1thread', 'torch_gflops_per_s', 'torch_version', 'torch_omp_wait_policy', 'torch_note',
];

describe('core/bench/pipeline-step', () => {
  before(async () => {
    await initBackend('wasm');
  });
  after(async () => {
    await initBackend('cpu');
  });

  it("measures the shipped people PCB (core repeats the plugin's recipe)", () => {
    expect(SHIPPED_PEOPLE_PCB).to.deep.equal(HUMAN_IDENTITY_NETWORKS.pcb.network);
    const o = resolvePipelineTaskOptions();
    expect([o.unetWidth, o.imageSize, o.textureSize, o.sampling, o.reidWeight]).to.deep.equal([0.25, [128, 64], [64, 64], 'nearest', 5000]);
  });

  it("measures the shipped people generator's sizes by default: a projection U-Net at width 0.25 reading 64x64", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(HUMAN_GENERATOR.weights, 'weights.json'), 'utf8'));
    const shipped = manifest.metadata.config;
    const o = resolvePipelineTaskOptions();
    expect([o.unetWidth, o.generatorInput, o.generatorSize, o.textureSize]).to.deep.equal([shipped.width, shipped.input, shipped.inputSize, shipped.textureSize]);
    const photo = resolvePipelineTaskOptions({ generatorInput: 'photo' });
    expect([photo.generatorInput, photo.generatorSize]).to.deep.equal(['photo', [128, 64]]);
    expect(() => resolvePipelineTaskOptions({ generatorInput: 'sketch' as never })).to.throw(/generator input must be one of photo, projection/);
  });

  it("builds the batch retex train feeds a step: photos, dense taps, backgrounds and the photos' cached features", () => {
    const options = resolvePipelineTaskOptions(TINY);
    const task = createPipelineBenchTask(TINY);
    try {
      const { batch, coveredPixels } = pipelineHostBatch(options, 4, task.objective.featureTerms()[0]);
      expect(Object.keys(batch).sort()).to.deep.equal(
        ['backgrounds', 'feature:reid:0', 'feature:reid:1', 'feature:reid:2', 'feature:reid:3', 'generatorImages', 'images', 'tapWeights', 'taps'],
      );
      // What the projection U-Net reads: one texture-sized input per sample.
      expect(batch.generatorImages.shape).to.deep.equal([4, 32, 32, 3]);
      expect(batch.taps.shape).to.deep.equal([4, 64 * 32]);
      expect(batch.images.shape).to.deep.equal([4, 64, 32, 3]);
      const taps = batch.taps.values as Int32Array;
      const covered = taps.filter((t) => t >= 0).length / 4;
      expect(covered).to.equal(coveredPixels);
      // A standing body fills a good part of the frame, and never all of it.
      expect(covered / (64 * 32)).to.be.within(0.15, 0.7);
      expect(Math.max(...taps)).to.be.lessThan(32 * 32);
      // The cameras differ per sample: the operators are not one operator repeated.
      expect(taps.subarray(0, 64 * 32).join()).to.not.equal(taps.subarray(64 * 32, 2 * 64 * 32).join());
    } finally {
      task.dispose();
    }
  });

  it('runs a tiny step on 1 thread and on 2 workers, reports the documented keys and leaks no tensor per step', async () => {
    const notes: string[] = [];
    const r = await runBenchPipelineStep({
      backend: 'wasm', task: TINY, batch: 4, steps: 2, warmup: 1, warmupSeconds: 0, threads: 2, skipTorch: true, onNote: (m) => notes.push(m),
    });
    expect(r).to.include.keys(...TRAIN_STEP_KEYS, 'pipeline');
    expect(r.pipeline).to.equal(true);
    expect(r.backend).to.equal('wasm');
    expect(r.retex_ms_per_step).to.be.greaterThan(0);
    expect(r.retex_ms_per_step_1thread).to.be.greaterThan(0);
    expect([r.torch_ms_per_step, r.torch_ms_per_step_1thread, r.ratio, r.ratio_1thread]).to.deep.equal([null, null, null, null]);
    expect(r.torch_note).to.match(/skipped/);
    expect(Number.isFinite(r.retex_loss) && r.retex_loss > 0).to.equal(true);
    expect(notes.some((n) => n.includes('2 workers'))).to.equal(true);
    // No leak: the live tensor count is constant from the second step on (the first creates Adam's slots
    // and the step's render operator, which the next step replaces).
    expect(r.num_tensors_1thread).to.have.length(3);
    for (const n of r.num_tensors_1thread.slice(2)) expect(n).to.equal(r.num_tensors_1thread[1]);
    expect(r.num_tensors_workers).to.have.length(2);
    expect(r.num_tensors_workers[1]).to.deep.equal(r.num_tensors_workers[0]);
    expect(r.num_tensors_workers[0]).to.have.length(2);
    expect(r.worker_probe_ms?.gradients).to.have.length(2);
  });

  it('is `retex bench train-step --pipeline --json`: one JSON object', async () => {
    const written = await captureStdout(() =>
      benchTrainStepCommand().parseAsync(
        ['--pipeline', '--backend', 'wasm', '--width', '0.0625', '--batch', '2', '--steps', '1', '--warmup', '1', '--warmup-seconds', '0', '--threads', '1', '--no-torch', '--json'],
        { from: 'user' },
      ),
    );
    const parsed = JSON.parse(written);
    expect(parsed).to.include.keys(...TRAIN_STEP_KEYS, 'pipeline');
    expect(parsed.pipeline).to.equal(true);
    expect([parsed.width, parsed.threads, parsed.batch]).to.deep.equal([0.0625, 1, 2]);
    expect(parsed.image_size).to.deep.equal([128, 64]);
    expect([parsed.generator_input, parsed.generator_size]).to.deep.equal(['projection', [64, 64]]);
    expect(parsed.reid).to.deep.equal({ arch: 'pcb', depth: 18, width: 0.25, last_stride: 1, input_size: [128, 64] });
  });
});
