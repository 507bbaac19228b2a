import { tf } from '../../../core/backend/tf';
import type { PluginBenchmark } from '../../../core/plugin/category-plugin';
import { SeededRandom } from '../../../core/synth/random';
import { canonicalFaceMesh } from '../mesh/canonical-shape';
import { FACE_LANDMARKS as L } from '../mesh/face-topology';
import { BlazeFaceDetector } from '../photo/blazeface';
import { drawFaceTraits } from '../synth/face-paint';
import { renderFace } from '../synth/face-synth';
import { FaceMeshPredictor } from './facemesh-predictor';

/**
 * `retex bench fit --category face`: BlazeFace and the `facemesh` predictor on synthetic faces rendered with
 * known cameras (128x128 crops, yaw +-35, pitch +-15, roll +-10 degrees): detection rate, and the
 * normalised mean error of the 468 fitted vertices' image positions (NME, the face-alignment metric: mean
 * pixel error over the outer-eye-corner distance), and time per image.
 */
export const FACE_FIT_BENCHMARK: PluginBenchmark = {
  description: 'BlazeFace + facemesh on rendered faces with known cameras: detection rate, NME (inter-ocular), pixels, ms per image',
  async run({ count, onNote, onProgress }) {
    const n = count ?? 20;
    const size: [number, number] = [128, 128];
    const mesh = canonicalFaceMesh();
    const detector = await BlazeFaceDetector.load();
    const predictor = await FaceMeshPredictor.load();
    onNote(`facemesh on ${n} rendered faces at ${size[0]}x${size[1]}`);
    let detected = 0;
    let refused = 0;
    let nmeSum = 0;
    let pxSum = 0;
    let fitted = 0;
    let ms = 0;
    try {
      for (let i = 0; i < n; i++) {
        const random = SeededRandom.of(7, 'fit-bench', i);
        const face = await renderFace(mesh, drawFaceTraits(random), size, random);
        const image = tf.tidy(() => tf.sub(tf.div(tf.tensor3d(face.image.pixels, [size[0], size[1], 3], 'float32'), 127.5), 1) as tf.Tensor3D);
        try {
          if ((await detector.detect(image)).length > 0) detected++;
          const t0 = Date.now();
          let aligned;
          try {
            aligned = await predictor.predict({ image, id: `face-${i}` });
          } catch {
            refused++;
            continue;
          }
          ms += Date.now() - t0;
          const truth = face.camera.project(mesh.vertices, size[0], size[1]);
          const fit = aligned.camera.project(aligned.mesh.vertices, size[0], size[1]);
          let err = 0;
          for (let v = 0; v < truth.length; v += 3) err += Math.hypot(fit[v] - truth[v], fit[v + 1] - truth[v + 1]);
          err /= truth.length / 3;
          const iod = Math.hypot(truth[3 * L.rightEyeOuter] - truth[3 * L.leftEyeOuter], truth[3 * L.rightEyeOuter + 1] - truth[3 * L.leftEyeOuter + 1]);
          nmeSum += err / iod;
          pxSum += err;
          fitted++;
        } finally {
          image.dispose();
          onProgress?.(i + 1, n);
        }
      }
    } finally {
      detector.dispose();
      predictor.dispose();
    }
    const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
    return [
      {
        predictor: 'facemesh',
        images: n,
        blazeface_detected: round(detected / n),
        refused,
        nme_interocular: fitted ? round(nmeSum / fitted, 4) : null,
        mean_px_error: fitted ? round(pxSum / fitted, 2) : null,
        ms_per_image: fitted ? Math.round(ms / fitted) : null,
      },
    ];
  },
};
