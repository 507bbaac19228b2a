import { bilinearAt } from '../../../core/photo/bilinear';
import { paddedCropWindow, type CropWindow } from '../../../core/photo/crop-window';

/** Margin around the bird's box on each side of the heading network's square crop, as a fraction of the box. */
export const HEADING_WINDOW_PADDING = 0.1;

/**
 * The heading network's view of a bird: the square around its box (padded by 10 % of the longer side
 * on each side), in the pixels of the image the box is given in. Training crops and the predictor's
 * crops are both framed by this, so the network sees birds at the scale it learnt.
 * @param box [x, y, width, height] pixels
 */
export function headingWindow(box: readonly [number, number, number, number]): CropWindow {
  return paddedCropWindow(box, [1, 1], HEADING_WINDOW_PADDING);
}

/**
 * Resamples `window` of an RGB image to size x size on the host: each output pixel averages n x n
 * bilinear samples (n grows with the downscale factor, at least 2), edges clamped (no fill colour, so a
 * window reaching past the photo shows its border continued, as the training crops do).
 * @param rgb float [H*W*3]
 * @returns float [size*size*3]
 */
export function cropPixels(rgb: ArrayLike<number>, height: number, width: number, window: CropWindow, size: number): Float32Array {
  const out = new Float32Array(size * size * 3);
  // Training crops are downscaled at most about 2.6x, so they always take 2 x 2 samples.
  const n = Math.max(2, Math.ceil(Math.max(window.width, window.height) / size / 1.5));
  // Pixel centres sit at integer + 0.5.
  const sample = (x: number, y: number, k: number): number => bilinearAt(rgb, height, width, 3, k, x - 0.5, y - 0.5);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      for (let k = 0; k < 3; k++) {
        let sum = 0;
        for (let i = 0; i < n; i++) {
          const sy = window.y + ((y + (i + 0.5) / n) * window.height) / size;
          for (let j = 0; j < n; j++) sum += sample(window.x + ((x + (j + 0.5) / n) * window.width) / size, sy, k);
        }
        out[3 * (y * size + x) + k] = sum / (n * n);
      }
    }
  }
  return out;
}
