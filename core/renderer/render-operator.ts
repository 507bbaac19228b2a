import { tf } from '../backend/tf';
import type { RenderOperator } from '../interfaces/renderer';
import { GatherSumPlan, transposeCsr, type CsrMatrix } from './gather-sum-plan';
import type { TexelTaps } from './texel-taps';

/**
 * A fixed mesh's rendering as a sparse linear map A from texture to image (see `TexelTaps` for the UV ->
 * texel convention). `apply` evaluates A t with gathers; its gradient is A^T dy, evaluated the same way
 * with the transposed structure (built on the first backward pass), so it runs on every backend and
 * costs O(taps), never O(pixels x texels).
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
  private readonly matrix: CsrMatrix;
  private forward: GatherSumPlan | null = null;
  private backward: GatherSumPlan | null = null;

  constructor(taps: TexelTaps) {
    this.taps = taps;
    this.height = taps.height;
    this.width = taps.width;
    this.textureSize = taps.textureSize;
    const npix = taps.height * taps.width;
    this.mask = new Float32Array(npix);
    const k = taps.tapsPerPixel;
    const rowPtr = new Int32Array(npix + 1);
    for (let n = 0; n < taps.pixels.length; n++) {
      const p = taps.pixels[n];
      if (p < 0 || p >= npix || (n > 0 && p <= taps.pixels[n - 1])) {
        throw new Error(`render operator: covered pixel indices must increase within 0..${npix - 1} (entry ${n} is ${p})`);
      }
      this.mask[p] = 1;
      rowPtr[p + 1] = k;
    }
    for (let p = 0; p < npix; p++) rowPtr[p + 1] += rowPtr[p];
    const ntex = taps.textureSize[0] * taps.textureSize[1];
    for (let e = 0; e < taps.taps.length; e++) {
      const t = taps.taps[e];
      if (t < 0 || t >= ntex) throw new Error(`render operator: tap ${e} reads texel ${t}, outside 0..${ntex - 1}`);
    }
    this.matrix = { rows: npix, cols: ntex, rowPtr, colIdx: taps.taps, values: taps.weights };
  }

  /** Number of covered pixels. */
  get coveredPixels(): number {
    return this.taps.pixels.length;
  }

  /**
   * @param texture float32 [B,Th,Tw,C] (C = 3 for RGB), Th x Tw = textureSize
   * @returns float32 [B,H,W,C]; zero outside the mask. Differentiable w.r.t. `texture`.
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
    const forward = (this.forward ??= new GatherSumPlan(this.matrix));
    const run = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const t = args[0] as tf.Tensor;
      const flat = tf.reshape(t, [batch, th * tw, channels]) as tf.Tensor3D;
      const value = tf.reshape(forward.multiply(flat), [batch, height, width, channels]);
      return {
        value,
        gradFunc: (dy: tf.Tensor) => {
          const backward = (this.backward ??= new GatherSumPlan(transposeCsr(this.matrix)));
          const g = backward.multiply(tf.reshape(dy, [batch, height * width, channels]) as tf.Tensor3D);
          return tf.reshape(g, [batch, th, tw, channels]);
        },
      };
    });
    return run(texture) as tf.Tensor4D;
  }

  /** The mask as a new tensor float32 [1,H,W,1] (the caller disposes it). */
  maskTensor(): tf.Tensor4D {
    return tf.tensor4d(this.mask, [1, this.height, this.width, 1]);
  }

  /** Frees the index/weight tensors built by `apply`. */
  dispose(): void {
    this.forward?.dispose();
    this.backward?.dispose();
  }
}
