import sharp from 'sharp';
import { tf } from '../backend/tf';
import { writeFileAtomic } from './atomic-write';
import { ImageError } from './image-error';

/** Value range of float image tensors: `[-1,1]` is the method's network input range. */
export type PixelRange = '[-1,1]' | '[0,1]';

/** Interleaved 8-bit pixels, row-major, `channels` values per pixel. */
export interface PixelBuffer {
  readonly pixels: Uint8Array;
  readonly height: number;
  readonly width: number;
  readonly channels: 3 | 4;
}

function checkRaw(pixels: Uint8Array, height: number, width: number, channels: number): void {
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 1 || width < 1) {
    throw new ImageError('invalid-argument', `image size must be positive integers, got ${height}x${width}`);
  }
  if (channels !== 3 && channels !== 4) {
    throw new ImageError('invalid-argument', `PNG pixels must have 3 (RGB) or 4 (RGBA) channels, got ${channels}`);
  }
  const expected = height * width * channels;
  if (pixels.length !== expected) {
    throw new ImageError(
      'invalid-argument',
      `pixel buffer has ${pixels.length} bytes but ${height}x${width}x${channels} needs ${expected}`,
    );
  }
}

/**
 * Encodes interleaved 8-bit pixels as a PNG (lossless, so decoding gives the same bytes back).
 * @param pixels uint8, length height*width*channels, row-major RGB or RGBA
 */
export async function encodePng(
  pixels: Uint8Array,
  height: number,
  width: number,
  channels: 3 | 4,
): Promise<Buffer> {
  checkRaw(pixels, height, width, channels);
  const input = Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  return sharp(input, { raw: { width, height, channels } }).png().toBuffer();
}

/** Encodes as PNG ({@link encodePng}) and writes atomically, creating parent directories. */
export async function writePng(
  file: string,
  pixels: Uint8Array,
  height: number,
  width: number,
  channels: 3 | 4,
): Promise<void> {
  const png = await encodePng(pixels, height, width, channels);
  try {
    await writeFileAtomic(file, png);
  } catch (err) {
    throw new ImageError('write-failed', (err as Error).message, file, { cause: err });
  }
}

/**
 * Converts a float image tensor to 8-bit pixels: values are clipped to `range`, mapped linearly to
 * 0..255 and rounded. Does not dispose `image`.
 * @param image float32 [H,W,3] or [H,W,4] (a leading batch of 1, [1,H,W,C], is accepted too)
 * @param range the value range of `image`; default `[0,1]`
 */
export async function tensorToPixels(image: tf.Tensor, range: PixelRange = '[0,1]'): Promise<PixelBuffer> {
  const shape = image.rank === 4 && image.shape[0] === 1 ? image.shape.slice(1) : image.shape;
  if (shape.length !== 3 || (shape[2] !== 3 && shape[2] !== 4)) {
    throw new ImageError(
      'invalid-argument',
      `expected an image tensor [H,W,3] or [H,W,4], got shape [${image.shape.join(',')}]`,
    );
  }
  const [height, width, channels] = shape as [number, number, 3 | 4];
  const bytes = tf.tidy(() => {
    const x = image.toFloat();
    const unit = range === '[-1,1]' ? x.add(1).mul(0.5) : x;
    return unit.clipByValue(0, 1).mul(255).round().toInt();
  });
  try {
    const data = await bytes.data();
    return { pixels: Uint8Array.from(data), height, width, channels };
  } finally {
    bytes.dispose();
  }
}

/**
 * Writes a float image tensor as a PNG file (atomic). Does not dispose `image`.
 * @param image float32 [H,W,3|4] (or [1,H,W,3|4]) in `range`
 */
export async function writeTensorPng(file: string, image: tf.Tensor, range: PixelRange = '[0,1]'): Promise<void> {
  const { pixels, height, width, channels } = await tensorToPixels(image, range);
  await writePng(file, pixels, height, width, channels);
}
