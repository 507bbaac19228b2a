import { expect } from 'chai';
import { printFittedTable } from '../../../core/cli/output';
import { captureStdout } from '../../helpers/capture-output';

describe('core/cli/output printFittedTable', () => {
  const head = ['variant', 'SSIM', 'mask-SSIM', 'CosSim', 'CosSim-R', 'tex err all'];
  const rows = [
    ['reid (the method)', '0.687', '0.746', '0.604', '0.593', '0.285'],
    ['perceptual', '0.690\n+0.003 [-0.005, 0.011]', '0.745\n-0.001 [-0.005, 0.004]', '0.572\n-0.033 [-0.057, -0.009]', '0.579', '0.298'],
  ];

  it('splits columns into tables that each fit the width, repeating the first column', async () => {
    const out = await captureStdout(async () => printFittedTable(head, rows, 80));
    const lines = out.trimEnd().split('\n');
    expect(Math.max(...lines.map((l) => l.length))).to.be.at.most(80);
    expect(out.match(/variant/g)).to.have.length.greaterThan(1);
    for (const h of head.slice(1)) expect(out, h).to.contain(h);
    expect(out.match(/perceptual/g)).to.have.length(out.match(/variant/g)?.length ?? 0);
    expect(out).to.contain('+0.003 [-0.005, 0.011]');
  });

  it('prints one table when everything fits', async () => {
    const out = await captureStdout(async () => printFittedTable(head, rows, 400));
    expect(out.match(/variant/g)).to.have.length(1);
  });
});
