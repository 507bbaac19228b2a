/**
 * The training batch `retex bench train-step --pipeline` times: what `retex train` feeds a step, built by
 * the same `assembleBatch` from a synthetic source (random photos and backgrounds, one render operator per
 * sample rasterized from a body-like mesh, the photos' features cached by the frozen identity network).
 */
import * as fs from 'fs';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { tf } from '../backend/tf';
import type { FeatureTerm } from '../losses/loss-terms';
import type { LoadedItem } from '../prepare/prepared-set';
import { mulberry32 } from '../random';
import { bodyLikeMesh } from '../renderer/body-like-mesh';
import { PerspectiveCamera } from '../renderer/perspective-camera';
import type { SparseRenderOperator } from '../renderer/render-operator';
import { SparseRenderer } from '../renderer/sparse-renderer';
import { assembleBatch, type FeatureCache } from '../train/texture/texture-data';
import type { HostBatch } from '../train/train-task';
import type { ResolvedPipelineTaskOptions } from './pipeline-task';

/** Timed `assembleBatch` calls (the median is reported). */
const ASSEMBLE_RUNS = 5;
/** Largest yaw of the per-sample cameras, radians either side of the front view. */
const MAX_YAW = 0.35;

/**
 * A camera framing the 1.7 m body to about 90% of the image height (as `retex bench render` does), turned
 * by `yaw` about the vertical, at `distance` metres, shifted sideways by `shift` metres.
 */
function sampleCamera(height: number, yaw: number, distance: number, shift: number): PerspectiveCamera {
  const focal = (0.9 * height * 4) / 1.7;
  const c = Math.cos(yaw);
  const s = Math.sin(yaw);
  // Model y up, front +z -> camera x right, y down, looking along +z; then turned about y.
  const rotation = [c, 0, -s, 0, -1, 0, -s, 0, -c];
  return new PerspectiveCamera({ focalLength: focal, rotation, translation: [shift, 0.85, distance] });
}

/**
 * One render operator per sample: the body-like mesh (SMPL's 6,890 vertices / 13,776 faces) seen by a
 * slightly different camera each (yaw within ±0.35 rad, distance 4 m ±5%, ±0.1 m sideways), so
 * coverage and texel reuse are those of a real batch rather than one operator repeated.
 */
export function pipelineOperators(o: ResolvedPipelineTaskOptions, count: number, seed = 1): SparseRenderOperator[] {
  const random = mulberry32(seed);
  const mesh = bodyLikeMesh();
  const renderer = new SparseRenderer();
  const [h, w] = o.imageSize;
  return Array.from({ length: count }, () => {
    const camera = sampleCamera(h, (random() * 2 - 1) * MAX_YAW, 4 * (1 + (random() * 2 - 1) * 0.05), (random() * 2 - 1) * 0.1);
    return renderer.operator(renderer.rasterize(mesh, camera, h, w), o.textureSize, o.sampling);
  });
}

/** What {@link pipelineHostBatch} returns. */
export interface PipelineHostBatch {
  /** The batch as `assembleBatch` lays it out (images, taps, tapWeights, backgrounds, `feature:reid:<s>`). */
  readonly batch: HostBatch;
  /** Mean covered pixels per sample. */
  readonly coveredPixels: number;
  /** Median ms of `assembleBatch` (`retex train` assembles every step's batch on the main thread, between steps). */
  readonly assembleMs: number;
}

/**
 * A batch of `count` samples: random photos and backgrounds (uint8, as loaded images are), one operator
 * per sample ({@link pipelineOperators}), and the photos' stage features from `term`'s frozen network (what
 * `retex train` caches once before training), assembled by `assembleBatch`.
 */
export function pipelineHostBatch(o: ResolvedPipelineTaskOptions, count: number, term: FeatureTerm, seed = 1): PipelineHostBatch {
  const [h, w] = o.imageSize;
  const random = mulberry32(seed);
  const bytes = (): Uint8Array => Uint8Array.from({ length: h * w * 3 }, () => Math.floor(random() * 256));
  const pixels = Array.from({ length: count }, bytes);
  const backgrounds = Array.from({ length: count }, bytes);
  const operators = pipelineOperators(o, count, seed + 1);
  const items: LoadedItem[] = operators.map((renderOperator, i) => ({
    split: 'train',
    index: i,
    id: `bench-${i}`,
    identity: i >> 2,
    image: '',
    renderOperator,
  }));
  // The photos' features, as `retex train` caches them (the network is frozen).
  const values = new Float32Array(count * h * w * 3);
  pixels.forEach((p, i) => p.forEach((v, j) => (values[i * h * w * 3 + j] = v / 127.5 - 1)));
  const stages = tf.tidy(() => term.imageFeatures(tf.tensor4d(values, [count, h, w, 3])));
  const shapes = stages.map((s) => s.shape.slice(1));
  const data = stages.map((s) => s.dataSync() as Float32Array);
  tf.dispose(stages);
  const perImage = pixels.map((_, i) => data.map((d) => d.slice((i * d.length) / count, ((i + 1) * d.length) / count)));
  const features: FeatureCache = new Map([[term.id, perImage]]);
  // A projection generator reads the photo projected into the texture, which `retex train` computes once
  // before training; stand-ins in (-0.9, 0.9) here (a step's time does not depend on the values).
  const [th, tw] = o.textureSize;
  const generatorInputs =
    o.generatorInput === 'projection'
      ? { size: o.textureSize, values: items.map(() => Float32Array.from({ length: th * tw * 3 }, () => random() * 1.8 - 0.9)) }
      : undefined;
  const source = {
    items, pixels, backgrounds, generatorInputs, size: o.imageSize, referenceCount: 0, features, featureShapes: new Map([[term.id, shapes]]),
  };
  // The median of a few calls: the first one runs cold code.
  const times: number[] = [];
  let batch: HostBatch | null = null;
  for (let i = 0; i < ASSEMBLE_RUNS; i++) {
    const t0 = performance.now();
    batch = assembleBatch(source, items.map((_, j) => j), mulberry32(seed + 2));
    times.push(performance.now() - t0);
  }
  const assembleMs = times.sort((a, b) => a - b)[ASSEMBLE_RUNS >> 1];
  const coveredPixels = operators.reduce((a, op) => a + op.coveredPixels, 0) / count;
  operators.forEach((op) => op.dispose());
  return { batch: batch as HostBatch, coveredPixels, assembleMs };
}

/** Files of the PyTorch peer's inputs (raw little-endian arrays, NHWC like the batch). */
export interface PipelinePeerFiles {
  readonly dir: string;
  /** float32 [B,H,W,3] in [-1,1]. */
  readonly images: string;
  /** float32 [B,H,W,3] in [-1,1]. */
  readonly backgrounds: string;
  /** int32 [B,H*W*K], -1 where a pixel is not covered. */
  readonly taps: string;
  /** float32 [B,H*W*K]. */
  readonly tapWeights: string;
  /** float32 [B,Th,Tw,3] in [-1,1]: what a projection generator reads; absent for a photo generator. */
  readonly generatorImages?: string;
}

/** Writes the batch's photos, backgrounds and render taps for the PyTorch peer into `dir`. */
export function writePipelinePeerFiles(batch: HostBatch, dir: string): PipelinePeerFiles {
  fs.mkdirSync(dir, { recursive: true });
  const write = (name: string, key: string): string => {
    const t = batch[key];
    if (t == null) throw new Error(`the pipeline batch has no '${key}'`);
    const file = path.join(dir, name);
    fs.writeFileSync(file, Buffer.from(t.values.buffer, t.values.byteOffset, t.values.byteLength));
    return file;
  };
  return {
    dir,
    images: write('images.f32', 'images'),
    backgrounds: write('backgrounds.f32', 'backgrounds'),
    taps: write('taps.i32', 'taps'),
    tapWeights: write('tap-weights.f32', 'tapWeights'),
    ...(batch.generatorImages != null ? { generatorImages: write('generator-images.f32', 'generatorImages') } : {}),
  };
}
