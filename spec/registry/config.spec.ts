import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ALL_PLUGINS, ConfigError, PluginRegistry, loadConfig } from '../../registry';
import { makeTestPlugin } from '../helpers/test-plugins';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'retex-config-'));
}

async function errorOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('registry/config', () => {
  const registry = new PluginRegistry(ALL_PLUGINS);

  for (const category of ['human', 'bird']) {
    it(`validates the shipped default config of '${category}'`, async () => {
      const { config, sources } = await loadConfig(registry, { category, cwd: tempDir() });
      expect(config.category).to.equal(category);
      expect(sources).to.have.length(1);
      expect(sources[0]).to.match(new RegExp(`configs/${category}.json$`));
    });
  }

  it('merges a user config found by search: shared keys, then the category section, then flags', async () => {
    const dir = tempDir();
    fs.writeFileSync(
      path.join(dir, '.retexrc'),
      JSON.stringify({ backend: 'cpu', train: { epochs: 7 }, bird: { train: { seed: 3 } }, human: { train: { seed: 9 } } }),
    );
    const nested = path.join(dir, 'a', 'b');
    fs.mkdirSync(nested, { recursive: true });
    const { config, sources } = await loadConfig(registry, { category: 'bird', cwd: nested, overrides: { backend: 'wasm' } });
    expect(config.train.epochs).to.equal(7);
    expect(config.train.seed).to.equal(3);
    expect(config.train.learningRate).to.equal(1e-4);
    expect(config.backend).to.equal('wasm');
    expect(sources[1]).to.equal(path.join(dir, '.retexrc'));
  });

  it('takes the category from the user config when no flag names one', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'retex.config.json'), JSON.stringify({ category: 'human' }));
    const { config } = await loadConfig(registry, { cwd: dir });
    expect(config.plugin).to.equal('human-smpl');
  });

  it('quotes the JSON path, the bad value and what is allowed', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'my.json');
    fs.writeFileSync(file, JSON.stringify({ backend: 'gpu', image: { height: 3 }, train: { lerningRate: 1 } }));
    const err = await errorOf(loadConfig(registry, { category: 'human', configPath: file }));
    expect(err).to.be.instanceOf(ConfigError);
    expect(err.message).to.contain('my.json');
    expect(err.message).to.contain('/backend = "gpu": must be one of "auto", "tensorflow", "wasm", "cpu"');
    expect(err.message).to.contain('/image/height = 3: must be >= 16');
    expect(err.message).to.match(/\/train: unknown key 'lerningRate'; allowed keys: .*learningRate/);
  });

  it("validates pluginOptions with the plugin's own schema", async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, '.retexrc'), JSON.stringify({ pluginOptions: { subdivisions: 9 } }));
    const err = await errorOf(loadConfig(registry, { category: 'bird', cwd: dir }));
    expect(err.message).to.contain('/pluginOptions/subdivisions = 9: must be <= 5');
  });

  it("validates a role's options with its implementation's schema and its type against what exists", async () => {
    const dir = tempDir();
    const reg = new PluginRegistry([makeTestPlugin()], {});
    const base = (await loadConfig(registry, { category: 'human', cwd: dir })).config;
    // The test plugin's category has no shipped default config: write one from the human default.
    const { category: _c, plugin: _p, pluginOptions: _o, ...rest } = base;
    const defaultsDir = tempDir();
    fs.writeFileSync(
      path.join(defaultsDir, 'thing.json'),
      JSON.stringify({ ...rest, category: 'thing', plugin: 'test-thing', pluginOptions: {}, loss: { type: 'mse' } }),
    );
    const file = path.join(dir, 'bad.json');
    fs.writeFileSync(file, JSON.stringify({ loss: { type: 'mse', weight: -1 } }));
    let err = await errorOf(loadConfig(reg, { category: 'thing', configPath: file }, defaultsDir));
    expect(err.message).to.contain('/loss/weight = -1: must be >= 0');
    fs.writeFileSync(file, JSON.stringify({ loss: { type: 'l2' } }));
    err = await errorOf(loadConfig(reg, { category: 'thing', configPath: file }, defaultsDir));
    expect(err.message).to.contain('/loss/type = "l2": must be one of "mse", "broken"');
    fs.writeFileSync(file, JSON.stringify({ loss: { type: 'mse', weight: 2 } }));
    const { config } = await loadConfig(reg, { category: 'thing', configPath: file }, defaultsDir);
    expect(config.loss.weight).to.equal(2);
  });

  it('reports an unreadable config file with its path', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'broken.json');
    fs.writeFileSync(file, '{ "backend": ');
    const err = await errorOf(loadConfig(registry, { category: 'human', configPath: file }));
    expect(err.message).to.match(/cannot read .*broken.json/);
  });
});
