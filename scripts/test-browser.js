#!/usr/bin/env node
'use strict';
/**
 * Checks the compare report's HTML in a real browser (Debian's chromium, headless, driven by
 * playwright-core; never a browser download of playwright's own).
 *
 *   npm run test:browser                      sample report made with dist's renderCompareHtml
 *   npm run test:browser -- path/report.html  an existing report instead
 *   options: --screenshot FILE (full-page PNG), --width PX (viewport width, default 1280),
 *            --keep (keep the sample report's folder)
 *   env: RETEX_DIST (compiled tree, default ./dist; run `npm run build` first), CHROMIUM_PATH
 *
 * Installs chromium with apt when it is missing (needs root). Not part of `npm test`.
 * Ends with the line CI reads: "N passed, N failed"; exits non-zero on any failure.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const ROOT = path.join(__dirname, '..');

function parseArgs(argv) {
  const out = { report: null, screenshot: null, keep: false, width: 1280 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--screenshot') out.screenshot = path.resolve(argv[++i] || 'report.png');
    else if (a === '--keep') out.keep = true;
    else if (a === '--width') out.width = Number(argv[++i]) || 1280;
    else if (a === '-h' || a === '--help') {
      process.stdout.write('usage: node scripts/test-browser.js [report.html] [--screenshot FILE] [--width PX] [--keep]\n');
      process.exit(0);
    } else if (a.startsWith('-')) throw new Error(`unknown option ${a}`);
    else out.report = path.resolve(a);
  }
  return out;
}

function which(name) {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

function findChromium() {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean);
  for (const c of candidates) if (fs.existsSync(c)) return c;
  return which('chromium') || which('chromium-browser');
}

const INSTALL_HELP = [
  'chromium is not installed and could not be installed here.',
  'Install Debian\'s package as root, then run this again:',
  '  sudo apt-get update && sudo apt-get install -y chromium',
  'or point CHROMIUM_PATH at an existing chromium binary.',
].join('\n');

/** apt-get install chromium, as root or through passwordless sudo; null when that is not possible. */
function installChromium() {
  const cmd = 'apt-get update && apt-get install -y --no-install-recommends chromium';
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let r;
  if (typeof process.getuid === 'function' && process.getuid() === 0) {
    process.stdout.write(`chromium not found: running ${cmd}\n`);
    r = spawnSync('sh', ['-c', cmd], { stdio: 'inherit', env });
  } else if (which('sudo')) {
    process.stdout.write(`chromium not found: running sudo -n sh -c '${cmd}'\n`);
    r = spawnSync('sudo', ['-n', 'sh', '-c', cmd], { stdio: 'inherit', env });
  } else {
    return null;
  }
  return r.status === 0 ? findChromium() : null;
}

/** A small RGB PNG whose pixel (x, y) is f(x, y) -> [r, g, b]. */
async function makePng(sharp, width, height, f) {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set(f(x, y).map((v) => Math.max(0, Math.min(255, Math.round(v)))), (y * width + x) * 3);
  }
  return new Uint8Array(await sharp(data, { raw: { width, height, channels: 3 } }).png().toBuffer());
}

/** A synthetic report: 3 variants (one label needing escaping), 4 test images, truth on half of them. */
async function sampleReport(sharp) {
  const variants = [
    { id: 'reid', label: 'reid (PCB features)', tint: [210, 80, 60] },
    { id: 'perceptual', label: 'perceptual', tint: [60, 140, 210] },
    { id: 'l1', label: 'pixel L1 <script>alert(1)</script>', tint: [90, 180, 90] },
  ];
  const person = (x, y, w, h) => ((x - w / 2) / (w * 0.28)) ** 2 + ((y - h / 2) / (h * 0.45)) ** 2 < 1;
  const images = [];
  for (let r = 0; r < 4; r++) {
    const base = [120 + 30 * r, 90, 150 - 25 * r];
    const texture = (tint) => (x, y) => (((x >> 3) + (y >> 3)) % 2 ? tint : base).map((v, c) => v + (c === 0 ? y : x) * 0.5);
    const rendering = (tint) => (x, y) => (person(x, y, 64, 128) ? tint.map((v) => v + y * 0.3) : [235, 235, 235]);
    images.push({
      id: `test-${String(r).padStart(3, '0')}`,
      photo: await makePng(sharp, 64, 128, (x, y) => (person(x, y, 64, 128) ? base.map((v) => v + y * 0.4) : [70 + x, 110, 60 + y / 2])),
      truth: r % 2 === 0 ? await makePng(sharp, 64, 64, texture(base)) : null,
      variants: Object.fromEntries(
        await Promise.all(variants.map(async (v) => [v.id, { rendering: await makePng(sharp, 64, 128, rendering(v.tint)), texture: await makePng(sharp, 64, 64, texture(v.tint)) }])),
      ),
    });
  }
  const curve = (start, rate, noise) => Array.from({ length: 60 }, (_, i) => ({ step: i * 5, loss: start * Math.exp(-rate * i) * (1 + noise * Math.sin(i * 1.7)) }));
  return {
    title: 'retex compare: human, sample report',
    category: 'human',
    method: 'train',
    budget: '300 steps per variant',
    metrics: [
      { key: 'ssim', label: 'SSIM', higherIsBetter: true },
      { key: 'maskSsim', label: 'mask-SSIM', higherIsBetter: true },
      { key: 'cosSim', label: 'CosSim', higherIsBetter: true },
      { key: 'textureL1', label: 'texture L1', higherIsBetter: false },
    ],
    variants: [
      { id: 'reid', label: variants[0].label, means: { ssim: 0.812, maskSsim: 0.734, cosSim: 0.571, textureL1: 0.142 }, curve: curve(3.2, 0.04, 0.05) },
      {
        id: 'perceptual',
        label: variants[1].label,
        means: { ssim: 0.798, maskSsim: 0.741, cosSim: 0.533, textureL1: 0.131 },
        vsReid: {
          ssim: { diff: -0.014, lo: -0.029, hi: 0.001 },
          maskSsim: { diff: 0.007, lo: -0.004, hi: 0.018 },
          cosSim: { diff: -0.038, lo: -0.052, hi: -0.024 },
          textureL1: { diff: -0.011, lo: -0.02, hi: -0.002 },
        },
        curve: curve(0.9, 0.03, 0.08),
      },
      {
        id: 'l1',
        label: variants[2].label,
        means: { ssim: 0.781, maskSsim: 0.702, cosSim: 0.488, textureL1: null },
        vsReid: {
          ssim: { diff: -0.031, lo: -0.045, hi: -0.017 },
          maskSsim: { diff: -0.032, lo: -0.047, hi: -0.018 },
          cosSim: { diff: -0.083, lo: -0.101, hi: -0.066 },
          textureL1: null,
        },
        curve: curve(0.25, 0.05, 0.1),
      },
    ],
    images,
    notes: ['Intervals: 95% paired bootstrap over test images (2000 resamples, seed 1).', 'Synthetic sample made by scripts/test-browser.js.'],
  };
}

/** Writes the sample report with dist's renderCompareHtml; returns { file, expect, folder }. */
async function writeSample() {
  const dist = path.resolve(process.env.RETEX_DIST || path.join(ROOT, 'dist'));
  const modulePath = path.join(dist, 'core', 'report', 'compare-report.js');
  if (!fs.existsSync(modulePath)) {
    throw new Error(`${modulePath} not found: run \`npm run build\` first (or set RETEX_DIST to a compiled tree).`);
  }
  const { renderCompareHtml } = require(modulePath);
  const sharp = require('sharp');
  const report = await sampleReport(sharp);
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'retex-report-'));
  const file = path.join(folder, 'report.html');
  fs.writeFileSync(file, renderCompareHtml(report));
  const truths = report.images.filter((r) => r.truth).length;
  return {
    file,
    folder,
    expect: {
      variants: report.variants.map((v) => v.id),
      metrics: report.metrics.length,
      curves: report.variants.filter((v) => v.curve.length > 1).length,
      images: report.images.length * (1 + 2 * report.variants.length) + truths,
    },
  };
}

/** Everything the checks need, read from the rendered page in one evaluation. */
function inspectPage() {
  const metrics = document.querySelector('table.metrics');
  const rows = metrics ? [...metrics.querySelectorAll('tbody tr')] : [];
  const svgs = [...document.querySelectorAll('svg.curves')];
  const polyline = (p) => {
    const box = p.getBBox();
    return { points: p.points.numberOfItems, width: box.width, height: box.height };
  };
  return {
    scripts: document.querySelectorAll('script').length,
    table: metrics
      ? {
          declared: Number(metrics.dataset.variantCount),
          headers: metrics.querySelectorAll('thead th').length,
          rows: rows.map((r) => ({ id: r.dataset.variant, cells: r.querySelectorAll('td').length, text: r.textContent })),
          // Per metric column: whether any cell has a value, and whether one is marked best.
          columns: [...metrics.querySelectorAll('thead th')].slice(1).map((_, i) => {
            const cells = rows.map((r) => r.querySelectorAll('td')[i]).filter(Boolean);
            return {
              hasValue: cells.some((c) => /\d/.test((c.querySelector('.value') || c).textContent)),
              marked: cells.some((c) => c.classList.contains('best') && c.querySelector('.marker')),
            };
          }),
          visible: metrics.getBoundingClientRect().height > 0,
        }
      : null,
    svgs: svgs.map((s) => ({
      overview: s.classList.contains('curves-overview'),
      width: s.getBoundingClientRect().width,
      height: s.getBoundingClientRect().height,
      polylines: [...s.querySelectorAll('polyline')].map(polyline),
      axes: s.querySelectorAll('line').length,
      legend: [...s.querySelectorAll('text')].map((t) => t.textContent),
    })),
    images: [...document.images].map((img) => ({
      alt: img.alt,
      complete: img.complete,
      naturalWidth: img.naturalWidth,
      shownWidth: img.getBoundingClientRect().width,
      dataUri: img.src.startsWith('data:image/'),
      pixelated: getComputedStyle(img).imageRendering === 'pixelated',
    })),
  };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  let playwright;
  try {
    playwright = require('playwright-core');
  } catch {
    throw new Error('playwright-core is not installed: run `npm install` (it is a devDependency; it downloads no browser).');
  }

  let target;
  if (args.report) {
    if (!fs.existsSync(args.report)) throw new Error(`${args.report} does not exist`);
    target = { file: args.report, folder: null, expect: null };
  } else {
    target = await writeSample();
  }

  let executablePath = findChromium();
  if (!executablePath) executablePath = installChromium();
  if (!executablePath) {
    process.stderr.write(`${INSTALL_HELP}\n`);
    process.stdout.write('0 passed, 1 failed\n');
    process.exitCode = 1;
    return;
  }

  let passed = 0;
  let failed = 0;
  const check = (ok, what, detail = '') => {
    if (ok) passed++;
    else failed++;
    process.stdout.write(`${ok ? 'ok    ' : 'FAIL  '} ${what}${!ok && detail ? `: ${detail}` : ''}\n`);
  };

  process.stdout.write(`report:   ${target.file}\nchromium: ${executablePath}\n`);
  const browser = await playwright.chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--enable-unsafe-swiftshader'],
    timeout: 60000,
  });
  try {
    const version = browser.version();
    process.stdout.write(`browser:  ${version}\n\n`);
    const context = await browser.newContext({ viewport: { width: args.width, height: 900 }, javaScriptEnabled: true });
    const outside = [];
    // The page must open offline: anything that is not the file itself or a data: URI is refused.
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
      outside.push(url);
      return route.abort();
    });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('requestfailed', (r) => !r.url().startsWith('data:') && errors.push(`request failed: ${r.url()}`));

    const response = await page.goto(`file://${target.file}`, { waitUntil: 'load', timeout: 60000 });
    check(response === null || response.ok(), 'the page loads from a file');
    await page.evaluate(() => Promise.all([...document.images].map((img) => img.decode().catch(() => undefined))));
    const info = await page.evaluate(inspectPage);

    check(outside.length === 0, 'no requests outside the page', outside.slice(0, 3).join(', '));
    check(errors.length === 0, 'no console or page errors', errors.slice(0, 3).join(' | '));
    check(info.scripts === 0, 'no <script> elements (labels are escaped)', `${info.scripts} found`);

    const t = info.table;
    check(t !== null && t.visible, 'the score table exists and is shown');
    if (t) {
      const expectedRows = target.expect ? target.expect.variants.length : t.declared;
      check(t.rows.length > 0 && t.rows.length === expectedRows, `the table has a row per variant (${expectedRows})`, `${t.rows.length} rows`);
      if (target.expect) {
        check(JSON.stringify(t.rows.map((r) => r.id)) === JSON.stringify(target.expect.variants), 'the rows are the variants in order', t.rows.map((r) => r.id).join(','));
      }
      const metricColumns = t.headers - 1;
      check(metricColumns > 0 && t.rows.every((r) => r.cells === metricColumns), `every row has a cell per metric (${metricColumns})`);
      const unmarked = t.columns.filter((c) => c.hasValue && !c.marked).length;
      check(unmarked === 0, 'the best value is marked in every column that has values', `${unmarked} columns unmarked`);
      if (t.rows.length > 1) check(t.rows.slice(1).some((r) => /\([-+]?\d[^)]*\[[-+]?\d/.test(r.text)), 'differences from reid are shown with intervals');
    }

    const overview = info.svgs.find((s) => s.overview);
    check(info.svgs.length > 0 && info.svgs.every((s) => s.width > 0 && s.height > 0), 'the loss-curve SVGs render', `${info.svgs.length} charts`);
    check(Boolean(overview) && overview.axes >= 2, 'the overview chart has axes');
    if (overview) {
      const expectedCurves = target.expect ? target.expect.curves : Math.max(1, overview.polylines.length);
      check(overview.polylines.length === expectedCurves, `the overview chart has a polyline per variant (${expectedCurves})`, `${overview.polylines.length}`);
    }
    const lines = info.svgs.flatMap((s) => s.polylines);
    check(lines.length > 0 && lines.every((p) => p.points >= 2 && (p.width > 0 || p.height > 0)), 'every polyline is non-empty and drawn', JSON.stringify(lines.filter((p) => p.points < 2 || (p.width === 0 && p.height === 0))));

    const expectedImages = target.expect ? target.expect.images : info.images.length;
    check(info.images.length > 0 && info.images.length === expectedImages, `the page has an <img> per image cell (${expectedImages})`, `${info.images.length}`);
    const broken = info.images.filter((i) => !(i.complete && i.naturalWidth > 0 && i.shownWidth > 0));
    check(info.images.length > 0 && broken.length === 0, 'every <img> is complete with naturalWidth > 0', broken.slice(0, 3).map((i) => i.alt).join(', '));
    check(info.images.every((i) => i.dataUri), 'every <img> is a data: URI');
    check(info.images.every((i) => i.pixelated), 'images are scaled pixelated');

    if (args.screenshot) {
      await page.screenshot({ path: args.screenshot, fullPage: true });
      process.stdout.write(`\nscreenshot: ${args.screenshot}\n`);
    }
  } finally {
    await browser.close();
    if (target.folder && !args.keep) fs.rmSync(target.folder, { recursive: true, force: true });
    else if (target.folder) process.stdout.write(`sample report kept in ${target.folder}\n`);
  }
  process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
  process.exitCode = failed > 0 ? 1 : 0;
}

main().catch((err) => {
  process.stderr.write(`test:browser: ${err && err.message ? err.message : err}\n`);
  process.stdout.write('0 passed, 1 failed\n');
  process.exitCode = 1;
});
