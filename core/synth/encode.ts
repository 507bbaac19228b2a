import sharp from 'sharp';
import type { RgbImage } from './rgb-image';

/** JPEG quality of synthetic images (the real data sets are JPEGs of about this quality). */
export const SYNTH_JPEG_QUALITY = 90;

/** Encodes an 8-bit RGB image as a baseline JPEG (deterministic for the same libvips build). */
export function encodeJpeg(image: RgbImage, quality = SYNTH_JPEG_QUALITY): Promise<Buffer> {
  const { height, width, pixels } = image;
  return sharp(Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength), { raw: { width, height, channels: 3 } })
    .jpeg({ quality, chromaSubsampling: '4:4:4' })
    .toBuffer();
}

/** Encodes a single-channel 8-bit mask (e.g. 0 / 255) as a greyscale PNG. */
export function encodeMaskPng(mask: Uint8Array, height: number, width: number): Promise<Buffer> {
  if (mask.length !== height * width) throw new Error(`mask has ${mask.length} values, ${height}x${width} needs ${height * width}`);
  return sharp(Buffer.from(mask.buffer, mask.byteOffset, mask.byteLength), { raw: { width, height, channels: 1 } })
    .toColourspace('b-w')
    .png()
    .toBuffer();
}
