import type { tf } from '../backend/tf';
import type { Camera, Mesh } from './mesh';

/**
 * Per-pixel rasterization result (like nvdiffrast's `rasterize` -> (u, v, z, triangle_id)).
 * All arrays are row-major over the H x W image.
 */
export interface Fragments {
  readonly height: number;
  readonly width: number;
  /** int32 [H*W]: index of the visible face, -1 for background. */
  readonly faceIds: Int32Array;
  /** float32 [H*W*3]: barycentric weights of the face's three corners (0 where background). */
  readonly barycentrics: Float32Array;
  /** float32 [H*W]: depth of the visible surface (Infinity where background); smaller is nearer. */
  readonly depth: Float32Array;
  /** float32 [H*W*2]: interpolated UV in [0,1] (v upwards); 0 where background. */
  readonly uv: Float32Array;
}

/** How a covered pixel reads the texture. */
export type TextureSampling = 'nearest' | 'bilinear';

/**
 * A fixed mesh's rendering as a sparse linear map from texture space to image space:
 * image[b, p, c] = sum_k weights[p, k] * texture[b, taps[p, k], c] for covered pixels p.
 */
export interface RenderOperator {
  readonly height: number;
  readonly width: number;
  /** Texture size [Th, Tw] the taps index into. */
  readonly textureSize: readonly [number, number];
  /** float32 [H*W] in {0,1} (or [0,1] with anti-aliasing): the silhouette. */
  readonly mask: Float32Array;
  /**
   * @param texture float32 [B,Th,Tw,3].
   * @returns image float32 [B,H,W,3]; zero outside the mask. Differentiable w.r.t. `texture`; the
   *   gradient is the transpose of the map.
   */
  apply(texture: tf.Tensor4D): tf.Tensor4D;
  dispose(): void;
}

/** Role 3 of 4: turns a fixed mesh and camera into a RenderOperator. */
export interface Renderer {
  readonly id: string;
  rasterize(mesh: Mesh, camera: Camera, height: number, width: number): Fragments;
  operator(fragments: Fragments, textureSize: readonly [number, number], sampling: TextureSampling): RenderOperator;
}
