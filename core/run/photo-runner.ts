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
import { locateSubject, type LocatedSubject } from './locate-subject';
import { projectedTexture } from './projected-texture';
import { generatorTexture, optimizeTexture, type OptimizeStart, type TextureMethod } from './texture-methods';
import { readsProjection } from './generator-input';

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

/** A photo with its subject found and the mesh fitted: what every texture method starts from. */
export interface FittedPhoto {
  readonly photo: string;
  /** The photo's size [H, W] after EXIF orientation. */
  readonly photoSize: readonly [number, number];
  readonly located: LocatedSubject;
  readonly aligned: AlignedMesh;
  readonly operator: SparseRenderOperator;
  /** Milliseconds per stage so far. */
  readonly timings: Readonly<Record<string, number>>;
}

/** A texture made by one method. */
export interface MadeTexture {
  /** float32 [1,Th,Tw,3] in [-1,1]; the caller owns it. */
  readonly texture: tf.Tensor4D;
  readonly optimize?: { readonly start: OptimizeStart; readonly steps: number; readonly lossBefore: number; readonly lossAfter: number };
  readonly ms: number;
}

/** What one photo's run produced. The caller disposes it (`disposeRun`). */
export interface PhotoRun extends FittedPhoto {
  /** float32 [1,Th,Tw,3] in [-1,1]. */
  readonly texture: tf.Tensor4D;
  readonly method: TextureMethod;
  /** SSIM, mask-SSIM, CosSim of the rendering over the crop against the crop. */
  readonly metrics: ImageMetrics;
  readonly optimize?: MadeTexture['optimize'];
}

/** Frees a fitted photo's crop and operator. */
export function disposeFitted(fitted: FittedPhoto): void {
  fitted.located.crop.dispose();
  fitted.operator.dispose();
}

/** Frees a run's tensors and operator. */
export function disposeRun(run: PhotoRun): void {
  disposeFitted(run);
  run.texture.dispose();
}

/** The located subject's box in the crop's pixels. */
function boxInCrop(located: LocatedSubject, size: readonly [number, number]): [number, number, number, number] {
  const { window: w, box: b } = located;
  const sx = size[1] / w.width;
  const sy = size[0] / w.height;
  return [(b[0] - w.x) * sx, (b[1] - w.y) * sy, b[2] * sx, b[3] * sy];
}

/** Reads the photo, finds and crops the subject, fits the category's mesh and builds its render operator. */
export async function fitPhoto(parts: PhotoRunnerParts, photoPath: string, options: Pick<PhotoRunOptions, 'box' | 'hints'>): Promise<FittedPhoto> {
  const timings: Record<string, number> = {};
  let t = Date.now();
  const lap = (stage: string) => {
    const now = Date.now();
    timings[stage] = now - t;
    t = now;
  };
  const name = path.basename(photoPath);
  const photo = await readImage(photoPath);
  const photoSize = [photo.shape[0], photo.shape[1]] as const;
  let located: LocatedSubject;
  try {
    lap('read_ms');
    located = await locateSubject(photo, parts.subject, parts.detector, parts.imageSize, name, options.box);
  } finally {
    photo.dispose();
  }
  lap('locate_ms');
  try {
    const annotations = options.hints && parts.subject.annotations ? await parts.subject.annotations(options.hints, located.window, parts.imageSize) : undefined;
    const aligned = await parts.predictor.predict({
      image: located.crop,
      id: name,
      imagePath: path.resolve(photoPath),
      subjectBox: boxInCrop(located, parts.imageSize),
      annotations,
    });
    lap('fit_ms');
    const [h, w] = parts.imageSize;
    const op = parts.renderer.operator(parts.renderer.rasterize(aligned.mesh, aligned.camera, h, w), parts.textureSize, parts.sampling);
    if (!(op instanceof SparseRenderOperator)) throw new Error(`renderer '${parts.renderer.id}' does not produce retex's sparse operators`);
    if (op.coveredPixels === 0) {
      op.dispose();
      throw new Error(`the ${parts.subject.noun} fitted to ${name} lies outside the crop: try --box`);
    }
    lap('render_ms');
    return { photo: path.resolve(photoPath), photoSize, located, aligned, operator: op, timings };
  } catch (err) {
    located.crop.dispose();
    throw err;
  }
}

/** One method's texture for a fitted photo. */
export async function makeTexture(parts: PhotoRunnerParts, fitted: FittedPhoto, method: TextureMethod, settings?: PhotoRunOptions['optimize']): Promise<MadeTexture> {
  const started = Date.now();
  const crop4d = fitted.located.crop.expandDims(0) as tf.Tensor4D;
  try {
    const project = () => projectedTexture(parts, fitted.aligned, fitted.operator, fitted.located.crop);
    const fromGenerator = async () => {
      if (parts.generator == null) throw new Error('no texture generator is loaded');
      if (!readsProjection(parts.generator)) return generatorTexture(parts.generator, crop4d);
      const projected = await project();
      try {
        return generatorTexture(parts.generator, projected);
      } finally {
        projected.dispose();
      }
    };
    if (method === 'generator') return { texture: await fromGenerator(), ms: Date.now() - started };
    if (method === 'project') return { texture: await project(), ms: Date.now() - started };
    if (settings == null || parts.loss == null) throw new Error('optimize needs its settings and the loss');
    const start = settings.start === 'generator' ? await fromGenerator() : await project();
    try {
      const r = await optimizeTexture(start, crop4d, fitted.operator, parts.loss, settings);
      const optimize = { start: settings.start, steps: settings.steps, lossBefore: r.lossBefore, lossAfter: r.lossAfter };
      return { texture: r.texture, optimize, ms: Date.now() - started };
    } finally {
      start.dispose();
    }
  } finally {
    crop4d.dispose();
  }
}

/**
 * One photo to a textured mesh: find and crop the subject, fit the category's mesh, make the texture by
 * `method`, and score the rendering against the crop.
 */
export async function runPhoto(parts: PhotoRunnerParts, photoPath: string, options: PhotoRunOptions): Promise<PhotoRun> {
  const fitted = await fitPhoto(parts, photoPath, options);
  let made: MadeTexture | undefined;
  try {
    made = await makeTexture(parts, fitted, options.method, options.optimize);
    const started = Date.now();
    const crop4d = fitted.located.crop.expandDims(0) as tf.Tensor4D;
    let metrics: ImageMetrics;
    try {
      [metrics] = await evaluateTextures({ ids: [path.basename(photoPath)], photos: crop4d, textures: made.texture, operators: [fitted.operator] }, parts.networks);
    } finally {
      crop4d.dispose();
    }
    const timings = { ...fitted.timings, texture_ms: made.ms, metrics_ms: Date.now() - started };
    return { ...fitted, timings, texture: made.texture, method: options.method, metrics, optimize: made.optimize };
  } catch (err) {
    disposeFitted(fitted);
    made?.texture.dispose();
    throw err;
  }
}
