import type { HostBatch } from '../../../core/train/train-task';
import type { TextureClassifierTaskOptions } from '../../../core/train/texture-classifier-task';
import { randomArray } from '../../helpers/tensors';

/** A tiny version of the benchmark task: U-Net 4..32 channels on 32x16 images, 10 classes. */
export const TINY_TASK: TextureClassifierTaskOptions = {
  unet: { width: 1 / 16, inputSize: [32, 16], textureSize: [16, 16] },
  classifier: { width: 1 / 16, numClasses: 10, inputSize: [16, 16] },
};

/** The same with square images (the cpu backend's resize gradient fails on non-square images). */
export const TINY_SQUARE_TASK: TextureClassifierTaskOptions = {
  unet: { width: 1 / 16, inputSize: [16, 16], textureSize: [8, 8] },
  classifier: { width: 1 / 16, numClasses: 10, inputSize: [8, 8] },
};

/** A deterministic batch: images in [-1,1) and labels in [0,10). */
export function tinyBatch(n: number, h = 32, w = 16, seed = 3): HostBatch {
  return {
    images: { values: randomArray(n * h * w * 3, seed), shape: [n, h, w, 3], dtype: 'float32' },
    labels: { values: Int32Array.from({ length: n }, (_, i) => (i * 7 + seed) % 10), shape: [n], dtype: 'int32' },
  };
}
