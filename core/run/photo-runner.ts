import * as path from 'path';
import { tf } from '../backend/tf';
import type { AlignedMesh } from '../interfaces/mesh';
import type { MeshPredictor } from '../interfaces/mesh-predictor';
import type { Renderer, TextureSampling } from '../interfaces/renderer';
import type { TextureGenerator } from '../interfaces/texture-generator';
import { readImage } from '../io/image-decode';
import type { WeightedLoss } from '../losses/weighted-loss';
import { evaluateTextures, type EvaluationNetworks, type ImageMetrics } from '../metrics/evaluate-textures';
import type { PhotoHints, PhotoSubject, SubjectDetector } from '../plugin/photo-subject';
import type { TextureSymmetry } from '../plugin/texture-symmetry';
import type { RetexConfig } from '../plugin/config-types';
import { SparseRenderOperator } from '../renderer/render-operator';
import { uvChartMask } from '../renderer/uv-texels';
import { locateSubject, type LocatedSubject } from './locate-subject';
import { projectedTexture } from './projected-texture';
import { generatorTexture, optimizeTexture, type OptimizeStart, type TextureMethod } from './texture-methods';

/** Everything a run needs, loaded once for many photos (the CLI builds it from the config). */
export interface PhotoRunnerParts {
  readonly config: RetexConfig;
  readonly subject: PhotoSubject;
  readonly detector: SubjectDetector;
  readonly predictor: MeshPredictor;
  readonly renderer: Renderer;
  /** Needed by `generator` and by `optimize` starting from it. */
  readonly generator?: TextureGenerator;
  /** The loss `optimize` lowers (its feature terms). */
  readonly loss?: WeightedLoss;
  /** Needed by `project` and by `optimize` starting from it. */
  readonly symmetry?: TextureSymmetry;
  /** CosSim / CosSim-R networks for the figures in run.json. */
  readonly networks: EvaluationNetworks;
  /** Crop size [H, W] (the generator's input size). */
  readonly imageSize: readonly [number, number];
  readonly textureSize: readonly [number, number];
  readonly sampling: TextureSampling;
}

/** Per-photo choices. */
export interface PhotoRunOptions {
  readonly method: TextureMethod;
  /** The subject's box [x, y, w, h] in photo pixels (skips the detector). */
  readonly box?: readonly [number, number, number, number];
  readonly hints?: PhotoHints;
  readonly optimize?: {
    readonly steps: number;
    readonly learningRate: number;
    readonly anchor: number;
    readonly start: OptimizeStart;
    readonly onStep?: (step: number, loss: number) => void;
  };
}

/** What one photo's run produced. The caller disposes it (`disposeRun`). */
export interface PhotoRun {
  readonly photo: string;
  /** The photo's size [H, W] after EXIF orientation. */
  readonly photoSize: readonly [number, number];
  readonly located: LocatedSubject;
  readonly aligned: AlignedMesh;
  readonly operator: SparseRenderOperator;
  /** float32 [1,Th,Tw,3] in [-1,1]. */
  readonly texture: tf.Tensor4D;
  readonly method: TextureMethod;
  /** SSIM, mask-SSIM, CosSim(-R) of the rendering over the crop against the crop. */
  readonly metrics: ImageMetrics;
  /** Milliseconds per stage. */
  readonly timings: Readonly<Record<string, number>>;
  readonly optimize?: { readonly start: OptimizeStart; readonly steps: number; readonly lossBefore: number; readonly lossAfter: number };
}

/** Frees a run's tensors and operator. */
export function disposeRun(run: PhotoRun): void {
  run.located.crop.dispose();
  run.texture.dispose();
  run.operator.dispose();
}

/**
 * One photo to a textured mesh: find and crop the subject, fit the category's mesh, make the texture by
 * `method`, and score the rendering against the crop.
 */
export async function runPhoto(parts: PhotoRunnerParts, photoPath: string, options: PhotoRunOptions): Promise<PhotoRun> {
  const timings: Record<string, number> = {};
  let t = Date.now();
  const lap = (stage: string) => {
    const now = Date.now();
    timings[stage] = now - t;
    t = now;
  };
  const name = path.basename(photoPath);
  const photo = await readImage(photoPath);
  let located: LocatedSubject;
  const photoSize = [photo.shape[0], photo.shape[1]] as const;
  try {
    lap('read_ms');
    located = await locateSubject(photo, parts.subject, parts.detector, parts.imageSize, name, options.box);
  } finally {
    photo.dispose();
  }
  lap('locate_ms');
  const owned: { dispose(): void }[] = [located.crop];
  try {
    const annotations = options.hints && parts.subject.annotations ? await parts.subject.annotations(options.hints, located.window, parts.imageSize) : undefined;
    const aligned = await parts.predictor.predict({ image: located.crop, id: name, imagePath: path.resolve(photoPath), annotations });
    lap('fit_ms');
    const [h, w] = parts.imageSize;
    const op = parts.renderer.operator(parts.renderer.rasterize(aligned.mesh, aligned.camera, h, w), parts.textureSize, parts.sampling);
    if (!(op instanceof SparseRenderOperator)) throw new Error(`renderer '${parts.renderer.id}' does not produce retex's sparse operators`);
    owned.push(op);
    if (op.coveredPixels === 0) throw new Error(`the ${parts.subject.noun} fitted to ${name} lies outside the crop: try --box`);
    lap('render_ms');
    const crop4d = located.crop.expandDims(0) as tf.Tensor4D;
    owned.push(crop4d);
    const project = async () => projectedTexture(parts, aligned, op, located.crop);
    const fromGenerator = () => {
      if (parts.generator == null) throw new Error('no texture generator is loaded');
      return generatorTexture(parts.generator, crop4d);
    };
    let texture: tf.Tensor4D;
    let optimize: PhotoRun['optimize'];
    if (options.method === 'generator') texture = fromGenerator();
    else if (options.method === 'project') texture = await project();
    else {
      const o = options.optimize;
      if (o == null || parts.loss == null) throw new Error('optimize needs its settings and the loss');
      const start = o.start === 'generator' ? fromGenerator() : await project();
      lap('start_ms');
      try {
        const r = await optimizeTexture(start, crop4d, op, parts.loss, o);
        texture = r.texture;
        optimize = { start: o.start, steps: o.steps, lossBefore: r.lossBefore, lossAfter: r.lossAfter };
      } finally {
        start.dispose();
      }
    }
    owned.push(texture);
    lap('texture_ms');
    const [metrics] = await evaluateTextures({ ids: [name], photos: crop4d, textures: texture, operators: [op] }, parts.networks);
    lap('metrics_ms');
    crop4d.dispose();
    return { photo: path.resolve(photoPath), photoSize, located, aligned, operator: op, texture, method: options.method, metrics, timings, optimize };
  } catch (err) {
    owned.forEach((o) => o.dispose());
    throw err;
  }
}

/** The mesh's UV chart texels at the run's texture size (float32 [Th*Tw] in {0,1}). */
export function chartMask(run: PhotoRun, textureSize: readonly [number, number]): Float32Array {
  return uvChartMask(run.aligned.mesh, textureSize);
}
