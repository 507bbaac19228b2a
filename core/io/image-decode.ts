import * as fs from 'fs';
import sharp from 'sharp';
import type { Metadata, OutputInfo, Sharp } from 'sharp';
import { tf } from '../backend/tf';
import { describeFsError } from './file-guard';
import { decodeBmp, looksLikeBmp, readBmpHeader } from './bmp-decode';
import { ImageError, tooManyPixels } from './image-error';
import { limit, raiseHint } from './limits';
import type { PixelBuffer, PixelRange } from './image-io';

/**
 * Formats retex decodes; others (GIF, HEIF, SVG, ...) are rejected with a hint to convert. TIFF and BMP are
 * stills: a multi-page TIFF gives its first page.
 */
export const SUPPORTED_IMAGE_FORMATS = ['jpeg', 'png', 'webp', 'tiff', 'bmp'] as const;
export type SupportedImageFormat = (typeof SUPPORTED_IMAGE_FORMATS)[number];


/** An RGB colour with 0..255 components. */
export type Rgb = readonly [number, number, number];

/**
 * How a decoded image is resized to `size`:
 * - `stretch`: scale each axis independently to exactly [H,W] (aspect ratio not kept);
 * - `pad`: scale uniformly so the whole image fits inside [H,W], centre it and fill the margins with
 *   `padColor` (letterboxing; aspect ratio kept, nothing cropped).
 */
export type ResizeFit = 'stretch' | 'pad';

/** Options of {@link readImage} and {@link decodeImage}. */
export interface DecodeImageOptions {
  /** Value range of the output tensor. Default `[-1,1]` (the method's network input range). */
  readonly range?: PixelRange;
  /** Output size [H, W]; omitted keeps the image's own size (after EXIF orientation). */
  readonly size?: readonly [number, number];
  /** How to reach `size`. Default `stretch`. */
  readonly fit?: ResizeFit;
  /** Margin colour for `fit: 'pad'`. Default black. */
  readonly padColor?: Rgb;
  /** `composite` blends transparent pixels over `background`; `drop` discards alpha. Default `composite`. */
  readonly alpha?: 'composite' | 'drop';
  /** Colour transparent pixels are composited over. Default white. */
  readonly background?: Rgb;
  /** Reject images with more stored pixels than this (decompression-bomb guard). Default 50 MP; Infinity = none. */
  readonly maxPixels?: number;
  /** Reject encoded inputs larger than this many bytes. Default 256 MiB; Infinity = none. */
  readonly maxBytes?: number;
  /** Name used in error messages for in-memory buffers; {@link readImage} passes the path. */
  readonly name?: string;
}

/** What {@link probeImage} finds in an image header without decoding the pixels. */
export interface ImageProbe {
  readonly format: SupportedImageFormat;
  /** Stored size, before EXIF orientation. */
  readonly width: number;
  readonly height: number;
  readonly hasAlpha: boolean;
}

const FORMAT_LABEL: Record<SupportedImageFormat, string> = {
  jpeg: 'JPEG',
  png: 'PNG',
  webp: 'WebP',
  tiff: 'TIFF',
  bmp: 'BMP',
};
const CONVERT_HINT = 'convert it to PNG, JPEG or WebP';

/** Identifies JPEG, PNG, WebP, TIFF and BMP by their magic bytes, whatever the file extension says. */
function sniffFormat(buf: Uint8Array): SupportedImageFormat | undefined {
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return 'jpeg';
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (buf.length >= 8 && png.every((b, i) => buf[i] === b)) return 'png';
  const ascii = (from: number, to: number) => String.fromCharCode(...buf.subarray(from, to));
  if (buf.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  // Little- and big-endian TIFF ("II*\0", "MM\0*"), and BigTIFF (42 -> 43), which libvips also reads.
  if (buf.length >= 4 && ['II*\0', 'MM\0*', 'II+\0', 'MM\0+'].includes(ascii(0, 4))) return 'tiff';
  // "BM" is only two bytes: a text file that happens to start with them is still a text file.
  if (looksLikeBmp(buf) && !looksLikeText(buf)) return 'bmp';
  return undefined;
}

function looksLikeText(buf: Uint8Array): boolean {
  const head = buf.subarray(0, 64);
  return head.length > 0 && head.every((c) => c === 9 || c === 10 || c === 13 || (c >= 32 && c < 127));
}

/** What data that is not an image looks like, without quoting it (a file's content never goes into an error). */
function describeNonImage(buf: Uint8Array): string {
  return looksLikeText(buf) ? 'it looks like a text file' : 'its first bytes match no image format';
}

function validateOptions(opts: DecodeImageOptions, name: string): void {
  const bad = (msg: string) => new ImageError('invalid-argument', `${name}: ${msg}`, opts.name);
  if (opts.range !== undefined && opts.range !== '[-1,1]' && opts.range !== '[0,1]') {
    throw bad(`range must be '[-1,1]' or '[0,1]', got '${String(opts.range)}'`);
  }
  if (opts.size !== undefined) {
    const [h, w] = opts.size;
    if (opts.size.length !== 2 || !Number.isInteger(h) || !Number.isInteger(w) || h < 1 || w < 1) {
      throw bad(`size must be [height, width] with positive integers, got [${opts.size.join(', ')}]`);
    }
  }
  if (opts.fit !== undefined && opts.fit !== 'stretch' && opts.fit !== 'pad') {
    throw bad(`fit must be 'stretch' or 'pad', got '${String(opts.fit)}'`);
  }
  if (opts.alpha !== undefined && opts.alpha !== 'composite' && opts.alpha !== 'drop') {
    throw bad(`alpha must be 'composite' or 'drop', got '${String(opts.alpha)}'`);
  }
  for (const [key, value] of [['maxPixels', opts.maxPixels], ['maxBytes', opts.maxBytes]] as const) {
    if (value !== undefined && !(value > 0)) {
      throw bad(`${key} must be a positive number (Infinity for no limit), got ${value}`);
    }
  }
}

async function probeBuffer(buf: Uint8Array, name: string, file: string | undefined, opts: DecodeImageOptions) {
  const maxBytes = opts.maxBytes ?? limit('imageBytes');
  if (buf.length === 0) {
    throw new ImageError('empty', `${name} is empty (0 bytes): the copy or download did not finish; get the image again`, file);
  }
  if (buf.length > maxBytes) {
    throw new ImageError(
      'too-large-file',
      `${name} is ${formatBytes(buf.length)}, over the ${formatBytes(maxBytes)} limit: ` +
        `shrink or re-compress the image, ${raiseHint('imageBytes')}`,
      file,
    );
  }
  const format = sniffFormat(buf);
  if (format === undefined) {
    // Not one of ours: let libvips say whether it is some other image format, for a precise message.
    const other = await sharp(buf).metadata().then((m) => m.format as string | undefined, () => undefined);
    if (other !== undefined) {
      throw new ImageError(
        'unsupported-format',
        `${name} is a ${other.toUpperCase()} image; retex reads PNG, JPEG, WebP, TIFF and BMP: ${CONVERT_HINT}`,
        file,
      );
    }
    throw new ImageError(
      'unsupported-format',
      `${name} is not a PNG, JPEG, WebP, TIFF or BMP image (${describeNonImage(buf)}): check that the path points ` +
        `to a photo, or ${CONVERT_HINT}`,
      file,
    );
  }
  const maxPixels = opts.maxPixels ?? limit('imagePixels');
  if (format === 'bmp') {
    // libvips has no BMP loader: our own header reader checks every field against the buffer.
    const bmp = readBmpHeader(buf, { name, file, maxPixels });
    return { format, width: bmp.width, height: bmp.height, hasAlpha: bmp.hasAlpha, maxPixels };
  }
  let meta: Metadata;
  try {
    // Header only, so no pixel limit here: the check below gives a clearer message than libvips's.
    // For a multi-page TIFF this is page 0, the page that is decoded.
    meta = await sharp(buf, { limitInputPixels: false, page: 0, pages: 1 }).metadata();
  } catch (err) {
    throw corrupt(name, file, format, err);
  }
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (width * height > maxPixels) throw tooManyPixels(name, file, width, height, maxPixels);
  return { format, width, height, hasAlpha: meta.hasAlpha === true, maxPixels };
}

function corrupt(name: string, file: string | undefined, format: SupportedImageFormat, err: unknown): ImageError {
  // libvips repeats its warnings line by line; keep each distinct line once.
  const why = [...new Set((err as Error).message.split('\n').map((l) => l.trim()).filter(Boolean))].join('; ');
  if (/pixel limit/i.test(why)) {
    return new ImageError('too-many-pixels', `${name} exceeds the pixel limit (${why}): downscale it first, ${raiseHint('imagePixels')}`, file, { cause: err });
  }
  return new ImageError(
    'corrupt',
    `${name} is a damaged or truncated ${FORMAT_LABEL[format]} file (${why}): it may have been cut off ` +
      `while downloading or copying; get a fresh copy or re-export it`,
    file,
    { cause: err },
  );
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}

/** Decodes to 8-bit RGB after every check (format, size limits, corruption). */
async function decodeRgb(
  buf: Uint8Array,
  name: string,
  file: string | undefined,
  opts: DecodeImageOptions,
): Promise<PixelBuffer> {
  validateOptions(opts, name);
  const probe = await probeBuffer(buf, name, file, opts);
  const rgb = (c: Rgb) => ({ r: c[0], g: c[1], b: c[2] });
  // failOn 'error': warnings (e.g. stray bytes after a JPEG's end) are common in real photos and harmless;
  // limitInputPixels backs up the header check above inside libvips itself.
  const limitInputPixels = Number.isFinite(probe.maxPixels) ? Math.max(1, Math.floor(probe.maxPixels)) : false;
  let pipeline: Sharp;
  let hasAlpha = probe.hasAlpha;
  if (probe.format === 'bmp') {
    // Decoded here, then handed to sharp as raw pixels so resizing and alpha work as for the other formats.
    const bmp = decodeBmp(buf, { name, file, maxPixels: probe.maxPixels });
    const { width, height, channels } = bmp;
    const pixels = Buffer.from(bmp.pixels.buffer, bmp.pixels.byteOffset, bmp.pixels.byteLength);
    pipeline = sharp(pixels, { raw: { width, height, channels }, limitInputPixels });
    hasAlpha = channels === 4;
  } else {
    // page 0 of a multi-page TIFF (and the first frame of an animated WebP), as libvips does by default.
    pipeline = sharp(buf, { failOn: 'error', limitInputPixels, page: 0, pages: 1 }).autoOrient();
  }
  if (hasAlpha) {
    pipeline =
      (opts.alpha ?? 'composite') === 'composite'
        ? pipeline.flatten({ background: rgb(opts.background ?? [255, 255, 255]) })
        : pipeline.removeAlpha();
  }
  if (opts.size !== undefined) {
    const [height, width] = opts.size;
    pipeline = pipeline.resize(width, height, {
      fit: (opts.fit ?? 'stretch') === 'pad' ? 'contain' : 'fill',
      position: 'centre',
      background: { ...rgb(opts.padColor ?? [0, 0, 0]), alpha: 1 },
    });
  }
  let raw: { data: Buffer; info: OutputInfo };
  try {
    raw = await pipeline.toColourspace('srgb').removeAlpha().raw().toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw corrupt(name, file, probe.format, err);
  }
  const { data, info } = raw;
  if (info.channels !== 3 || data.length !== info.width * info.height * 3) {
    throw new ImageError('corrupt', `${name}: decoder returned ${info.channels} channels, expected RGB`, file);
  }
  return { pixels: new Uint8Array(data.buffer, data.byteOffset, data.length), height: info.height, width: info.width, channels: 3 };
}

async function decodeBuffer(
  buf: Uint8Array,
  name: string,
  file: string | undefined,
  opts: DecodeImageOptions,
): Promise<tf.Tensor3D> {
  const { pixels, height, width } = await decodeRgb(buf, name, file, opts);
  const out = new Float32Array(pixels.length);
  if ((opts.range ?? '[-1,1]') === '[-1,1]') {
    for (let i = 0; i < pixels.length; i++) out[i] = pixels[i] / 127.5 - 1;
  } else {
    for (let i = 0; i < pixels.length; i++) out[i] = pixels[i] / 255;
  }
  return tf.tensor3d(out, [height, width, 3], 'float32');
}

/**
 * Decodes a PNG, JPEG, WebP, TIFF or BMP image held in memory (EXIF orientation applied; first page of a TIFF).
 * @returns float32 [H,W,3] RGB in `options.range` (default [-1,1]); the caller owns it.
 * @throws ImageError for empty, oversized, truncated, non-image or unsupported-format data.
 */
export async function decodeImage(buffer: Uint8Array, options: DecodeImageOptions = {}): Promise<tf.Tensor3D> {
  return decodeBuffer(buffer, options.name ?? 'image buffer', undefined, options);
}

async function readChecked(file: string, maxBytes: number): Promise<Buffer> {
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new ImageError('not-found', `image ${file} does not exist: check the path`, file, { cause: err });
    }
    throw new ImageError('unreadable', describeFsError(err, file, 'read image').message, file, { cause: err });
  }
  if (stat.isDirectory()) {
    throw new ImageError('invalid-argument', `${file} is a directory, not an image file`, file);
  }
  if (stat.size > maxBytes) {
    // Checked before reading so a huge file is never loaded into memory.
    throw new ImageError(
      'too-large-file',
      `${file} is ${formatBytes(stat.size)}, over the ${formatBytes(maxBytes)} limit: shrink or ` +
        `re-compress the image, ${raiseHint('imageBytes')}`,
      file,
    );
  }
  try {
    return await fs.promises.readFile(file);
  } catch (err) {
    throw new ImageError('unreadable', describeFsError(err, file, 'read image').message, file, { cause: err });
  }
}

/**
 * Reads and decodes a PNG, JPEG, WebP, TIFF or BMP file (see {@link DecodeImageOptions} for range, resizing
 * and alpha).
 * @returns float32 [H,W,3] RGB in `options.range` (default [-1,1]); the caller owns it.
 * @throws ImageError naming `file` for a missing, empty, oversized, truncated, non-image or unsupported file.
 */
export async function readImage(file: string, options: DecodeImageOptions = {}): Promise<tf.Tensor3D> {
  validateOptions(options, file);
  const buf = await readChecked(file, options.maxBytes ?? limit('imageBytes'));
  return decodeBuffer(buf, file, file, options);
}

/**
 * Decodes an image held in memory to 8-bit RGB pixels (no tensor, no backend needed), with the same checks
 * and options as {@link decodeImage} (`range` does not apply).
 */
export async function decodePixels(buffer: Uint8Array, options: DecodeImageOptions = {}): Promise<PixelBuffer> {
  const name = options.name ?? 'image buffer';
  validateOptions(options, name);
  return decodeRgb(buffer, name, undefined, options);
}

/**
 * Reads and decodes an image file to 8-bit RGB pixels (no tensor, no backend needed), with the same
 * checks and options as {@link readImage} (`range` does not apply).
 * @throws ImageError as readImage does.
 */
export async function readPixels(file: string, options: DecodeImageOptions = {}): Promise<PixelBuffer> {
  validateOptions(options, file);
  const buf = await readChecked(file, options.maxBytes ?? limit('imageBytes'));
  return decodeRgb(buf, file, file, options);
}

/** Reads only the header of an image file: format and stored size, with the same checks as {@link readImage}. */
export async function probeImage(
  file: string,
  options: Pick<DecodeImageOptions, 'maxPixels' | 'maxBytes'> = {},
): Promise<ImageProbe> {
  validateOptions(options, file);
  const buf = await readChecked(file, options.maxBytes ?? limit('imageBytes'));
  const { format, width, height, hasAlpha } = await probeBuffer(buf, file, file, options);
  return { format, width, height, hasAlpha };
}
