import { expect } from 'chai';
import { runRetex } from '../../helpers/cli';

describe('core/cli bench fit (the retex binary)', () => {
  it('`retex bench fit --category bird --json` scores each predictor with the issue keys', () => {
    const { status, stdout, stderr } = runRetex(['bench', 'fit', '--category', 'bird', '--count', '1', '--backend', 'wasm', '--json']);
    expect(status, stderr).to.equal(0);
    expect(stderr).to.contain('backend: wasm');
    const rows = JSON.parse(stdout) as Record<string, unknown>[];
    expect(rows.map((r) => r.predictor)).to.deep.equal(['annotation-fit', 'photo (silhouette only)', 'photo']);
    for (const row of rows) {
      expect(row.rot_err_deg).to.be.a('number');
      expect(row.iou).to.be.within(0, 1);
      expect(row.ms_per_image).to.be.greaterThan(0);
    }
  });

  it('`retex bench fit --category human --json` prints reproj_px, iou and ms_per_image', () => {
    const { status, stdout, stderr } = runRetex(['bench', 'fit', '--category', 'human', '--count', '1', '--backend', 'wasm', '--json']);
    expect(status, stderr).to.equal(0);
    const [row] = JSON.parse(stdout) as Record<string, number>[];
    expect(row.reproj_px).to.be.a('number');
    expect(row.iou).to.be.within(0, 1);
    expect(row.ms_per_image).to.be.greaterThan(0);
    // Piped stderr: progress as lines, not a bar.
    expect(stderr).to.contain('1/1 images');
  });

  it('rejects an unknown category and a bad count', () => {
    let run = runRetex(['bench', 'fit', '--category', 'fish']);
    expect(run.status).to.equal(1);
    expect(run.stderr).to.contain("unknown category 'fish'");
    run = runRetex(['bench', 'fit', '--category', 'bird', '--count', '0']);
    expect(run.status).to.not.equal(0);
    expect(run.stderr).to.contain('expected a positive whole number');
  });
});
