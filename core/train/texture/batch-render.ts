import { tf } from '../../backend/tf';
import type { TextureSampling } from '../../interfaces/renderer';
import { SparseRenderOperator } from '../../renderer/render-operator';
import type { TexelTaps } from '../../renderer/texel-taps';

/**
 * One image's render operator as dense per-pixel arrays, the form a training batch carries across a
 * worker boundary: `taps` int32 [H*W*K] (texel index, -1 where the pixel is not covered) and `weights`
 * float32 [H*W*K]. K = 1 (nearest) or 4 (bilinear).
 */
export interface DenseTaps {
  readonly taps: Int32Array;
  readonly weights: Float32Array;
}

/** Writes an operator's taps densely into `taps`/`weights` (length H*W*K; uncovered pixels get -1 and 0). */
export function writeDenseTaps(t: TexelTaps, taps: Int32Array, weights: Float32Array): void {
  const k = t.tapsPerPixel;
  taps.fill(-1);
  weights.fill(0);
  t.pixels.forEach((p, n) => {
    for (let j = 0; j < k; j++) {
      taps[p * k + j] = t.taps[n * k + j];
      weights[p * k + j] = t.weights[n * k + j];
    }
  });
}

/**
 * The render operators of a batch as one block-diagonal operator: sample b's pixels are rows
 * b*H .. b*H+H-1 of a [B*H, W] image, its texels rows b*Th .. of a [B*Th, Tw] texture. Applying it to the
 * batch's textures reshaped to [1, B*Th, Tw, C] renders every sample at once, with the exact transpose as
 * its gradient (see `SparseRenderOperator`).
 * @param taps int32 [B*H*W*K]; @param weights float32 [B*H*W*K]
 */
export function batchRenderOperator(
  taps: Int32Array,
  weights: Float32Array,
  batch: number,
  height: number,
  width: number,
  textureSize: readonly [number, number],
  sampling: TextureSampling,
): SparseRenderOperator {
  const k = sampling === 'nearest' ? 1 : 4;
  const npix = height * width;
  const ntex = textureSize[0] * textureSize[1];
  if (taps.length !== batch * npix * k || weights.length !== taps.length) {
    throw new Error(`render taps: ${batch} images of ${height}x${width} with ${k} tap(s) need ${batch * npix * k} values, got ${taps.length}`);
  }
  let covered = 0;
  for (let p = 0; p < batch * npix; p++) if (taps[p * k] >= 0) covered++;
  const pixels = new Int32Array(covered);
  const outTaps = new Int32Array(covered * k);
  const outWeights = new Float32Array(covered * k);
  let n = 0;
  for (let p = 0; p < batch * npix; p++) {
    if (taps[p * k] < 0) continue;
    const offset = Math.floor(p / npix) * ntex;
    pixels[n] = p;
    for (let j = 0; j < k; j++) {
      const t = taps[p * k + j];
      if (t < 0 || t >= ntex) throw new Error(`render taps: pixel ${p % npix} of image ${Math.floor(p / npix)} reads texel ${t}, outside 0..${ntex - 1}`);
      outTaps[n * k + j] = t + offset;
      outWeights[n * k + j] = weights[p * k + j];
    }
    n++;
  }
  return new SparseRenderOperator({
    height: batch * height,
    width,
    textureSize: [batch * textureSize[0], textureSize[1]],
    sampling,
    tapsPerPixel: k,
    pixels,
    taps: outTaps,
    weights: outWeights,
  });
}

/**
 * Renders a batch of textures through their images' operators.
 * @param textures float32 [B,Th,Tw,C]
 * @returns float32 [B,H,W,C], zero outside each silhouette; differentiable w.r.t. `textures`
 */
export function renderBatch(op: SparseRenderOperator, textures: tf.Tensor4D, height: number): tf.Tensor4D {
  const [batch, th, tw, c] = textures.shape;
  return tf.tidy(() => {
    const image = op.apply(tf.reshape(textures, [1, batch * th, tw, c]) as tf.Tensor4D);
    return tf.reshape(image, [batch, height, op.width, c]) as tf.Tensor4D;
  });
}

/** The silhouettes of a batch: float32 [B,H,W,1], 1 where the first tap of a pixel is a texel. */
export function tapMasks(taps: Int32Array, batch: number, height: number, width: number, k: number): Float32Array {
  const mask = new Float32Array(batch * height * width);
  for (let p = 0; p < mask.length; p++) mask[p] = taps[p * k] >= 0 ? 1 : 0;
  return mask;
}
