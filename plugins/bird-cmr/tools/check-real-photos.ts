import * as fs from 'fs';
import * as path from 'path';
import { initBackend } from '../../../core/backend/backend';
import { tf } from '../../../core/backend/tf';
import { readImage } from '../../../core/io/image-decode';
import { writePng } from '../../../core/io/image-io';
import { CocoDetector, COCO_CLASSES } from '../../../core/photo/coco-detector';
import { cropImage, paddedCropWindow } from '../../../core/photo/crop-window';
import { DEFAULT_CUB_PADDING } from '../cub/cub-dataset';
import { fitOverlay } from '../photo/fit-overlay';
import { forwardAxis, imageHeading } from '../photo/heading';
import { DEFAULT_MIN_BIRD_SCORE, PhotoPredictor, type PhotoPredictorOptions } from '../predictors/photo';
import { buildBirdMeanShape } from '../shape/mean-shape';
import { sideBySide } from '../shape/shape-preview';

/**
 * Fits the photo predictor to every photo of a folder the way a run frames it (COCO detector, the
 * best bird box padded as CUB's crops are, resampled to a square crop) and writes, per photo, the crop
 * with the fitted mesh over it (head red, tail blue, estimated mask outlined) next to the crop alone,
 * and prints one JSON line per photo: which way the fitted beak points and how the fit scored.
 * Usage: node dist/plugins/bird-cmr/tools/check-real-photos.js PHOTO_DIR OUT_DIR [crop size] [options JSON]
 * (options: the photo predictor's, e.g. {"minScore":0.1}, and `pick`: "best" (default) or "largest").
 */
async function main(): Promise<void> {
  const [dir, outDir, sizeArg = '256', optionsArg = '{}'] = process.argv.slice(2);
  if (!dir || !outDir) throw new Error('usage: check-real-photos.js PHOTO_DIR OUT_DIR [crop size] [predictor options JSON]');
  await initBackend('wasm');
  const size = Number(sizeArg);
  // Besides the predictor's options: `pick: "largest"` frames the largest detected bird instead of the
  // best-scoring one (photos with a second, distant bird), and then fits in its box without re-detecting.
  const { pick, ...options } = JSON.parse(optionsArg) as PhotoPredictorOptions & { pick?: 'best' | 'largest' };
  const shape = buildBirdMeanShape(3);
  const detector = await CocoDetector.load();
  const predictor = await PhotoPredictor.create(shape, detector, options);
  fs.mkdirSync(outDir, { recursive: true });
  const files = fs.readdirSync(dir).filter((f) => /\.(jpe?g|png|webp|bmp)$/i.test(f)).sort();
  for (const file of files) {
    let photo: tf.Tensor3D;
    try {
      photo = await readImage(path.join(dir, file));
    } catch (err) {
      process.stdout.write(`${JSON.stringify({ file, error: (err as Error).message })}\n`);
      continue;
    }
    try {
      const found = await detector.detect(photo, COCO_CLASSES.bird, options.minScore ?? DEFAULT_MIN_BIRD_SCORE);
      if (found.length === 0) {
        process.stdout.write(`${JSON.stringify({ file, error: 'no bird detected' })}\n`);
        continue;
      }
      const chosen = pick === 'largest' ? found.reduce((a, b) => (b.box[2] * b.box[3] > a.box[2] * a.box[3] ? b : a)) : found[0];
      const window = paddedCropWindow(chosen.box, [size, size], DEFAULT_CUB_PADDING);
      const crop = cropImage(photo, window, [size, size], 0, false);
      try {
        const t0 = Date.now();
        const k = size / window.width;
        const inCrop: [number, number, number, number] = [(chosen.box[0] - window.x) * k, (chosen.box[1] - window.y) * k, chosen.box[2] * k, chosen.box[3] * k];
        const { aligned, report } =
          pick === 'largest' ? await predictor.fitInBox({ image: crop, id: file }, { box: inCrop, score: chosen.score }) : await predictor.fit({ image: crop, id: file });
        const ms = Date.now() - t0;
        const rgb = tf.tidy(() => tf.div(tf.add(crop, 1), 2));
        const pixels = (await rgb.data()) as Float32Array;
        rgb.dispose();
        const overlay = fitOverlay(pixels, size, size, shape.mesh, report.camera, aligned.mask as Float32Array);
        const plain = { pixels: Uint8Array.from(pixels, (v) => Math.round(255 * Math.min(1, Math.max(0, v)))), height: size, width: size };
        const both = sideBySide([overlay, plain]);
        await writePng(path.join(outDir, `${file.replace(/\.[^.]+$/, '')}.png`), both.pixels, both.height, both.width, 3);
        const f = forwardAxis(report.camera.quaternion);
        process.stdout.write(
          `${JSON.stringify({
            file,
            detections: found.length,
            heading: imageHeading(report.camera.quaternion),
            forward: f.map((v) => Number(v.toFixed(2))),
            facing: f[2] < -0.5 ? 'toward' : f[2] > 0.5 ? 'away' : 'side',
            iou: Number(report.iou.toFixed(3)),
            cue: report.cue,
            ms,
          })}\n`,
        );
      } finally {
        crop.dispose();
      }
    } finally {
      photo.dispose();
    }
  }
  predictor.dispose();
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exitCode = 1;
});
