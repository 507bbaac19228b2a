import { expect } from 'chai';
import { captureStdout } from '../../helpers/capture-output';
import { initBackend } from '../../../core/backend/backend';
import { defaultMicroBatch, FULL_PCB_NETWORK, runBenchIdentity, trunkConvLayers, type IdentityBenchNetwork } from '../../../core/bench/identity';
import { benchIdentityCommand } from '../../../core/cli/commands/bench-identity';
import type { CliServices } from '../../../core/cli/services';
import { ReidNetwork, type ReidNetworkConfig } from '../../../core/nn/reid-network';

const TINY: Partial<ReidNetworkConfig> = { arch: 'pcb', depth: 18, width: 1 / 16, lastStride: 1, inputSize: [64, 32] };
const TINY_NETWORK: IdentityBenchNetwork = { name: 'tiny', config: TINY };


describe('core/bench/identity', () => {
  after(async () => {
    await initBackend('cpu');
  });

  it('lists exactly the trunk\'s convolutions, with the kernel shapes of the network\'s variables', () => {
    for (const config of [TINY, { depth: 50 as const, width: 0.125, inputSize: [96, 32] as [number, number] }]) {
      const net = new ReidNetwork(config);
      try {
        const kernels = new Map(
          net
            .namedVariables()
            .filter((v) => /^reid\/(conv1|layer\d)\//.test(v.path) && v.path.endsWith('kernel'))
            .map((v) => [v.path.slice('reid/'.length, -'/kernel'.length), v.variable.shape]),
        );
        const layers = trunkConvLayers(config);
        expect(layers.map((l) => l.name).sort()).to.deep.equal([...kernels.keys()].sort());
        for (const l of layers) expect(kernels.get(l.name)).to.deep.equal([l.kernel, l.kernel, l.inChannels, l.outChannels]);
      } finally {
        net.dispose();
      }
    }
    // The full PCB: layer4 keeps layer3's 24x8 at 384x128 (last stride 1).
    const full = new Map(trunkConvLayers(FULL_PCB_NETWORK.config).map((l) => [l.name, l]));
    expect([full.get('layer4/2/conv3')!.outHeight, full.get('layer4/2/conv3')!.outWidth]).to.deep.equal([24, 8]);
    expect(full.get('layer4/2/conv3')!.outChannels).to.equal(2048);
  });

  it('splits the full ResNet-50 PCB into micro-batches of 4 and keeps small networks whole', () => {
    expect(defaultMicroBatch(FULL_PCB_NETWORK.config, 16)).to.equal(4);
    expect(defaultMicroBatch({ depth: 18, width: 0.25, inputSize: [256, 128] }, 16)).to.equal(16);
    expect(defaultMicroBatch(TINY, 3)).to.equal(3);
  });

  it('measures a tiny network on 1 thread and 2 workers, with the same gradient, and returns well-formed rows', async () => {
    const notes: string[] = [];
    const r = await runBenchIdentity({
      networks: [TINY_NETWORK],
      backend: 'wasm',
      batch: 4,
      steps: 1,
      warmup: 0, warmupSeconds: 0,
      threads: 2,
      microBatch: 4,
      skipTorch: true,
      onNote: (m) => notes.push(m),
    });
    expect(r.backend).to.equal('wasm');
    expect(r.rows).to.have.length(1);
    const row = r.rows[0];
    expect(row.network).to.equal('tiny');
    expect(row.retex_ms).to.be.greaterThan(0);
    expect(row.retex_ms_1thread).to.be.greaterThan(0);
    expect(row.torch_ms).to.equal(null);
    expect(row.torch_ms_1thread).to.equal(null);
    expect(row.ratio).to.equal(null);
    expect(row.ratio_1thread).to.equal(null);
    expect(row.torch_note).to.match(/skipped/);
    expect(row.batch).to.equal(4);
    expect(row.micro_batch).to.equal(4);
    expect(row.input_size).to.deep.equal([64, 32]);
    expect(row.image_size).to.deep.equal([128, 64]);
    expect(row.params).to.be.greaterThan(0);
    expect(row.conv_gflops_per_step).to.be.greaterThan(0);
    // One gradient call of 4 images in one process, two workers with calls of 2: per-sample gradients are
    // independent (frozen network, inference-mode batch norm), so the sums agree to float rounding.
    expect(row.retex_workers_grad_rel_diff).to.be.lessThan(1e-4);
    expect(notes.some((n) => n.includes('2 workers'))).to.equal(true);
  });

  it('reports a missing PyTorch peer in the row instead of failing', async () => {
    const r = await runBenchIdentity({
      networks: [TINY_NETWORK],
      backend: 'wasm',
      batch: 2,
      steps: 1,
      warmup: 0, warmupSeconds: 0,
      threads: 1,
      torchPython: '/nonexistent/python3',
    });
    const row = r.rows[0];
    expect(row.torch_ms).to.equal(null);
    expect(row.ratio).to.equal(null);
    expect(row.torch_version).to.equal(null);
    expect(row.torch_note).to.match(/not found.*install-torch-peer/);
    expect(row.retex_ms).to.equal(row.retex_ms_1thread);
  });

  it('prints one JSON object with one row per network with --json', async () => {
    const services = {
      roleWorkerModule: '',
    shippedGenerator: () => null,
      identityRecipes: () => ({ pcb: { description: 'tiny PCB', network: TINY, train: {} } }),
    } as unknown as CliServices;
    const out = await captureStdout(() =>
      benchIdentityCommand(services).parseAsync(
        ['--networks', 'shipped', '--backend', 'wasm', '--batch', '2', '--steps', '1', '--warmup', '0', '--warmup-seconds', '0', '--threads', '1', '--no-torch', '--json'],
        { from: 'user' },
      ),
    );
    const parsed = JSON.parse(out);
    expect(parsed.rows).to.have.length(1);
    expect(parsed.rows[0]).to.include.keys(
      'network', 'retex_ms', 'torch_ms', 'ratio', 'ratio_1thread', 'retex_ms_1thread', 'torch_ms_1thread',
      'batch', 'input_size', 'params', 'backend', 'torch_version', 'micro_batch',
    );
    expect(parsed.rows[0].network).to.equal('shipped');
    expect(parsed.rows[0].input_size).to.deep.equal([64, 32]);
    const strict = benchIdentityCommand(services).exitOverride().configureOutput({ writeErr: () => undefined });
    expect(() => strict.parse(['--networks', 'full,nope'], { from: 'user' })).to.throw(/comma-separated list of shipped, full/);
  });
});
