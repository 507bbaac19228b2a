import { constants as bufferConstants } from 'buffer';
import { ImageError, tooManyPixels } from './image-error';

/**
 * A small Windows BMP decoder: libvips (and so sharp) cannot read BMP, and BMP is common among
 * photos exported from older tools and data sets.
 *
 * Reads the OS/2 1.x core header (12 bytes) and BITMAPINFOHEADER with its later versions (V2, V3, V4, V5);
 * 1-, 2-, 4- and 8-bit palettes; 16-, 24- and 32-bit pixels, uncompressed or with BI_BITFIELDS /
 * BI_ALPHABITFIELDS colour masks (alpha from the mask when there is one); bottom-up and top-down rows.
 * RLE, embedded JPEG/PNG and CMYK BMPs are rejected with a hint to convert them.
 *
 * Every header field is checked against the buffer before anything is allocated, so a truncated or lying
 * file fails with ImageError `corrupt` (never a RangeError or a huge allocation).
 */

/** Options of {@link readBmpHeader} and {@link decodeBmp}. */
export interface BmpDecodeOptions {
  /** Name used in error messages (the path for files). Default `BMP buffer`. */
  readonly name?: string;
  /** The file concerned, recorded on ImageError; undefined for in-memory buffers. */
  readonly file?: string;
  /** Reject images with more pixels than this before allocating them. Default: no limit. */
  readonly maxPixels?: number;
}

/** A colour mask of a 16/24/32-bit BMP: the value is `(pixel & mask) >>> shift`, `bits` wide. */
interface ChannelMask {
  readonly mask: number;
  readonly shift: number;
  readonly bits: number;
}

/** What the headers of a BMP file declare, checked against the buffer's length. */
export interface BmpHeader {
  readonly width: number;
  /** Always positive; see `topDown` for the row order. */
  readonly height: number;
  /** Rows stored first-to-last (negative height in the file) rather than bottom-up. */
  readonly topDown: boolean;
  readonly bitsPerPixel: 1 | 2 | 4 | 8 | 16 | 24 | 32;
  /** Bytes of the DIB header (12 core, 40 info, 52/56 V2/V3, 64 OS/2 2.x, 108 V4, 124 V5). */
  readonly headerSize: number;
  /** Whether the pixels carry an alpha channel (an alpha mask). A decoded image whose alpha is 0 everywhere is opaque. */
  readonly hasAlpha: boolean;
  /** Offset of the first stored row in the buffer. */
  readonly dataOffset: number;
  /** Bytes per stored row, padded to a multiple of 4. */
  readonly rowStride: number;
  /** RGB triples (3 bytes per entry) for 1..8-bit images. */
  readonly palette?: Uint8Array;
  /** Colour masks for 16..32-bit images. */
  readonly masks?: { readonly r: ChannelMask; readonly g: ChannelMask; readonly b: ChannelMask; readonly a?: ChannelMask };
}

/** Decoded BMP pixels: interleaved 8-bit RGB, or RGBA when the file has a (non-empty) alpha channel. */
export interface DecodedBmp {
  /** uint8, length height*width*channels, row-major from the top row. */
  readonly pixels: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels: 3 | 4;
}

const FILE_HEADER_SIZE = 14;
const INFO_HEADER_SIZES = new Set([40, 52, 56, 64, 108, 124]);
const CORE_HEADER_SIZE = 12;
const OS2_V2_HEADER_SIZE = 64;

const BI_RGB = 0;
const BI_RLE8 = 1;
const BI_RLE4 = 2;
const BI_BITFIELDS = 3;
const BI_JPEG = 4;
const BI_PNG = 5;
const BI_ALPHABITFIELDS = 6;
const BI_CMYK = 11;
const BI_CMYKRLE4 = 13;

/** Whether `buf` starts with the BMP signature "BM"; {@link readBmpHeader} checks the rest. */
export function looksLikeBmp(buf: Uint8Array): boolean {
  return buf.length >= 2 && buf[0] === 0x42 && buf[1] === 0x4d;
}

function u16(buf: Uint8Array, at: number): number {
  return buf[at] | (buf[at + 1] << 8);
}

function u32(buf: Uint8Array, at: number): number {
  return (buf[at] | (buf[at + 1] << 8) | (buf[at + 2] << 16) | (buf[at + 3] << 24)) >>> 0;
}

function i32(buf: Uint8Array, at: number): number {
  return buf[at] | (buf[at + 1] << 8) | (buf[at + 2] << 16) | (buf[at + 3] << 24);
}

function corrupt(opts: BmpDecodeOptions, why: string): ImageError {
  return new ImageError(
    'corrupt',
    `${opts.name ?? 'BMP buffer'} is a damaged or truncated BMP file (${why}): it may have been cut off while ` +
      `downloading or copying; get a fresh copy or re-export it`,
    opts.file,
  );
}

function unsupported(opts: BmpDecodeOptions, what: string): ImageError {
  return new ImageError(
    'unsupported-format',
    `${opts.name ?? 'BMP buffer'} is ${what}, which retex does not read: convert it to PNG`,
    opts.file,
  );
}

function channelMask(mask: number, bitsPerPixel: number, what: string, opts: BmpDecodeOptions): ChannelMask | undefined {
  if (mask === 0) return undefined;
  if (bitsPerPixel < 32 && mask >= 2 ** bitsPerPixel) {
    throw corrupt(opts, `${what} colour mask 0x${mask.toString(16)} does not fit in ${bitsPerPixel}-bit pixels`);
  }
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  const run = mask >>> shift;
  // A contiguous run of ones is one less than a power of two.
  if ((run & (run + 1)) !== 0) throw corrupt(opts, `${what} colour mask 0x${mask.toString(16)} is not contiguous`);
  return { mask, shift, bits: Math.log2(run + 1) };
}

/**
 * Reads and checks the headers of a BMP file (no pixel decoding, no allocation beyond the palette).
 * @throws ImageError `corrupt` for a truncated or inconsistent header, `unsupported-format` for RLE, embedded
 *   JPEG/PNG or CMYK BMPs, `too-many-pixels` over `options.maxPixels`.
 */
export function readBmpHeader(buf: Uint8Array, options: BmpDecodeOptions = {}): BmpHeader {
  if (!looksLikeBmp(buf)) throw corrupt(options, 'it does not start with "BM"');
  if (buf.length < FILE_HEADER_SIZE + 4) throw corrupt(options, `only ${buf.length} bytes, too short for the BMP headers`);
  const headerSize = u32(buf, 14);
  const isCore = headerSize === CORE_HEADER_SIZE;
  if (!isCore && !INFO_HEADER_SIZES.has(headerSize)) {
    throw corrupt(options, `unknown BMP header size ${headerSize}`);
  }
  const headerEnd = FILE_HEADER_SIZE + headerSize;
  if (buf.length < headerEnd) {
    throw corrupt(options, `the ${headerSize}-byte header needs ${headerEnd} bytes but the file has ${buf.length}`);
  }
  const dataOffset = u32(buf, 10);

  let width: number;
  let signedHeight: number;
  let planes: number;
  let bpp: number;
  let compression = BI_RGB;
  let colorsUsed = 0;
  if (isCore) {
    width = u16(buf, 18);
    signedHeight = u16(buf, 20);
    planes = u16(buf, 22);
    bpp = u16(buf, 24);
  } else {
    width = i32(buf, 18);
    signedHeight = i32(buf, 22);
    planes = u16(buf, 26);
    bpp = u16(buf, 28);
    compression = u32(buf, 30);
    colorsUsed = u32(buf, 46);
  }

  // Compression first: an RLE file deserves "convert it", not a complaint about its other fields.
  if (headerSize === OS2_V2_HEADER_SIZE && (compression === 3 || compression === 4)) {
    throw unsupported(options, `an OS/2 ${compression === 3 ? 'Huffman' : 'RLE24'}-compressed BMP`);
  }
  if (compression === BI_RLE8 || compression === BI_RLE4) throw unsupported(options, 'an RLE-compressed BMP');
  if (headerSize === OS2_V2_HEADER_SIZE && compression !== BI_RGB) throw corrupt(options, `unknown compression ${compression}`);
  if (compression === BI_JPEG || compression === BI_PNG) {
    throw unsupported(options, `a BMP wrapping a ${compression === BI_JPEG ? 'JPEG' : 'PNG'} image`);
  }
  if (compression >= BI_CMYK && compression <= BI_CMYKRLE4) throw unsupported(options, 'a CMYK BMP');
  if (compression !== BI_RGB && compression !== BI_BITFIELDS && compression !== BI_ALPHABITFIELDS) {
    throw corrupt(options, `unknown compression ${compression}`);
  }
  const bitfields = compression !== BI_RGB;

  if (planes !== 1) throw corrupt(options, `${planes} colour planes, expected 1`);
  const validBpp = bitfields ? [16, 24, 32] : isCore ? [1, 2, 4, 8, 24] : [1, 2, 4, 8, 16, 24, 32];
  if (!validBpp.includes(bpp)) {
    throw corrupt(options, `${bpp} bits per pixel is not valid${bitfields ? ' with colour masks' : ''}`);
  }
  if (width <= 0) throw corrupt(options, `width ${width}`);
  if (signedHeight === 0 || signedHeight === -0x80000000) throw corrupt(options, `height ${signedHeight}`);
  const topDown = signedHeight < 0;
  const height = Math.abs(signedHeight);

  // Before the data check, so a bomb (a tiny file declaring huge dimensions) reads as one.
  const maxPixels = options.maxPixels ?? Infinity;
  if (width * height > maxPixels) throw tooManyPixels(options.name ?? 'BMP buffer', options.file, width, height, maxPixels);

  let palette: Uint8Array | undefined;
  let masks: BmpHeader['masks'];
  let hasAlpha = false;
  if (bpp <= 8) {
    const entrySize = isCore ? 3 : 4;
    // colorsUsed may exceed 2^bpp in lying files; only the reachable entries are read.
    const entries = Math.min(colorsUsed === 0 ? 2 ** bpp : colorsUsed, 2 ** bpp);
    const end = headerEnd + entries * entrySize;
    if (end > buf.length) {
      throw corrupt(options, `the ${entries}-colour palette ends at byte ${end} but the file has ${buf.length}`);
    }
    palette = new Uint8Array(entries * 3);
    for (let i = 0; i < entries; i++) {
      const at = headerEnd + i * entrySize;
      palette[i * 3] = buf[at + 2];
      palette[i * 3 + 1] = buf[at + 1];
      palette[i * 3 + 2] = buf[at];
    }
  } else if (bitfields || bpp !== 24) {
    let r: number;
    let g: number;
    let b: number;
    let a = 0;
    if (bitfields) {
      // A 40-byte header is followed by the masks; V2+ headers hold them at the same place.
      const count = compression === BI_ALPHABITFIELDS || headerSize >= 56 ? 4 : 3;
      const end = FILE_HEADER_SIZE + 40 + count * 4;
      if (end > buf.length) throw corrupt(options, `the colour masks end at byte ${end} but the file has ${buf.length}`);
      [r, g, b] = [u32(buf, 54), u32(buf, 58), u32(buf, 62)];
      if (count === 4) a = u32(buf, 66);
    } else if (bpp === 16) {
      [r, g, b] = [0x7c00, 0x03e0, 0x001f];
    } else {
      [r, g, b] = [0x00ff0000, 0x0000ff00, 0x000000ff];
      // Uncompressed 32-bit: the fourth byte is padding unless a V3+ header names it alpha.
      if (headerSize >= 56 && headerSize !== OS2_V2_HEADER_SIZE) a = u32(buf, 66);
    }
    const rm = channelMask(r, bpp, 'red', options);
    const gm = channelMask(g, bpp, 'green', options);
    const bm = channelMask(b, bpp, 'blue', options);
    const am = channelMask(a, bpp, 'alpha', options);
    const none: ChannelMask = { mask: 0, shift: 0, bits: 0 };
    masks = { r: rm ?? none, g: gm ?? none, b: bm ?? none, a: am };
    hasAlpha = am !== undefined;
  }

  // width*bpp may exceed 2^32: plain arithmetic, no bitwise operators, on sizes.
  const rowStride = Math.floor((width * bpp + 31) / 32) * 4;
  const lastRow = Math.ceil((width * bpp) / 8);
  if (dataOffset < headerEnd || dataOffset >= buf.length) {
    throw corrupt(options, `pixel data offset ${dataOffset} is outside the file (${buf.length} bytes)`);
  }
  // The last row's padding is often left out by writers, so it is not required.
  const needed = rowStride * (height - 1) + lastRow;
  if (dataOffset + needed > buf.length) {
    throw corrupt(
      options,
      `${width}x${height} pixels at ${bpp} bits need ${needed} bytes from offset ${dataOffset} but the file has ` +
        `${buf.length}`,
    );
  }
  return {
    width,
    height,
    topDown,
    bitsPerPixel: bpp as BmpHeader['bitsPerPixel'],
    headerSize,
    hasAlpha,
    dataOffset,
    rowStride,
    palette,
    masks,
  };
}

/** Lookup from an n-bit channel value to 0..255 (n < 8 scales up; n >= 8 keeps the top 8 bits). */
function channelScale(m: ChannelMask | undefined): (v: number) => number {
  if (m === undefined || m.bits === 0) return () => 0;
  if (m.bits >= 8) {
    const drop = m.bits - 8;
    return (v) => v >>> drop;
  }
  const max = 2 ** m.bits - 1;
  const lut = Uint8Array.from({ length: max + 1 }, (_, v) => Math.round((v * 255) / max));
  return (v) => lut[v];
}

/**
 * Decodes a BMP file to 8-bit RGB, or RGBA when it has an alpha channel that is not 0 everywhere (files
 * whose alpha byte is all zeros are padding written as "alpha" and are opaque).
 * @returns pixels from the top row down, whatever the file's row order.
 * @throws ImageError as {@link readBmpHeader} does.
 */
export function decodeBmp(buf: Uint8Array, options: BmpDecodeOptions = {}): DecodedBmp {
  const h = readBmpHeader(buf, options);
  const { width, height, bitsPerPixel: bpp, rowStride } = h;
  const channels = h.hasAlpha ? 4 : 3;
  if (width * height * channels > bufferConstants.MAX_LENGTH) {
    throw new ImageError(
      'too-many-pixels',
      `${options.name ?? 'BMP buffer'} declares ${width}x${height} pixels, more than one buffer can hold: downscale it`,
      options.file,
    );
  }
  const out = new Uint8Array(width * height * channels);
  let anyAlpha = false;
  const rowStart = (y: number) => h.dataOffset + (h.topDown ? y : height - 1 - y) * rowStride;

  if (h.palette !== undefined) {
    const pal = h.palette;
    const entries = pal.length / 3;
    const perByte = 8 / bpp;
    const indexMask = (1 << bpp) - 1;
    for (let y = 0; y < height; y++) {
      const row = rowStart(y);
      let o = y * width * 3;
      for (let x = 0; x < width; x++, o += 3) {
        const byte = buf[row + Math.floor(x / perByte)];
        // Pixels are packed from the most significant bits of each byte.
        const index = (byte >> (8 - bpp * ((x % perByte) + 1))) & indexMask;
        // An index past a short palette is black, as browsers draw it.
        if (index < entries) {
          out[o] = pal[index * 3];
          out[o + 1] = pal[index * 3 + 1];
          out[o + 2] = pal[index * 3 + 2];
        }
      }
    }
  } else if (h.masks === undefined) {
    // Uncompressed 24-bit, stored B, G, R.
    for (let y = 0; y < height; y++) {
      let i = rowStart(y);
      let o = y * width * 3;
      for (let x = 0; x < width; x++, i += 3, o += 3) {
        out[o] = buf[i + 2];
        out[o + 1] = buf[i + 1];
        out[o + 2] = buf[i];
      }
    }
  } else {
    const { r, g, b, a } = h.masks;
    const [sr, sg, sb] = [channelScale(r), channelScale(g), channelScale(b)];
    const sa = channelScale(a);
    const bytes = bpp / 8;
    for (let y = 0; y < height; y++) {
      let i = rowStart(y);
      let o = y * width * channels;
      for (let x = 0; x < width; x++, i += bytes, o += channels) {
        const px =
          bytes === 2 ? u16(buf, i) : bytes === 3 ? buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) : u32(buf, i);
        out[o] = sr((px & r.mask) >>> r.shift);
        out[o + 1] = sg((px & g.mask) >>> g.shift);
        out[o + 2] = sb((px & b.mask) >>> b.shift);
        if (a !== undefined) {
          const alpha = sa((px & a.mask) >>> a.shift);
          out[o + 3] = alpha;
          if (alpha !== 0) anyAlpha = true;
        }
      }
    }
  }

  if (channels === 4 && !anyAlpha) {
    const rgb = new Uint8Array(width * height * 3);
    for (let p = 0, q = 0; q < rgb.length; p += 4, q += 3) {
      rgb[q] = out[p];
      rgb[q + 1] = out[p + 1];
      rgb[q + 2] = out[p + 2];
    }
    return { pixels: rgb, width, height, channels: 3 };
  }
  return { pixels: out, width, height, channels };
}
