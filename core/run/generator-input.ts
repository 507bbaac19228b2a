import { tf } from '../backend/tf';
import type { TextureGenerator } from '../interfaces/texture-generator';
import type { RetexConfig } from '../plugin/config-types';
import type { TextureParts, TextureSymmetry } from '../plugin/texture-symmetry';
import type { TexelTaps } from '../renderer/texel-taps';
import { projectTexture } from './project-texture';

/** What the `project` method needs besides a photo and its render operator: the category's UV charts and symmetry. */
export interface ProjectionPriors {
  /** float32 [Th*Tw] in {0,1}: texels on the UV charts. */
  readonly chartMask: Float32Array;
  readonly mirror?: Int32Array;
  readonly parts?: TextureParts;
}

/** Whether the generator reads projected textures rather than photos. */
export function readsProjection(generator: Pick<TextureGenerator, 'input'>): boolean {
  return generator.input === 'projection';
}

/** The priors of a category at a texture size, from its plugin's texture symmetry (null: the plugin gives none). */
export async function projectionPriors(
  symmetry: TextureSymmetry | null | undefined,
  config: RetexConfig,
  chartMask: Float32Array,
  textureSize: readonly [number, number],
): Promise<ProjectionPriors> {
  if (symmetry == null) {
    throw new Error(`the '${config.category}' plugin gives no texture symmetry, which the project method (and a generator that reads its textures) needs`);
  }
  return { chartMask, mirror: await symmetry.mirror(config, textureSize), parts: await symmetry.parts(config, textureSize) };
}

/**
 * The project method's texture of one photo: what a `projection` generator reads.
 * @param photo float32 [H*W*3] in [-1,1]; @param foreground float32 [H*W] in [0,1], or omitted (all 1)
 * @returns float32 [Th*Tw*3] in [-1,1]
 */
export function projectionInput(taps: TexelTaps, photo: Float32Array, priors: ProjectionPriors, foreground?: Float32Array): Float32Array {
  return projectTexture({ operator: { taps }, photo, foreground, chartMask: priors.chartMask, mirror: priors.mirror, parts: priors.parts }).texture;
}

/**
 * What `generator.generate` takes for a batch of photos: the photos themselves, or, for a generator that
 * reads projections, each photo carried into UV space through its own render operator.
 * @param photos float32 [B,H,W,3] in [-1,1] (not disposed)
 * @returns a tensor the caller owns
 * @throws when the generator reads projections and no priors are given
 */
export function generatorInputs(
  generator: Pick<TextureGenerator, 'input' | 'inputSize'>,
  photos: tf.Tensor4D,
  operators: readonly { readonly taps: TexelTaps }[],
  priors: ProjectionPriors | null,
): tf.Tensor4D {
  if (!readsProjection(generator)) return photos.clone();
  if (priors == null) throw new Error("this generator reads projected textures: it needs the category's UV charts and texture symmetry");
  const [b] = photos.shape;
  const [th, tw] = generator.inputSize;
  const values = photos.dataSync() as Float32Array;
  const size = values.length / b;
  const out = new Float32Array(b * th * tw * 3);
  for (let i = 0; i < b; i++) out.set(projectionInput(operators[i].taps, values.subarray(i * size, (i + 1) * size), priors), i * th * tw * 3);
  return tf.tensor4d(out, [b, th, tw, 3]);
}
