import { tf } from '../../../core/backend/tf';
import { writePng } from '../../../core/io/image-io';
import { WeakPerspectiveCamera } from '../../../core/renderer/weak-perspective-camera';
import { CocoDetector } from '../../../core/photo/coco-detector';
import { PhotoPredictor } from '../predictors/photo';
import { benchmarkPhotoFit, mismatchedBird, syntheticBirdPhoto } from '../predictors/fit-benchmark';
import { buildBirdMeanShape } from '../shape/mean-shape';
import { renderSilhouette } from '../predictors/silhouette';
import { shadedView } from '../shape/shape-preview';

/**
 * Scores the photo predictor's mask + silhouette-camera stage on synthetic photos and prints JSON;
 * with a second argument, also writes an example photo next to the mesh fitted to it.
 * Usage: node dist/plugins/bird-cmr/tools/bench-photo.js [count] [example.png]
 */
async function main(): Promise<void> {
  const [countArg = '20', example] = process.argv.slice(2);
  const shape = buildBirdMeanShape(3);
  const predictor = await PhotoPredictor.create(shape, await CocoDetector.load());
  const result = await benchmarkPhotoFit(predictor, shape, { count: Number(countArg) });
  process.stdout.write(`${JSON.stringify({ predictor: 'photo (given the box)', ...result, keypoint_only: undefined }, null, 2)}\n`);
  if (example) {
    let seed = 5;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const size = 256;
    const truth = { scale: 0.8, translation: [0, 0.05] as [number, number], quaternion: [0.62, 0.2, 0.7, -0.1] as [number, number, number, number] };
    const photo = syntheticBirdPhoto(mismatchedBird(shape.mesh), truth, size, random);
    const image = tf.tidy(() => tf.sub(tf.mul(tf.tensor3d(photo.pixels, [size, size, 3]), 2), 1) as tf.Tensor3D);
    const { aligned, report } = await predictor.fitInBox({ image, id: 'example' }, { box: photo.box, score: 1 });
    image.dispose();
    const fitted = shadedView(shape.mesh, new WeakPerspectiveCamera(report.camera), size, size, (report.camera.scale * size) / 2);
    const silhouette = renderSilhouette(shape.mesh, report.camera, size, size);
    const out = new Uint8Array(size * size * 3 * 3);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const p = y * size + x;
        for (let c = 0; c < 3; c++) {
          // The fitted silhouette's outline drawn over the photo in white.
          const edge = silhouette[p] > 0 && (x === 0 || y === 0 || !silhouette[p - 1] || !silhouette[p - size]);
          out[3 * (y * 3 * size + x) + c] = edge ? 255 : Math.round(photo.pixels[3 * p + c] * 255);
          out[3 * (y * 3 * size + size + x) + c] = (aligned.mask as Float32Array)[p] * 255;
          out[3 * (y * 3 * size + 2 * size + x) + c] = fitted.pixels[3 * p + c];
        }
      }
    }
    await writePng(example, out, size, 3 * size, 3);
    process.stdout.write(`wrote ${example}: photo with the fitted outline | estimated mask | fitted mesh\n`);
  }
  predictor.dispose();
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exitCode = 1;
});
