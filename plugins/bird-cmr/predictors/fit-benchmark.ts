import { tf } from '../../../core/backend/tf';
import type { Mesh } from '../../../core/interfaces/mesh';
import { rasterize } from '../../../core/renderer/rasterizer';
import { axisAngleToMatrix, multiplyMatrices, quaternionToMatrix } from '../../../core/renderer/rotation';
import { WeakPerspectiveCamera } from '../../../core/renderer/weak-perspective-camera';
import { projectWeakPerspective, type WeakPerspectiveParams } from '../camera/camera-fit';
import { BIRD_VIEW_ROTATIONS } from '../camera/bird-views';
import { matrixToQuaternion, rotationAngleDeg } from '../camera/quaternion';
import { keypointPositions, type BirdMeanShape } from '../shape/mean-shape';
import type { AnnotationFitPredictor } from './annotation-fit';
import type { PhotoPredictor } from './photo';
import { maskIou, renderSilhouette } from './silhouette';
import { mulberry32 } from '../../../core/random';
import { headOnRightEnd, sameHeading } from '../photo/heading';

/** How the synthetic test birds are made. */
export interface FitBenchmarkSettings {
  /** Number of rendered birds. Default 20. */
  readonly count?: number;
  /** Image size (square). Default 256 (CMR's crops). */
  readonly size?: number;
  /** Standard deviation of the keypoint annotation noise in pixels. Default 3. */
  readonly keypointNoisePx?: number;
  /**
   * Render a bird that differs from the mean shape (stretched, fatter, tail bent) instead of the mean
   * shape itself, as a real bird would. Default true.
   */
  readonly shapeMismatch?: boolean;
  readonly seed?: number;
  /** Called after each bird. */
  readonly onImage?: (done: number, total: number) => void;
}

/** Averages over the benchmark's birds (JSON keys as `retex bench fit` prints them). */
export interface FitBenchmarkResult {
  readonly rot_err_deg: number;
  readonly iou: number;
  readonly ms_per_image: number;
  /** The same figures for the keypoint-only camera (before the silhouette refinement). */
  readonly keypoint_only: { readonly rot_err_deg: number; readonly iou: number };
  /** Median rotation error, degrees. */
  readonly rot_err_deg_median: number;
  readonly count: number;
}

const mean = (a: readonly number[]): number => a.reduce((s, v) => s + v, 0) / a.length;

/** The figures both benchmarks report, from per-bird rotation errors, IoUs and the total fit time. */
function fitFigures(rot: readonly number[], ious: readonly number[], ms: number) {
  return {
    rot_err_deg: mean(rot),
    iou: mean(ious),
    ms_per_image: ms / rot.length,
    rot_err_deg_median: [...rot].sort((a, b) => a - b)[Math.floor(rot.length / 2)],
    count: rot.length,
  };
}

/** A bird unlike the mean shape: longer, fatter in the belly, head raised, tail bent down. */
export function mismatchedBird(mesh: Mesh): Mesh {
  const v = Float32Array.from(mesh.vertices);
  for (let i = 0; i < v.length; i += 3) {
    const z = v[i + 2];
    v[i] *= 1.12;
    v[i + 1] *= z < 0.3 && v[i + 1] < 0 ? 1.15 : 1;
    v[i + 1] += z > 0.3 ? 0.06 * (z - 0.3) : 0;
    v[i + 1] -= z < -0.4 ? 0.25 * (-0.4 - z) ** 2 : 0;
    v[i + 2] = z * 1.06;
  }
  return { ...mesh, vertices: v };
}

/**
 * A random but photo-like camera: any heading, seen from somewhat above or below, a little roll, the
 * bird filling most of the crop.
 */
function randomCamera(random: () => number): WeakPerspectiveParams {
  const heading = axisAngleToMatrix([0, (random() * 2 - 1) * Math.PI, 0]);
  const elevation = axisAngleToMatrix([((random() * 70 - 20) * Math.PI) / 180, 0, 0]);
  const roll = axisAngleToMatrix([0, 0, ((random() * 40 - 20) * Math.PI) / 180]);
  // Side view first (model -> camera), then turn the bird about its up axis, tilt and roll the camera.
  const r = multiplyMatrices(roll, multiplyMatrices(elevation, multiplyMatrices(Float64Array.from(BIRD_VIEW_ROTATIONS.side), heading)));
  return {
    quaternion: matrixToQuaternion(r),
    scale: 0.75 + 0.2 * random(),
    translation: [(random() * 2 - 1) * 0.05, (random() * 2 - 1) * 0.05],
  };
}

/** Gaussian noise by Box-Muller. */
function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/**
 * Renders birds with known cameras, annotates them (keypoints with noise, hidden where the z-buffer
 * hides them; the exact silhouette as the mask), runs the predictor and scores rotation error, full
 * resolution silhouette IoU and time per image.
 */
export async function benchmarkAnnotationFit(
  predictor: AnnotationFitPredictor,
  shape: BirdMeanShape,
  settings: FitBenchmarkSettings = {},
): Promise<FitBenchmarkResult> {
  const count = settings.count ?? 20;
  const size = settings.size ?? 256;
  const noise = settings.keypointNoisePx ?? 3;
  const random = mulberry32(settings.seed ?? 1);
  const truthMesh = settings.shapeMismatch === false ? shape.mesh : mismatchedBird(shape.mesh);
  const truthShape: BirdMeanShape = { ...shape, mesh: truthMesh };
  const modelKp = keypointPositions(truthShape);
  const image = tf.zeros([size, size, 3]) as tf.Tensor3D;
  const rot: number[] = [];
  const ious: number[] = [];
  const kpRot: number[] = [];
  const kpIous: number[] = [];
  let ms = 0;
  try {
    for (let n = 0; n < count; n++) {
      const truth = randomCamera(random);
      const camera = new WeakPerspectiveCamera(truth);
      const frags = rasterize(truthMesh, camera, size, size);
      const mask = new Float32Array(size * size);
      for (let p = 0; p < mask.length; p++) mask[p] = frags.faceIds[p] >= 0 ? 1 : 0;
      const clean = projectWeakPerspective(truth, modelKp);
      const depth = camera.project(modelKp, size, size);
      const keypoints: number[] = [];
      const visible: number[] = [];
      for (let i = 0; i < modelKp.length / 3; i++) {
        const px = Math.min(size - 1, Math.max(0, Math.floor(depth[3 * i])));
        const py = Math.min(size - 1, Math.max(0, Math.floor(depth[3 * i + 1])));
        // Visible when nothing nearer covers it (a small tolerance for the keypoint lying on the surface).
        const shown = frags.depth[py * size + px] >= depth[3 * i + 2] - 0.03;
        visible.push(shown ? 1 : 0);
        keypoints.push(
          shown ? clean[2 * i] + (gaussian(random) * noise * 2) / size : 0,
          shown ? clean[2 * i + 1] + (gaussian(random) * noise * 2) / size : 0,
        );
      }
      const t0 = process.hrtime.bigint();
      const { report } = await predictor.fit({ image, id: `synthetic-${n}`, annotations: { keypoints, visible, mask } });
      ms += Number(process.hrtime.bigint() - t0) / 1e6;
      const truthR = quaternionToMatrix(truth.quaternion);
      const score = (params: WeakPerspectiveParams): [number, number] => [
        rotationAngleDeg(quaternionToMatrix(params.quaternion), truthR),
        maskIou(renderSilhouette(shape.mesh, params, size, size), mask),
      ];
      const [r, iou] = score(report.camera);
      const [kr, kiou] = score(report.keypointCamera);
      rot.push(r);
      ious.push(iou);
      kpRot.push(kr);
      kpIous.push(kiou);
      settings.onImage?.(n + 1, count);
    }
  } finally {
    image.dispose();
  }
  return { ...fitFigures(rot, ious, ms), keypoint_only: { rot_err_deg: mean(kpRot), iou: mean(kpIous) } };
}

/**
 * The rotation whose silhouette of a left-right symmetric bird is identical under weak perspective:
 * flip depth and mirror the model, D R M with D = diag(1,1,-1), M = diag(-1,1,1) (a proper rotation).
 * A silhouette cannot tell the two apart.
 */
export function silhouetteTwin(r: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(r);
  for (let row = 0; row < 3; row++) out[3 * row] = -out[3 * row];
  for (let col = 0; col < 3; col++) out[6 + col] = -out[6 + col];
  return out;
}

/** A synthetic photo: float [H*W*3] RGB in [0,1], the bird's true mask [H*W] and its box. */
export interface SyntheticBirdPhoto {
  readonly pixels: Float32Array;
  readonly mask: Float32Array;
  readonly box: [number, number, number, number];
}

/**
 * Renders `mesh` as a plumaged bird over a smooth random background: a random base colour, a lighter
 * belly, darker wings, a differently coloured head (all from the UVs), pixel noise everywhere.
 */
export function syntheticBirdPhoto(mesh: Mesh, camera: WeakPerspectiveParams, size: number, random: () => number): SyntheticBirdPhoto {
  const frags = rasterize(mesh, new WeakPerspectiveCamera(camera), size, size);
  const colour = (): [number, number, number] => [random(), random(), random()];
  const [base, head, wing] = [colour(), colour(), colour()];
  const bg = [colour(), colour(), colour()];
  const waves = bg.map(() => [random() * 6, random() * 6, random() * 6.3]);
  const pixels = new Float32Array(size * size * 3);
  const mask = new Float32Array(size * size);
  let [x0, y0, x1, y1] = [size, size, 0, 0];
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const p = y * size + x;
      let c: number[];
      if (frags.faceIds[p] >= 0) {
        const u = frags.uv[2 * p];
        const v = frags.uv[2 * p + 1];
        const belly = Math.min(u, 1 - u) < 0.12;
        const isWing = Math.abs(Math.min(u, 1 - u) - 0.3) < 0.08 && v < 0.75;
        c = v > 0.8 ? head : isWing ? wing.map((w) => w * 0.6) : belly ? base.map((b) => 0.5 + 0.5 * b) : base;
        mask[p] = 1;
        [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x + 1), Math.max(y1, y + 1)];
      } else {
        // Three colours blended by slow waves: foliage, sky, branches in spirit.
        const w = waves.map(([a, b, ph]) => 0.5 + 0.5 * Math.sin((a * x) / size + (b * y) / size + ph));
        const total = w[0] + w[1] + w[2] + 1e-6;
        c = [0, 1, 2].map((ch) => (w[0] * bg[0][ch] + w[1] * bg[1][ch] + w[2] * bg[2][ch]) / total);
      }
      for (let ch = 0; ch < 3; ch++) pixels[3 * p + ch] = Math.min(1, Math.max(0, c[ch] + (random() - 0.5) * 0.08));
    }
  }
  return { pixels, mask, box: [x0, y0, x1 - x0, y1 - y0] };
}

/**
 * The photo predictor on synthetic photos (see `syntheticBirdPhoto`) with known cameras, given each
 * bird's box grown by a random 0-10 % per side as a detector would give it (the COCO detector does
 * not recognise these renderings, so it is not part of this score). IoU is the predicted mesh's
 * silhouette against the true mask at full resolution; `mask_iou` scores the estimated foreground;
 * `heading_accuracy` is the share of birds fitted with the head on the right end in the image
 * (`headOnRightEnd`), `heading_accuracy_3d` the share whose forward axis is within 90 degrees of the
 * true one (`sameHeading`: also fails the silhouette's depth-mirrored twin).
 */
export async function benchmarkPhotoFit(
  predictor: PhotoPredictor,
  shape: BirdMeanShape,
  settings: FitBenchmarkSettings = {},
): Promise<FitBenchmarkResult & { readonly mask_iou: number; readonly rot_err_deg_up_to_mirror: number; readonly heading_accuracy: number; readonly heading_accuracy_3d: number }> {
  const count = settings.count ?? 20;
  const size = settings.size ?? 256;
  const random = mulberry32(settings.seed ?? 1);
  const truthMesh = settings.shapeMismatch === false ? shape.mesh : mismatchedBird(shape.mesh);
  const rot: number[] = [];
  const ious: number[] = [];
  const maskIous: number[] = [];
  const rotTwin: number[] = [];
  let headingRight = 0;
  let sameWay = 0;
  let ms = 0;
  for (let n = 0; n < count; n++) {
    const truth = randomCamera(random);
    const photo = syntheticBirdPhoto(truthMesh, truth, size, random);
    const grow = () => 0.1 * random();
    const [bx, by, bw, bh] = photo.box;
    const box: [number, number, number, number] = [bx - grow() * bw, by - grow() * bh, bw * (1 + grow() + grow()), bh * (1 + grow() + grow())];
    const image = tf.tidy(() => tf.sub(tf.mul(tf.tensor3d(photo.pixels, [size, size, 3]), 2), 1) as tf.Tensor3D);
    try {
      const t0 = process.hrtime.bigint();
      const { aligned, report } = await predictor.fitInBox({ image, id: `synthetic-${n}` }, { box, score: 1 });
      ms += Number(process.hrtime.bigint() - t0) / 1e6;
      const fitted = quaternionToMatrix(report.camera.quaternion);
      const truthR = quaternionToMatrix(truth.quaternion);
      rot.push(rotationAngleDeg(fitted, truthR));
      rotTwin.push(Math.min(rot[rot.length - 1], rotationAngleDeg(fitted, silhouetteTwin(truthR))));
      if (headOnRightEnd(report.camera.quaternion, truth.quaternion)) headingRight++;
      if (sameHeading(report.camera.quaternion, truth.quaternion)) sameWay++;
      ious.push(maskIou(renderSilhouette(shape.mesh, report.camera, size, size), photo.mask));
      maskIous.push(maskIou(aligned.mask as Float32Array, photo.mask));
    } finally {
      image.dispose();
    }
    settings.onImage?.(n + 1, count);
  }
  return {
    ...fitFigures(rot, ious, ms),
    keypoint_only: { rot_err_deg: NaN, iou: NaN },
    mask_iou: mean(maskIous),
    rot_err_deg_up_to_mirror: mean(rotTwin),
    heading_accuracy: headingRight / count,
    heading_accuracy_3d: sameWay / count,
  };
}
