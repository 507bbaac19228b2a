import sharp from 'sharp';
import * as zlib from 'zlib';
import type { RgbImage } from './rgb-image';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** JPEG quality of synthetic images (the real data sets are JPEGs of about this quality). */
export const SYNTH_JPEG_QUALITY = 90;

/** Encodes an 8-bit RGB image as a baseline JPEG (deterministic for the same libvips build). */
export function encodeJpeg(image: RgbImage, quality = SYNTH_JPEG_QUALITY): Promise<Buffer> {
  const { height, width, pixels } = image;
  return sharp(Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength), { raw: { width, height, channels: 3 } })
    .jpeg({ quality, chromaSubsampling: '4:4:4' })
    .toBuffer();
}

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(data, zlib.crc32(head.subarray(4))) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/**
 * Encodes a single-channel 8-bit mask (e.g. 0 / 255) as a greyscale PNG, in-process: a mask is so small
 * that a libvips pipeline per file cost more than the rest of the image's work.
 */
export function encodeMaskPng(mask: Uint8Array, height: number, width: number): Buffer {
  if (mask.length !== height * width) throw new Error(`mask has ${mask.length} values, ${height}x${width} needs ${height * width}`);
  // Each scanline starts with filter type 0 (none): masks are flat runs that deflate well as they are.
  const raw = Buffer.alloc(height * (width + 1));
  for (let y = 0; y < height; y++) raw.set(mask.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', zlib.deflateSync(raw, { level: 6 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}
