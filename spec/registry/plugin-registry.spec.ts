import { expect } from 'chai';
import { ALL_PLUGINS, PluginRegistry } from '../../registry';
import { makeTestPlugin } from '../helpers/test-plugins';

describe('registry/plugin-registry', () => {
  it('holds every shipped plugin, one per category', () => {
    const registry = new PluginRegistry(ALL_PLUGINS);
    expect(registry.categories).to.include.members(['human', 'bird', 'face']);
    expect(registry.forCategory('human').id).to.equal('human-smpl');
    expect(registry.forCategory('bird').id).to.equal('bird-cmr');
    expect(registry.forCategory('face').id).to.equal('face-mesh');
  });

  it('rejects a duplicate plugin id and a category served twice', () => {
    const a = makeTestPlugin();
    expect(() => new PluginRegistry([a, a])).to.throw(/plugin id 'test-thing' is registered twice/);
    const b = makeTestPlugin({ id: 'other' });
    expect(() => new PluginRegistry([a, b])).to.throw(/category 'thing' is served by both 'test-thing' and 'other'/);
  });

  it('rejects a plugin implementation that reuses a core implementation id', () => {
    const core = { loss: { mse: makeTestPlugin().implementations.loss!.mse } };
    expect(() => new PluginRegistry([makeTestPlugin()], core)).to.throw(/loss 'mse' clashes with core/);
  });

  it('names the known plugins and categories for unknown ones', () => {
    const registry = new PluginRegistry([makeTestPlugin()]);
    expect(() => registry.get('nope')).to.throw(/unknown plugin 'nope'; known plugins: test-thing/);
    expect(() => registry.forCategory('fish')).to.throw(/unknown category 'fish'; known categories: thing/);
  });

  it('says plainly when a role is not provided, and lists implementations for an unknown one', () => {
    const registry = new PluginRegistry([makeTestPlugin()], {});
    const plugin = registry.get('test-thing');
    expect(() => registry.implementation(plugin, 'renderer', 'rasterizer')).to.throw(/renderer is not provided yet/);
    expect(() => registry.implementation(plugin, 'loss', 'l1')).to.throw(/unknown loss 'l1'.*available: mse, broken/);
    expect(registry.implementation(plugin, 'loss', 'mse').source).to.equal('test-thing');
  });
});
