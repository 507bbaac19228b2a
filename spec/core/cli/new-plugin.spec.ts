import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { addToPluginList, runNewPlugin } from '../../../core/cli/commands/new-plugin';
import type { CliServices } from '../../../core/cli/services';
import { cliServices } from '../../../registry/cli-main';
import { defaultRegistry } from '../../../registry';
import { captureStdout } from '../../helpers/capture-output';

const PLUGIN_LIST = `import type { CategoryPlugin } from '../core/plugin';
import { birdCmrPlugin } from '../plugins/bird-cmr';
import { humanSmplPlugin } from '../plugins/human-smpl';

/** Every plugin retex ships. */
export const ALL_PLUGINS: readonly CategoryPlugin[] = [humanSmplPlugin, birdCmrPlugin];
`;

/** A skeleton retex tree: what new-plugin reads and writes (its compilation is checked by hand, see the guide). */
function fakeRoot(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'retex-new-plugin-'));
  for (const d of ['registry', 'configs', 'plugins/human-smpl', 'spec/plugins']) fs.mkdirSync(path.join(root, d), { recursive: true });
  fs.writeFileSync(path.join(root, 'registry', 'plugins.ts'), PLUGIN_LIST);
  fs.writeFileSync(path.join(root, 'configs', 'human.json'), '{}');
  return root;
}

describe('core/cli new-plugin (retex new-plugin <id> --category <name>)', () => {
  const services: CliServices = cliServices(defaultRegistry());
  const roots: string[] = [];
  after(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));
  const root = () => {
    const r = fakeRoot();
    roots.push(r);
    return r;
  };

  it('writes the plugin, its config and its contract spec, and adds the import and entry to the registry list', async () => {
    const r = root();
    const out = await captureStdout(async () => runNewPlugin(services, { id: 'face-mesh-x', category: 'facex', root: r, json: true }));
    const result = JSON.parse(out);
    expect(result.constant).to.equal('faceMeshXPlugin');
    expect(result.todo).to.deep.equal(['meshPredictor', 'dataset']);
    const index = fs.readFileSync(path.join(r, 'plugins', 'face-mesh-x', 'index.ts'), 'utf8');
    expect(index).to.match(/export const faceMeshXPlugin: CategoryPlugin = \{/);
    expect(index).to.match(/implementations: \{\s*\/\/ meshPredictor/);
    expect(index).to.include("categories: ['facex']");
    const config = JSON.parse(fs.readFileSync(path.join(r, 'configs', 'facex.json'), 'utf8'));
    expect(config).to.include({ category: 'facex', plugin: 'face-mesh-x' });
    expect(config.textureGenerator.type).to.equal('unet');
    expect(fs.readFileSync(path.join(r, 'spec', 'plugins', 'face-mesh-x', 'contract.spec.ts'), 'utf8')).to.match(/describeCategoryPlugin\(faceMeshXPlugin, \{\}\)/);
    const list = fs.readFileSync(path.join(r, 'registry', 'plugins.ts'), 'utf8');
    expect(list).to.include("import { humanSmplPlugin } from '../plugins/human-smpl';\nimport { faceMeshXPlugin } from '../plugins/face-mesh-x';\n");
    expect(list).to.include('[humanSmplPlugin, birdCmrPlugin, faceMeshXPlugin];');
    expect(fs.readdirSync(path.join(r, 'plugins')).sort(), 'no temporary files left').to.deep.equal(['face-mesh-x', 'human-smpl']);
    expect(fs.readdirSync(path.join(r, 'registry'))).to.deep.equal(['plugins.ts']);
  });

  it('refuses an invalid id or category, an existing plugin, category or folder, and writes nothing then', () => {
    const r = root();
    const before = fs.readFileSync(path.join(r, 'registry', 'plugins.ts'), 'utf8');
    const refused = (id: string, category: string) => {
      try {
        runNewPlugin(services, { id, category, root: r });
      } catch (err) {
        return (err as Error).message;
      }
      return expect.fail(`new-plugin ${id} --category ${category} was accepted`);
    };
    expect(refused('Bad_Id', 'x')).to.match(/invalid plugin id 'Bad_Id'/);
    expect(refused('ok', 'no space')).to.match(/invalid category 'no space'/);
    expect(refused('human-smpl', 'other')).to.match(/a plugin 'human-smpl' exists already/);
    expect(refused('other', 'human')).to.match(/category 'human' is served by plugin 'human-smpl'/);
    fs.mkdirSync(path.join(r, 'plugins', 'half-done'));
    expect(refused('half-done', 'half')).to.match(/plugins\/half-done exists already/);
    fs.writeFileSync(path.join(r, 'configs', 'taken.json'), '{}');
    expect(refused('fresh', 'taken')).to.match(/configs\/taken\.json exists already/);
    expect(fs.readFileSync(path.join(r, 'registry', 'plugins.ts'), 'utf8')).to.equal(before);
    expect(fs.readdirSync(path.join(r, 'plugins')).sort()).to.deep.equal(['half-done', 'human-smpl']);
    expect(fs.readdirSync(path.join(r, 'spec', 'plugins'))).to.deep.equal([]);
  });

  it('writes nothing when it cannot find the registry list, and refuses a folder that is not a retex tree', () => {
    const r = root();
    fs.writeFileSync(path.join(r, 'registry', 'plugins.ts'), 'export const SOMETHING_ELSE = [];\n');
    expect(() => runNewPlugin(services, { id: 'zz-demo', category: 'zz-demo', root: r })).to.throw(/cannot find "export const ALL_PLUGINS/);
    expect(fs.existsSync(path.join(r, 'plugins', 'zz-demo'))).to.equal(false);
    expect(fs.existsSync(path.join(r, 'configs', 'zz-demo.json'))).to.equal(false);
    expect(() => runNewPlugin(services, { id: 'zz-demo', category: 'zz-demo', root: os.tmpdir() })).to.throw(/is not a retex source tree/);
  });

  it('adds to a list written one entry per line', () => {
    const multi = PLUGIN_LIST.replace('[humanSmplPlugin, birdCmrPlugin]', '[\n  humanSmplPlugin,\n  birdCmrPlugin,\n]');
    expect(addToPluginList(multi, 'demo', 'demoPlugin')).to.include('[\n  humanSmplPlugin,\n  birdCmrPlugin,\n  demoPlugin,\n];');
  });
});
