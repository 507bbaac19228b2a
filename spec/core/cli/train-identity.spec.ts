import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { killRetexAtStep, loggedSteps, runRetex } from '../../helpers/cli';


/** Steps written to a run's log so far (0 before the first). */

describe('retex train-identity / eval-identity', () => {
  let root: string;
  let data: string;
  const train = (out: string, ...extra: string[]): string[] => [
    'train-identity', '--category', 'human', '--data', data, '--out', out, '--steps', '60', '--checkpoint-every', '7',
    '--batch', '2x2', '--width', '0.125', '--no-eval', '--no-progress', ...extra,
  ];

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'retex-train-identity-'));
    data = path.join(root, 'people');
    const synth = runRetex(['synth', '--category', 'human', '--out', data, '--identities', '8', '--images-per-identity', '6', '--no-progress']);
    expect(synth.status, synth.stderr).to.equal(0);
  });

  it('killed with SIGKILL at a random step, resumes and ends with the same weights as an uninterrupted run', async () => {
    const whole = runRetex(train(path.join(root, 'whole')));
    expect(whole.status, whole.stderr).to.equal(0);
    const out = path.join(root, 'killed');
    const killAt = 15 + Math.floor(Math.random() * 30);
    await killRetexAtStep(train(out), out, killAt);
    expect(loggedSteps(out), 'the run was killed before its end').to.be.lessThan(60);
    const resumed = runRetex(train(out, '--resume'));
    expect(resumed.status, resumed.stderr).to.equal(0);
    expect(resumed.stderr).to.match(/resuming from the checkpoint at step \d+ of 60/);
    const read = (dir: string): Buffer => {
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'model', 'weights.json'), 'utf8'));
      return fs.readFileSync(path.join(dir, 'model', manifest.data));
    };
    expect(read(out).equals(read(path.join(root, 'whole'))), 'final weights equal').to.equal(true);
    expect(loggedSteps(out)).to.equal(60);
  });

  it('evaluates a trained folder and refuses a run folder that already holds a run', () => {
    const result = runRetex(['eval-identity', '--category', 'human', '--data', data, '--model', path.join(root, 'whole', 'model'), '--json']);
    expect(result.status, result.stderr).to.equal(0);
    const figures = JSON.parse(result.stdout);
    expect(figures).to.include({ protocol: 'market1501', queries: 4 });
    expect(figures.rank1).to.be.within(0, 1);
    const again = runRetex(train(path.join(root, 'whole')));
    expect(again.status).to.not.equal(0);
    expect(again.stderr).to.match(/already holds a training run.*--resume/);
  });
});
