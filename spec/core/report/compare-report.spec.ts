import { expect } from 'chai';
import sharp from 'sharp';
import {
  bestVariantIds,
  type CompareReport,
  escapeHtml,
  formatDifference,
  formatMetricValue,
  imageZoom,
  intervalExcludesZero,
  renderCompareHtml,
} from '../../../core/report/compare-report';

/** A solid-colour PNG of width x height. */
async function png(width: number, height: number, rgb: [number, number, number]): Promise<Uint8Array> {
  const buf = await sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).png().toBuffer();
  return new Uint8Array(buf);
}

async function sampleReport(): Promise<CompareReport> {
  const ids = ['reid', 'perceptual', 'l1'];
  const images = await Promise.all(
    ['img-0', 'img-1'].map(async (id, r) => ({
      id,
      photo: await png(64, 128, [200, 10 * r, 0]),
      truth: r === 0 ? await png(64, 64, [0, 0, 200]) : null,
      variants: Object.fromEntries(
        await Promise.all(ids.map(async (v, i) => [v, { rendering: await png(64, 128, [i * 60, 100, r * 50]), texture: await png(64, 64, [i * 60, 200, r * 50]) }] as const)),
      ),
    })),
  );
  return {
    title: 'Compare <human>',
    category: 'human',
    method: 'train',
    budget: '300 steps per variant',
    metrics: [
      { key: 'ssim', label: 'SSIM', higherIsBetter: true },
      { key: 'texErr', label: 'texture error', higherIsBetter: false },
      { key: 'cos', label: 'CosSim', higherIsBetter: true },
    ],
    variants: [
      { id: 'reid', label: 'reid', means: { ssim: 0.8, texErr: 0.1, cos: null }, curve: [{ step: 0, loss: 4 }, { step: 10, loss: 2 }, { step: 20, loss: 1 }] },
      {
        id: 'perceptual',
        label: 'perceptual',
        means: { ssim: 0.85, texErr: 0.2, cos: 0.5 },
        vsReid: { ssim: { diff: 0.05, lo: 0.03, hi: 0.07 }, texErr: { diff: 0.1, lo: -0.01, hi: 0.2 }, cos: null },
        curve: [{ step: 0, loss: 0.9 }, { step: 10, loss: 0.5 }, { step: 20, loss: 0.4 }],
      },
      {
        id: 'l1',
        label: '<script>alert("x")</script> & l1',
        means: { ssim: 0.7, texErr: 0.05, cos: 0.5 },
        vsReid: { ssim: { diff: -0.1, lo: -0.12, hi: -0.08 }, texErr: { diff: -0.05, lo: -0.07, hi: -0.031 } },
        curve: [{ step: 0, loss: 0.2 }, { step: 10, loss: 0.1 }, { step: 20, loss: 0.08 }],
      },
    ],
    images,
    notes: ['95% paired bootstrap interval, 2000 resamples', 'a <b>note</b>'],
  };
}

/** The `<td>` of a variant's row for one metric in the score table. */
function cell(html: string, variant: string, metric: string): string {
  const row = html.match(new RegExp(`<tr data-variant="${variant}">(.*?)</tr>`))?.[1] ?? '';
  return row.match(new RegExp(`<td[^>]*data-metric="${metric}">(.*?)</td>`))?.[0] ?? '';
}

describe('core/report/compare-report', () => {
  let report: CompareReport;
  let html: string;
  before(async () => {
    report = await sampleReport();
    html = renderCompareHtml(report);
  });

  it('references nothing outside the page', () => {
    expect(html).to.not.match(/http/i);
    expect(html).to.not.contain('src="//');
    expect(html).to.not.match(/<script|<link|@import|url\(/i);
    const refs = [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((m) => m[1]);
    expect(refs.length).to.be.above(0);
    expect(refs.every((r) => r.startsWith('data:image/png;base64,'))).to.equal(true);
  });

  it('has a table row per variant', () => {
    const table = html.match(/<table class="metrics"[\s\S]*?<\/table>/)?.[0] ?? '';
    expect(table.match(/<tr data-variant=/g)).to.have.length(3);
    expect(table).to.contain('data-variant-count="3"');
  });

  it('has an <img> per image cell whose data: URI decodes to the PNG given', () => {
    const expected: Uint8Array[] = [];
    for (const row of report.images) {
      expected.push(row.photo);
      for (const v of report.variants) expected.push(row.variants[v.id].rendering);
      for (const v of report.variants) expected.push(row.variants[v.id].texture);
      if (row.truth) expected.push(row.truth);
    }
    const imgs = [...html.matchAll(/<img src="data:image\/png;base64,([^"]+)"[^>]*>/g)];
    expect(imgs).to.have.length(expected.length); // 2 x (1 + 3 + 3) + 1 truth
    imgs.forEach((m, i) => expect(Buffer.from(m[1], 'base64').equals(Buffer.from(expected[i]))).to.equal(true, `image ${i}`));
    // The row without a true texture gets an empty cell in the truth column.
    expect(html.match(/<td class="missing">/g)).to.have.length(1);
    // Small images are zoomed by an integer factor and drawn pixelated.
    expect(imgs[0][0]).to.contain('width="128" height="256"');
    expect(html).to.contain('image-rendering: pixelated');
  });

  it('escapes text from the record', () => {
    expect(html).to.not.contain('<script>');
    expect(html).to.contain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; l1');
    expect(html).to.contain('<li>a &lt;b&gt;note&lt;/b&gt;</li>');
    expect(html).to.contain('<title>Compare &lt;human&gt;</title>');
    expect(escapeHtml(`<a href="x">'&'</a>`)).to.equal('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('marks the best cell of each column, respecting higherIsBetter', () => {
    expect(bestVariantIds(report)).to.deep.equal({ ssim: ['perceptual'], texErr: ['l1'], cos: ['perceptual', 'l1'] });
    expect(cell(html, 'perceptual', 'ssim')).to.match(/^<td class="best"[^>]*><strong class="value">0\.850<\/strong> <span class="marker"[^>]*>★/);
    expect(cell(html, 'l1', 'texErr')).to.match(/^<td class="best"/);
    expect(cell(html, 'perceptual', 'texErr')).to.match(/^<td data-metric/);
    expect(cell(html, 'reid', 'ssim')).to.not.contain('★');
    expect(cell(html, 'reid', 'cos')).to.contain('—'); // null never wins
    expect(html.match(/class="best"/g)).to.have.length(4);
  });

  it('shows the difference from reid with its interval beside non-reid values', () => {
    expect(cell(html, 'reid', 'ssim')).to.not.contain('class="diff');
    expect(cell(html, 'perceptual', 'ssim')).to.contain('<span class="diff sig better"').and.contain('(+0.050 [+0.030, +0.070]) ▲');
    expect(cell(html, 'perceptual', 'texErr')).to.contain('<span class="diff"').and.contain('(+0.100 [-0.010, +0.200])</span>');
    expect(cell(html, 'l1', 'ssim')).to.contain('diff sig worse').and.contain('(-0.100 [-0.120, -0.080]) ▼');
    expect(cell(html, 'l1', 'texErr')).to.contain('diff sig better');
    expect(cell(html, 'l1', 'cos')).to.not.contain('class="diff');
  });

  it('draws the loss curves as inline SVG with one polyline per variant', () => {
    const svgs = [...html.matchAll(/<svg class="curves[^"]*"[\s\S]*?<\/svg>/g)].map((m) => m[0]);
    expect(svgs).to.have.length(4); // the overview + one small chart per variant
    expect(svgs[0].match(/<polyline points="[^"]+"/g)).to.have.length(3);
    expect(svgs[0]).to.contain('&#60;script&#62;'); // legend, escaped by the chart
    // Each curve is relative to its first value in the overview: all start at y = 1 on a shared axis.
    const starts = [...svgs[0].matchAll(/<polyline points="[\d.]+,([\d.]+)/g)].map((m) => m[1]);
    expect(new Set(starts).size).to.equal(1);
  });

  it('formats values and intervals', () => {
    expect(formatDifference({ diff: -0.031, lo: -0.045, hi: -0.017 })).to.equal('-0.031 [-0.045, -0.017]');
    expect(formatMetricValue(0.8123)).to.equal('0.812');
    expect(formatMetricValue(-0.0001, true)).to.equal('0.000');
    expect(formatMetricValue(12.345)).to.equal('12.35');
    expect(formatMetricValue(null)).to.equal('—');
    expect(intervalExcludesZero({ diff: 1, lo: 1, hi: 1 })).to.equal(false);
    expect(intervalExcludesZero({ diff: -1, lo: -2, hi: -0.5 })).to.equal(true);
    expect([imageZoom(64, 128), imageZoom(64, 64), imageZoom(256, 128), imageZoom(512, 512)]).to.deep.equal([2, 4, 1, 0.5]);
  });

  it('renders a record without images, curves or notes', () => {
    const empty = renderCompareHtml({ ...report, images: [], notes: [], variants: report.variants.map((v) => ({ ...v, curve: [] })) });
    expect(empty).to.contain('No loss curves were recorded').and.contain('No images.');
    expect(empty).to.not.contain('<ul class="notes">');
  });
});
