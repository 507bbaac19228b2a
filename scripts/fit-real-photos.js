'use strict';
// Fits the human keypoint-fit predictor to every photo of a folder and draws each fitted body over its photo
// (front half orange, back half blue, face red; BlazePose keypoints: left green, right magenta), so the
// facing, the legs and the body size can be checked by eye. Prints one line (or --json, one object) per photo.
//   npm run build && node scripts/fit-real-photos.js
//   node scripts/fit-real-photos.js --dist /tmp/h3/dist --photos ../shared/realphotos/people --out /tmp/overlays
//   options: --backend wasm|cpu (default wasm), --scale N (default 4), --heading front|back (force the facing),
//            --no-refine (skip the silhouette refinement)
require('reflect-metadata');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

async function main() {
  const dist = path.resolve(option('--dist', path.join(root, 'dist')));
  const photos = path.resolve(option('--photos', path.join(root, '..', 'shared', 'realphotos', 'people')));
  const out = path.resolve(option('--out', path.join(process.cwd(), 'fit-overlays')));
  const scale = Number(option('--scale', 4));
  const heading = option('--heading', undefined);
  const json = process.argv.includes('--json');
  const need = path.join(dist, 'plugins', 'human-smpl', 'tools', 'fit-overlay.js');
  if (!fs.existsSync(need)) throw new Error(`${need} not found: run \`npm run build\` first or pass --dist DIR`);
  if (!fs.existsSync(photos)) throw new Error(`no photo folder ${photos}: pass --photos DIR`);
  const req = (p) => require(path.join(dist, p));
  const { initBackend } = req('core/backend/backend');
  const { readImage, readPixels } = req('core/io/image-decode');
  const { writePng } = req('core/io/image-io');
  const { BodyModel } = req('plugins/human-smpl/body/body-model');
  const { builtinBodyData } = req('plugins/human-smpl/builtin-body/builtin-body');
  const { KeypointFitPredictor } = req('plugins/human-smpl/keypoint-fit/keypoint-fit-predictor');
  const { renderFitOverlay } = req('plugins/human-smpl/tools/fit-overlay');
  await initBackend(option('--backend', 'wasm'));
  const data = builtinBodyData();
  const predictor = await KeypointFitPredictor.load(BodyModel.create(data), { refine: !process.argv.includes('--no-refine') });
  fs.mkdirSync(out, { recursive: true });
  const files = fs.readdirSync(photos).filter((f) => /\.(jpe?g|png|webp)$/i.test(f)).sort();
  const rows = [];
  try {
    for (const f of files) {
      const file = path.join(photos, f);
      const image = await readImage(file);
      const row = { photo: f };
      try {
        const aligned = await predictor.predict({ image, id: f, imagePath: file, annotations: heading ? { heading } : undefined });
        const fit = predictor.lastFit;
        const diag = predictor.lastDiagnostics ?? {};
        Object.assign(row, diag, { betas: Array.from(fit.betas, (b) => Math.round(b * 100) / 100) });
        if (row.facing === undefined) {
          const forwardZ = fit.forward ? fit.forward[2] : undefined;
          if (forwardZ !== undefined) row.facing = forwardZ < 0 ? 'front' : 'back';
        }
        const obs = predictor.lastObservation;
        const names = predictor.fitter.keypoints.map((k) => k.name);
        const overlay = renderFitOverlay(await readPixels(file), aligned.mesh, aligned.camera, data, scale, obs ? { xy: obs.xy, names, confidence: obs.confidence } : undefined);
        const png = path.join(out, f.replace(/\.[^.]+$/, '.png'));
        await writePng(png, overlay.pixels, overlay.height, overlay.width, 3);
        row.overlay = png;
      } catch (err) {
        row.error = err.message;
      } finally {
        image.dispose();
      }
      rows.push(row);
      if (!json) {
        const { photo, overlay, ...rest } = row;
        console.log(`${photo}: ${JSON.stringify(rest)}`);
      }
    }
  } finally {
    predictor.dispose();
  }
  if (json) console.log(JSON.stringify(rows, null, 1));
}

main().catch((err) => {
  console.error(err.message);
  process.exitCode = 1;
});
