import { tf } from '../../backend/tf';
import type { Dataset, Sample } from '../../interfaces/dataset';

/** Decoded images of a split held in memory as 8-bit RGB, so training never decodes a file twice. */
export interface ImageStore {
  readonly size: readonly [number, number];
  readonly samples: readonly Sample[];
  /** uint8 [H*W*3] per sample, in `samples` order. */
  readonly pixels: readonly Uint8Array[];
}

/**
 * Decodes every sample through the data set (its crop and size rules), resized to `size`.
 * @throws naming the file when an image cannot be decoded.
 */
export async function loadImageStore(
  dataset: Dataset,
  samples: readonly Sample[],
  size: readonly [number, number],
  onProgress?: (done: number, total: number) => void,
): Promise<ImageStore> {
  const pixels: Uint8Array[] = [];
  for (const sample of samples) {
    let image: tf.Tensor3D;
    try {
      image = await dataset.loadImage(sample);
    } catch (err) {
      throw new Error(`cannot read training image ${sample.imagePath}: ${(err as Error).message}`);
    }
    const bytes = tf.tidy(() => {
      const resized =
        image.shape[0] === size[0] && image.shape[1] === size[1]
          ? image
          : tf.image.resizeBilinear(image, [size[0], size[1]], false, true);
      return tf.cast(tf.round(tf.clipByValue(tf.mul(tf.add(resized, 1), 127.5), 0, 255)), 'int32');
    });
    image.dispose();
    pixels.push(Uint8Array.from(bytes.dataSync()));
    bytes.dispose();
    onProgress?.(pixels.length, samples.length);
  }
  return { size, samples, pixels };
}
