import type { RetexConfig } from './config-types';

/** Texel labels of a category's UV layout by body part. */
export interface TextureParts {
  /** Part index per texel, int32 [Th*Tw] (row 0 at v = 1, the renderer's texel convention); -1 off the charts. */
  readonly labels: Int32Array;
  /** Part names, indexed by label. */
  readonly names: readonly string[];
}

/**
 * The left-right symmetry and the parts of a category's texture: what the `project` method needs to fill
 * texels no pixel of the photo sees (from their mirror image, else from their part's colour).
 */
export interface TextureSymmetry {
  /**
   * For each texel, the texel at the mirror-image point of the surface (left <-> right), or -1 where there
   * is none (off the charts).
   * @returns int32 [Th*Tw], row 0 at v = 1
   */
  mirror(config: RetexConfig, textureSize: readonly [number, number]): Promise<Int32Array>;
  /** The part of each texel. */
  parts(config: RetexConfig, textureSize: readonly [number, number]): Promise<TextureParts>;
}
