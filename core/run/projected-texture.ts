import { tf } from '../backend/tf';
import type { AlignedMesh } from '../interfaces/mesh';
import type { SparseRenderOperator } from '../renderer/render-operator';
import { uvChartMask } from '../renderer/uv-texels';
import { projectionInput, projectionPriors } from './generator-input';
import type { PhotoRunnerParts } from './photo-runner';

/**
 * The `project` method for one photo: the photo's pixels back through the render operator, unseen
 * texels from their mirror image and their part's colour (the plugin's texture symmetry).
 * @param crop float32 [H,W,3] in [-1,1] (not disposed)
 * @returns float32 [1,Th,Tw,3] in [-1,1]; the caller owns it
 */
export async function projectedTexture(
  parts: Pick<PhotoRunnerParts, 'config' | 'symmetry' | 'textureSize'>,
  aligned: AlignedMesh,
  operator: SparseRenderOperator,
  crop: tf.Tensor3D,
): Promise<tf.Tensor4D> {
  const [th, tw] = parts.textureSize;
  const priors = await projectionPriors(parts.symmetry, parts.config, uvChartMask(aligned.mesh, parts.textureSize), parts.textureSize);
  const texture = projectionInput(operator.taps, (await crop.data()) as Float32Array, priors, aligned.mask);
  return tf.tensor4d(texture, [1, th, tw, 3]);
}
