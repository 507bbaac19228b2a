import { expect } from 'chai';
import { tf } from '../../core/backend/tf';
import { CONFIG_TOKEN } from '../../core/plugin';
import type { RetexConfig } from '../../core/plugin';
import { createRunContainer, PluginRegistry, resolveRole } from '../../registry';
import { PixelMseLoss, makeTestPlugin } from '../helpers/test-plugins';

function configFor(loss: Record<string, unknown>): RetexConfig {
  const role = { type: 'none' };
  return {
    category: 'thing',
    plugin: 'test-thing',
    pluginOptions: {},
    backend: 'cpu',
    image: { height: 16, width: 16 },
    texture: { height: 8, width: 8 },
    train: { identitiesPerBatch: 1, imagesPerIdentity: 1, epochs: 1, learningRate: 1e-4, weightDecay: 0, checkpointEvery: 1, seed: 0 },
    meshPredictor: role,
    textureGenerator: role,
    renderer: role,
    identityNetwork: role,
    dataset: role,
    loss: loss as RetexConfig['loss'],
  };
}

describe('registry/container', () => {
  const registry = new PluginRegistry([makeTestPlugin()], {});

  it('resolves the implementation the config names, with its options', async () => {
    const container = createRunContainer(registry, configFor({ type: 'mse', weight: 3 }));
    const loss = await resolveRole(container, 'loss');
    expect(loss).to.be.instanceOf(PixelMseLoss);
    expect((loss as PixelMseLoss).weight).to.equal(3);
    const images = tf.ones([1, 2, 2, 3]) as tf.Tensor4D;
    const renderings = tf.zeros([1, 2, 2, 3]) as tf.Tensor4D;
    const value = loss.compute({ images, renderings, textures: images, masks: images });
    expect(value.dataSync()[0]).to.be.closeTo(3, 1e-6);
    tf.dispose([images, renderings, value]);
  });

  it('gives each run its own child container', () => {
    const a = createRunContainer(registry, configFor({ type: 'mse', weight: 1 }));
    const b = createRunContainer(registry, configFor({ type: 'mse', weight: 2 }));
    expect(a).to.not.equal(b);
    expect(a.resolve<RetexConfig>(CONFIG_TOKEN).loss.weight).to.equal(1);
    expect(b.resolve<RetexConfig>(CONFIG_TOKEN).loss.weight).to.equal(2);
  });

  it('names the plugin and the role when loading fails, and when a role is not provided', async () => {
    const broken = createRunContainer(registry, configFor({ type: 'broken' }));
    let message = '';
    await resolveRole(broken, 'loss').catch((e: Error) => (message = e.message));
    expect(message).to.match(/test-thing: loss 'broken' failed to load: weights file \/nowhere\/w.bin is missing/);
    await resolveRole(broken, 'renderer').catch((e: Error) => (message = e.message));
    expect(message).to.match(/renderer is not provided yet for category 'thing'/);
  });

  it('runs a plugin register hook and wraps its errors', () => {
    const plugin = makeTestPlugin({
      register: () => {
        throw new Error('bad body model');
      },
    });
    const reg = new PluginRegistry([plugin], {});
    expect(() => createRunContainer(reg, configFor({ type: 'mse' }))).to.throw(/plugin 'test-thing' failed to register: bad body model/);
  });
});

describe("registry/container with core's implementations", () => {
  it('resolves the rasterizer and the U-Net the shipped bird config names', async () => {
    const { ALL_PLUGINS, loadConfig } = await import('../../registry');
    const registry = new PluginRegistry(ALL_PLUGINS);
    const os = await import('os');
    const { config } = await loadConfig(registry, {
      category: 'bird',
      cwd: os.tmpdir(),
      overrides: { textureGenerator: { width: 0.125 }, image: { height: 64, width: 64 }, texture: { height: 32, width: 64 } },
    });
    const container = createRunContainer(registry, config);
    const renderer = await resolveRole(container, 'renderer');
    expect(renderer.id).to.equal('rasterizer');
    const generator = await resolveRole(container, 'textureGenerator');
    expect(generator.inputSize).to.deep.equal([64, 64]);
    expect(generator.textureSize).to.deep.equal([32, 64]);
    const images = tf.zeros([1, 64, 64, 3]) as tf.Tensor4D;
    const texture = generator.generate(images, false);
    expect(texture.shape).to.deep.equal([1, 32, 64, 3]);
    tf.dispose([images, texture]);
    generator.dispose();
  });
});
