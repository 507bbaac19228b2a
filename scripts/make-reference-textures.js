'use strict';
// Writes the human plugin's shipped reference textures (the face/hand term's default references):
// plugins/human-smpl/reference-textures/reference-NN.png and its README.md, painted by synth's own painter.
//   npm run build && node scripts/make-reference-textures.js
//   node scripts/make-reference-textures.js --dist /tmp/refdist   (a build compiled elsewhere: tsc --outDir)
//   options: --out DIR (default plugins/human-smpl/reference-textures), --count N (default 16)
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const fmt = (c) => `[${c.map((v) => v.toFixed(2)).join(', ')}]`;

async function main() {
  const dist = path.resolve(option('--dist', path.join(root, 'dist')));
  const out = path.resolve(option('--out', path.join(root, 'plugins', 'human-smpl', 'reference-textures')));
  const painter = path.join(dist, 'plugins', 'human-smpl', 'synth', 'reference-outfits.js');
  if (!fs.existsSync(painter)) throw new Error(`${painter} not found: run \`npm run build\` first or pass --dist DIR`);
  const { paintReferenceTextures, REFERENCE_TEXTURE_COUNT, REFERENCE_STREAM } = require(painter);
  const { HUMAN_SYNTH_TEXTURE_SIZE } = require(path.join(dist, 'plugins', 'human-smpl', 'synth', 'market-synth.js'));
  const sharp = require('sharp');
  const count = Number(option('--count', REFERENCE_TEXTURE_COUNT));
  if (!Number.isInteger(count) || count < 1) throw new Error(`--count must be a positive whole number, got ${count}`);
  const [th, tw] = HUMAN_SYNTH_TEXTURE_SIZE;
  fs.mkdirSync(out, { recursive: true });
  for (const f of fs.readdirSync(out)) if (/^reference-\d+\.png$/.test(f)) fs.rmSync(path.join(out, f));
  const refs = paintReferenceTextures(count, HUMAN_SYNTH_TEXTURE_SIZE);
  const rows = [];
  for (const r of refs) {
    const { pixels, height, width } = r.texture;
    await sharp(Buffer.from(pixels), { raw: { width, height, channels: 3 } })
      .png({ compressionLevel: 9 })
      .toFile(path.join(out, r.file));
    const o = r.outfit;
    rows.push(`| ${r.file} | ${r.stream} | ${fmt(o.skin)} | ${o.hairStyle}${o.face.fringe ? ' (fringe)' : ''} | ${fmt(o.hair)} | ${fmt(o.face.iris)} |`);
  }
  const readme = [
    '# Reference textures of the face/hand term (human, built-in body)',
    '',
    `${refs.length} full ${th}x${tw} UV atlases of retex's built-in body, written by \`node scripts/make-reference-textures.js\`:`,
    "painted by `retex synth`'s own painter (shaded skin, eyes, brows, nose, lips, ears, hairline, bare hands)",
    `from the random streams \`${REFERENCE_STREAM}|k|\`, which no synth seed draws; reference i is the first`,
    'unused stream whose outfit has skin tone i mod 7, hair colour 3i mod 7 and hair style i mod 3, so every',
    'skin tone, hair colour and hair style appears. Only their face and hand texels matter: the `face` loss',
    "term compares them with the generated texture inside the plugin's face and hand UV masks (the method used",
    "SURREAL's scanned textures).",
    '',
    'They fit the built-in body only. Pass your own with `--reference-textures DIR` (a folder of texture',
    "PNG/JPEG images in your body's UV layout, e.g. SURREAL's SMPL textures for a licensed SMPL body).",
    '',
    '| file | stream k | skin | hair style | hair | iris |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
  fs.writeFileSync(path.join(out, 'README.md'), readme);
  process.stdout.write(`wrote ${refs.length} reference textures (${th}x${tw}) and README.md to ${path.relative(process.cwd(), out) || out}\n`);
}

main().catch((err) => {
  console.error(`make-reference-textures: ${err.message}`);
  process.exitCode = 1;
});
