/**
 * Makes plugins/face-mesh/mesh/canonical-shape.json: FaceMesh's landmarks of the sample face that
 * `@vladmandic/human` ships (a frontal face), in the face mesh's model space.
 * Run: node dist/plugins/face-mesh/tools/canonical-shape.js
 */
import * as fs from 'fs';
import { initBackend } from '../../../core/backend/backend';
import { decodeImage } from '../../../core/io/image-decode';
import { canonicalShapeFile } from '../mesh/canonical-shape';
import { meshFromLandmarks } from '../mesh/face-mesh';
import { humanSampleFaceJpeg } from '../mesh/human-package';
import { FaceLandmarker } from '../predictors/face-landmarks';

async function main(): Promise<void> {
  await initBackend('auto');
  const image = await decodeImage(humanSampleFaceJpeg());
  const landmarker = await FaceLandmarker.load();
  const found = await landmarker.landmarks(image);
  const [h, w] = image.shape;
  const aligned = meshFromLandmarks(found.points, h, w, found.score);
  image.dispose();
  landmarker.dispose();
  const vertices = Array.from(aligned.mesh.vertices, (v) => Math.round(v * 1e5) / 1e5);
  const file = canonicalShapeFile();
  fs.writeFileSync(file, `${JSON.stringify({ source: '@vladmandic/human src/sample.ts face, FaceMesh landmarks', score: found.score, vertices })}\n`);
  console.log(`wrote ${file} (face score ${found.score.toFixed(2)})`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
