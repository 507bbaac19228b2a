import { tf } from '../backend/tf';
import type { RenderOperator } from '../interfaces/renderer';
import { GatherSumPlan, transposeCsr, type CsrMatrix } from './gather-sum-plan';
import type { TexelTaps } from './texel-taps';

/** [B, N, C] (any shape with N*C per item) -> [N, B*C]: one row per texel/pixel, batch in the row. */
function toRows(x: tf.Tensor, batch: number, n: number, channels: number): tf.Tensor2D {
  const flat = tf.reshape(x, [batch, n, channels]);
  return tf.reshape(batch === 1 ? flat : tf.transpose(flat, [1, 0, 2]), [n, batch * channels]);
}

/** [N, B*C] -> [B, N, C]. */
function fromRows(x: tf.Tensor2D, batch: number, n: number, channels: number): tf.Tensor3D {
  const rows = tf.reshape(x, [n, batch, channels]);
  return tf.reshape(batch === 1 ? rows : tf.transpose(rows, [1, 0, 2]), [batch, n, channels]);
}

/**
 * A fixed mesh's rendering as a sparse linear map A from texture to image (see `TexelTaps` for the UV ->
 * texel convention), evaluated in O(taps x batch) work, never O(pixels x texels):
 * - forward: the texture as rows [Th*Tw, B*C]; the covered pixels' taps are row gathers and a weighted
 *   sum ([P, B*C]); one scatterND places them in the zero image [B, H*W, C];
 * - backward (a custom gradient, exactly A^T): gatherND of dy at the covered pixels, then the transposed
 *   taps (texels x covered pixels, built on the first backward pass) the same way.
 * Only gather/gatherND/scatterND/mul/sum/transpose are used: every backend has them, and no
 * UnsortedSegmentSum (tf.gather's gradient) is needed.
 *
 * Holds no tensors until the first `apply`; `dispose()` frees them (the operator stays usable).
 */
export class SparseRenderOperator implements RenderOperator {
  readonly height: number;
  readonly width: number;
  readonly textureSize: readonly [number, number];
  /** float32 [H*W] in {0,1}: 1 where a face is visible. */
  readonly mask: Float32Array;
  /** The taps this operator was built from (for serialisation and CPU sampling). */
  readonly taps: TexelTaps;
  /** Covered pixels x texels. */
  private readonly matrix: CsrMatrix;
  private forward: GatherSumPlan | null = null;
  private backward: GatherSumPlan | null = null;
  /** int32 [B*P, 2] (batch item, pixel) index pairs of the covered pixels, per batch size. */
  private readonly pixelIndex = new Map<number, tf.Tensor2D>();

  constructor(taps: TexelTaps) {
    this.taps = taps;
    this.height = taps.height;
    this.width = taps.width;
    this.textureSize = taps.textureSize;
    const npix = taps.height * taps.width;
    const count = taps.pixels.length;
    const k = taps.tapsPerPixel;
    if (taps.taps.length !== count * k || taps.weights.length !== count * k) {
      throw new Error(`render operator: ${count} pixels need ${count * k} taps and weights`);
    }
    this.mask = new Float32Array(npix);
    for (let n = 0; n < count; n++) {
      const p = taps.pixels[n];
      if (p < 0 || p >= npix || (n > 0 && p <= taps.pixels[n - 1])) {
        throw new Error(`render operator: covered pixel indices must increase within 0..${npix - 1} (entry ${n} is ${p})`);
      }
      this.mask[p] = 1;
    }
    const ntex = taps.textureSize[0] * taps.textureSize[1];
    for (let e = 0; e < taps.taps.length; e++) {
      const t = taps.taps[e];
      if (t < 0 || t >= ntex) throw new Error(`render operator: tap ${e} reads texel ${t}, outside 0..${ntex - 1}`);
    }
    const rowPtr = Int32Array.from({ length: count + 1 }, (_, n) => n * k);
    this.matrix = { rows: count, cols: ntex, rowPtr, colIdx: taps.taps, values: taps.weights };
  }

  /** Number of covered pixels. */
  get coveredPixels(): number {
    return this.taps.pixels.length;
  }

  private pixelIndexFor(batch: number): tf.Tensor2D {
    let index = this.pixelIndex.get(batch);
    if (index === undefined) {
      const count = this.coveredPixels;
      const pairs = new Int32Array(batch * count * 2);
      for (let b = 0; b < batch; b++) {
        for (let n = 0; n < count; n++) {
          pairs[2 * (b * count + n)] = b;
          pairs[2 * (b * count + n) + 1] = this.taps.pixels[n];
        }
      }
      // Kept: a first apply inside tf.tidy must not dispose the operator's constants.
      index = tf.keep(tf.tensor2d(pairs, [batch * count, 2], 'int32'));
      this.pixelIndex.set(batch, index);
    }
    return index;
  }

  /**
   * @param texture float32 [B,Th,Tw,C] (C = 3 for RGB), Th x Tw = textureSize
   * @returns image float32 [B,H,W,C]; zero outside the mask. Differentiable w.r.t. `texture`; the
   *   gradient is exactly the transpose of the map.
   */
  apply(texture: tf.Tensor4D): tf.Tensor4D {
    const [th, tw] = this.textureSize;
    if (texture.rank !== 4 || texture.shape[1] !== th || texture.shape[2] !== tw) {
      throw new Error(
        `render operator expects a texture [B,${th},${tw},C], got [${texture.shape.join(',')}]: ` +
          'resize the texture to the size the operator was built for',
      );
    }
    const [batch, , , channels] = texture.shape;
    const { height, width } = this;
    const npix = height * width;
    const count = this.coveredPixels;
    if (count === 0) {
      // Nothing visible: the image is zero and so is the gradient.
      const empty = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
        value: tf.zeros([batch, height, width, channels]),
        gradFunc: () => tf.zerosLike(args[0] as tf.Tensor),
      }));
      return empty(texture) as tf.Tensor4D;
    }
    const forward = (this.forward ??= new GatherSumPlan(this.matrix));
    const index = this.pixelIndexFor(batch);
    const run = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const t = args[0] as tf.Tensor;
      const covered = fromRows(forward.multiply(toRows(t, batch, th * tw, channels)), batch, count, channels);
      const image = tf.scatterND(index, tf.reshape(covered, [batch * count, channels]), [batch, npix, channels]);
      return {
        value: tf.reshape(image, [batch, height, width, channels]),
        gradFunc: (dy: tf.Tensor) => {
          const backward = (this.backward ??= new GatherSumPlan(transposeCsr(this.matrix)));
          const dyCovered = tf.gatherND(tf.reshape(dy, [batch, npix, channels]), index);
          const g = backward.multiply(toRows(dyCovered, batch, count, channels));
          return tf.reshape(fromRows(g, batch, th * tw, channels), [batch, th, tw, channels]);
        },
      };
    });
    return run(texture) as tf.Tensor4D;
  }

  /** The mask as a new tensor float32 [1,H,W,1] (the caller disposes it). */
  maskTensor(): tf.Tensor4D {
    return tf.tensor4d(this.mask, [1, this.height, this.width, 1]);
  }

  /** Frees the tensors built by `apply`. */
  dispose(): void {
    this.forward?.dispose();
    this.backward?.dispose();
    this.pixelIndex.forEach((t) => t.dispose());
    this.pixelIndex.clear();
  }
}
