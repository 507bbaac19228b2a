import { tf } from '../backend/tf';
import { composite } from '../renderer/composite';
import { encodePng, tensorToPixels } from '../io/image-io';
import type { LoadedItem } from '../prepare/prepared-set';

/** PNG bytes of one image's rendering (over the photo) and texture, for the comparison report. */
export interface SampleImages {
  readonly rendering: Uint8Array;
  readonly texture: Uint8Array;
}

async function png(t: tf.Tensor3D): Promise<Uint8Array> {
  const p = await tensorToPixels(t, '[-1,1]');
  return encodePng(p.pixels, p.height, p.width, 3);
}

/**
 * Each item's rendering of its texture over its photo and the texture itself, as PNG bytes.
 * @param photos float32 [B,H,W,3] in [-1,1]; textures float32 [B,Th,Tw,3] in [-1,1] (not disposed)
 */
export async function sampleImages(photos: tf.Tensor4D, textures: tf.Tensor4D, items: readonly LoadedItem[]): Promise<SampleImages[]> {
  const out: SampleImages[] = [];
  for (const [i, item] of items.entries()) {
    const [rendering, texture] = tf.tidy(() => {
      const photo = tf.slice(photos, [i, 0, 0, 0], [1, -1, -1, -1]) as tf.Tensor4D;
      const tex = tf.slice(textures, [i, 0, 0, 0], [1, -1, -1, -1]) as tf.Tensor4D;
      const m = item.renderOperator.maskTensor();
      const over = composite(item.renderOperator.apply(tex), m, photo);
      return [tf.squeeze(over, [0]) as tf.Tensor3D, tf.squeeze(tex, [0]) as tf.Tensor3D];
    });
    try {
      out.push({ rendering: await png(rendering), texture: await png(texture) });
    } finally {
      tf.dispose([rendering, texture]);
    }
  }
  return out;
}

/** A photo (uint8 [H*W*3]) as PNG bytes. */
export function photoPng(pixels: Uint8Array, size: readonly [number, number]): Promise<Uint8Array> {
  return encodePng(pixels, size[0], size[1], 3);
}
