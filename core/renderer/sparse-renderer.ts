import type { Camera, Mesh } from '../interfaces/mesh';
import type { Fragments, Renderer, TextureSampling } from '../interfaces/renderer';
import { rasterize, type RasterSettings } from './rasterizer';
import { SparseRenderOperator } from './render-operator';
import { computeTexelTaps } from './texel-taps';

/**
 * The built-in renderer: a CPU z-buffer rasterizer and sparse texture-to-image operators
 * (`rasterize` then `operator`; see those for the conventions).
 */
export class SparseRenderer implements Renderer {
  readonly id = 'rasterizer';
  readonly settings: RasterSettings;

  constructor(settings: RasterSettings = {}) {
    this.settings = { ...settings };
  }

  /** Fragments of `mesh` seen by `camera` in an H x W image; see `rasterize`. */
  rasterize(mesh: Mesh, camera: Camera, height: number, width: number): Fragments {
    return rasterize(mesh, camera, height, width, this.settings);
  }

  /** The sparse render operator of `fragments` for a texture of `textureSize` [Th, Tw]. */
  operator(
    fragments: Fragments,
    textureSize: readonly [number, number],
    sampling: TextureSampling,
  ): SparseRenderOperator {
    return new SparseRenderOperator(computeTexelTaps(fragments, textureSize, sampling));
  }
}
