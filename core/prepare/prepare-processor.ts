import * as path from 'path';
import type { Dataset } from '../interfaces/dataset';
import type { Camera } from '../interfaces/mesh';
import type { MeshPredictor } from '../interfaces/mesh-predictor';
import type { Renderer } from '../interfaces/renderer';
import { encodeRenderOperator } from '../renderer/operator-file';
import { SparseRenderOperator } from '../renderer/render-operator';
import { uvChartMask } from '../renderer/uv-texels';
import { groundTruthTexture } from '../synth/ground-truth';
import type { PreparePlan } from './prepared-set';

/** One image to prepare. */
export interface PrepareRequest {
  readonly split: string;
  readonly index: number;
  /** Also return the mesh's UV chart mask (asked for once per run). */
  readonly withCharts?: boolean;
}

/** What preparing one image produced (plain data: it crosses a worker boundary). */
export interface PrepareOutcome {
  readonly id: string;
  readonly identity: number;
  /** Image path relative to the data folder. */
  readonly image: string;
  /** The encoded render operator (see operator-file). */
  readonly operator: Uint8Array;
  readonly camera: Record<string, unknown>;
  readonly coverage: number;
  readonly groundTruthTexture?: string;
  /** float32 [Th*Tw] in {0,1} when asked for. */
  readonly charts?: Float32Array;
}

/** Meshes covering less of the image than this are refused as a failed fit. */
export const MIN_COVERAGE = 0.005;

/** A camera as plain JSON data (typed arrays become arrays; methods dropped). */
export function cameraRecord(camera: Camera): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(camera)) {
    if (typeof v === 'function') continue;
    out[k] = ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v;
  }
  return out;
}

/**
 * Prepares one image: the category's mesh predictor places the mesh, the renderer turns it into the
 * image's render operator (the method's precomputed render tensor).
 */
export class PrepareProcessor {
  constructor(
    private readonly plan: PreparePlan,
    private readonly dataset: Dataset,
    private readonly predictor: MeshPredictor,
    private readonly renderer: Renderer,
  ) {}

  async process(request: PrepareRequest): Promise<PrepareOutcome> {
    const sample = this.dataset.samples(request.split)[request.index];
    if (sample == null) throw new Error(`split '${request.split}' has no sample ${request.index}`);
    const [h, w] = this.plan.image;
    const image = await this.dataset.loadImage(sample);
    let aligned;
    try {
      aligned = await this.predictor.predict({ image, id: sample.id, imagePath: sample.imagePath, annotations: sample.annotations });
    } finally {
      image.dispose();
    }
    const fragments = this.renderer.rasterize(aligned.mesh, aligned.camera, h, w);
    const op = this.renderer.operator(fragments, this.plan.texture, this.plan.sampling);
    if (!(op instanceof SparseRenderOperator)) throw new Error(`renderer '${this.renderer.id}' does not produce retex's sparse operators`);
    const coverage = op.coveredPixels / (h * w);
    if (coverage < MIN_COVERAGE) {
      throw new Error(`the fitted mesh covers ${(coverage * 100).toFixed(2)}% of the image: the subject was not found or lies outside the picture`);
    }
    const truth = groundTruthTexture(this.plan.data, sample.imagePath);
    return {
      id: sample.id,
      identity: sample.identity,
      image: path.relative(this.plan.data, sample.imagePath),
      operator: encodeRenderOperator(op),
      camera: cameraRecord(aligned.camera),
      coverage: Number(coverage.toFixed(4)),
      ...(truth != null && { groundTruthTexture: path.relative(this.plan.data, truth) }),
      ...(request.withCharts && { charts: uvChartMask(aligned.mesh, this.plan.texture) }),
    };
  }

  dispose(): void {
    this.predictor.dispose();
  }
}
