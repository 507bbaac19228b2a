import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawn } from 'child_process';
import { runRetex } from '../../helpers/cli';

describe('core/cli (the retex binary)', () => {
  it('piped output holds no colour escape codes', () => {
    const { status, stdout } = runRetex(['plugins']);
    expect(status).to.equal(0);
    expect(stdout).to.contain('human-smpl');
    expect(stdout).to.not.contain('\u001b[');
  });

  it('`retex plugins | head -1`: a reader that stops early ends the output quietly, exit 0', async () => {
    const bin = path.join(__dirname, '..', '..', '..', '..', 'bin', 'retex.js');
    const child = spawn(process.execPath, [bin, 'plugins'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).to.not.match(/EPIPE|Error/);
    expect(code).to.equal(0);
  });

  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'retex-cli-'));

  it('`retex plugins --json` lists every plugin with every role', () => {
    const { status, stdout } = runRetex(['plugins', '--json'], cwd);
    expect(status).to.equal(0);
    const plugins = JSON.parse(stdout) as { id: string; categories: string[]; roles: Record<string, unknown[]> }[];
    expect(plugins.map((p) => p.id)).to.include.members(['human-smpl', 'bird-cmr', 'face-mesh']);
    for (const plugin of plugins) {
      expect(Object.keys(plugin.roles)).to.have.members([
        'meshPredictor', 'textureGenerator', 'renderer', 'identityNetwork', 'dataset', 'loss',
      ]);
    }
  });

  it('`retex plugins` prints a table naming what is not provided yet', () => {
    const { status, stdout } = runRetex(['plugins'], cwd);
    expect(status).to.equal(0);
    expect(stdout).to.contain('human-smpl');
    expect(stdout).to.contain('bird-cmr');
  });

  it('`retex config --print --category bird` prints the merged config as JSON', () => {
    const { status, stdout, stderr } = runRetex(['config', '--print', '--category', 'bird', '--backend', 'cpu'], cwd);
    expect(status, stderr).to.equal(0);
    const config = JSON.parse(stdout);
    expect(config.category).to.equal('bird');
    expect(config.backend).to.equal('cpu');
    expect(config.texture).to.deep.equal({ height: 64, width: 128 });
    expect(stderr).to.contain('configs/bird.json');
  });

  it('a bad config value exits non-zero with the path, the value and what is allowed', () => {
    fs.writeFileSync(path.join(cwd, '.retexrc'), JSON.stringify({ train: { epochs: 0 } }));
    try {
      const { status, stderr } = runRetex(['config', '--category', 'human'], cwd);
      expect(status).to.equal(1);
      expect(stderr).to.contain('/train/epochs = 0: must be >= 1');
    } finally {
      fs.unlinkSync(path.join(cwd, '.retexrc'));
    }
  });

  it('`retex backend --backend cpu` says which backend runs', () => {
    const { status, stdout } = runRetex(['backend', '--backend', 'cpu'], cwd);
    expect(status).to.equal(0);
    expect(stdout).to.match(/^backend: cpu/);
  });

  it('an unknown category lists the known ones', () => {
    const { status, stderr } = runRetex(['config', '--category', 'fish'], cwd);
    expect(status).to.equal(1);
    expect(stderr).to.contain("unknown category 'fish'; known categories: human, bird");
  });
});
