import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import { lineChartSvg, niceTicks, smoothSeries, writeLineChartPng } from '../../../core/report/line-chart';

describe('core/report/line-chart', () => {
  it('puts ticks on round values', () => {
    expect(niceTicks(10, 3000)).to.deep.equal([1000, 2000, 3000]);
    expect(niceTicks(0, 35.2)).to.deep.equal([0, 10, 20, 30]);
    expect(niceTicks(0.001, 0.0042)).to.deep.equal([0.001, 0.002, 0.003, 0.004]);
  });

  it('averages windows of points and escapes text', () => {
    expect(smoothSeries([[1, 2], [2, 4], [3, 6]], 2)).to.deep.equal([[2, 3], [3, 6]]);
    expect(lineChartSvg({ title: 'a<b & c', xLabel: 'step', series: [] })).to.contain('a&#60;b &#38; c');
  });

  it('writes a PNG of the asked size, skipping non-finite points', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'retex-chart-')), 'curve.png');
    await writeLineChartPng(file, { title: 'loss', xLabel: 'step', width: 300, height: 150, series: [{ name: 'loss', points: [[1, 3], [2, NaN], [3, 1]] }] });
    const meta = await sharp(file).metadata();
    expect([meta.format, meta.width, meta.height]).to.deep.equal(['png', 300, 150]);
  });
});
