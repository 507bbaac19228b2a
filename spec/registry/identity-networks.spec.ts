import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tf } from '../../core/backend/tf';
import { ReidNetwork } from '../../core/nn/reid-network';
import { createRunContainer, PluginRegistry, resolveRole } from '../../registry';
import { loadConfig } from '../../registry/config/load-config';
import { ALL_PLUGINS } from '../../registry/plugins';
import { expectNoTensorLeak, randomArray } from '../helpers/tensors';

describe('identity networks through the registry', () => {
  const registry = new PluginRegistry(ALL_PLUGINS);
  const load = async (category: string, identityNetwork?: Record<string, unknown>) => {
    const { config } = await loadConfig(registry, { category, cwd: os.tmpdir(), overrides: identityNetwork ? { identityNetwork } : undefined });
    return resolveRole(createRunContainer(registry, config), 'identityNetwork');
  };

  it("people's default is the shipped PCB: four stages for a 128x64 photo, no tensor leak", async () => {
    const net = await load('human');
    expect(net).to.be.instanceOf(ReidNetwork);
    expect((net as ReidNetwork).config.arch).to.equal('pcb');
    const x = tf.tensor4d(randomArray(2 * 128 * 64 * 3), [2, 128, 64, 3]);
    const shapes = await expectNoTensorLeak(() => {
      const f = net.features(x);
      const s = f.map((t) => t.shape);
      tf.dispose(f);
      return s;
    });
    expect(shapes).to.deep.equal([[2, 32, 16, 16], [2, 16, 8, 32], [2, 8, 4, 64], [2, 8, 4, 128]]);
    x.dispose();
    net.dispose();
  });

  it('a weights folder without weights, or of another architecture, is refused with what to do', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'retex-noweights-'));
    let message = '';
    await load('human', { type: 'pcb', weights: empty }).catch((e: Error) => (message = e.message));
    expect(message).to.contain(empty).and.to.match(/weights.json is missing.*retex train-identity or retex import-weights/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retex-resnet-'));
    const other = new ReidNetwork({ arch: 'resnet', depth: 18, width: 0.125, numClasses: 3, inputSize: [64, 32] });
    await other.save(dir);
    other.dispose();
    await load('human', { type: 'pcb', weights: dir }).catch((e: Error) => (message = e.message));
    expect(message).to.match(/holds a 'resnet' network, not 'pcb': set identityNetwork.type to 'resnet'/);
  });

  it('lists pcb, resnet and generic-features as identity networks for both categories', () => {
    for (const plugin of registry.plugins) {
      const ids = registry.implementations(plugin, 'identityNetwork').map((e) => e.id);
      expect(ids).to.include.members(['pcb', 'resnet', 'generic-features']);
    }
  });
});
