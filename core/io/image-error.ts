import { raiseHint } from './limits';
/** What went wrong with an image, so callers (the CLI) can react without parsing messages. */
export type ImageErrorKind =
  | 'not-found'
  | 'unreadable'
  | 'empty'
  | 'too-large-file'
  | 'too-many-pixels'
  | 'unsupported-format'
  | 'corrupt'
  | 'invalid-argument'
  | 'write-failed';

/**
 * An image could not be read or written. `message` names the file (when there is one) and says what
 * to do; it is meant to be printed to the user as is, without a stack trace.
 */
export class ImageError extends Error {
  override readonly name = 'ImageError';

  constructor(
    readonly kind: ImageErrorKind,
    message: string,
    /** The file concerned, or undefined for in-memory buffers. */
    readonly file?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The error for an image that declares more pixels than `maxPixels`, worded the same for every format.
 * @param name the file's path, or a name for an in-memory buffer
 */
export function tooManyPixels(name: string, file: string | undefined, width: number, height: number, maxPixels: number): ImageError {
  return new ImageError(
    'too-many-pixels',
    `${name} declares ${width}x${height} pixels (${((width * height) / 1e6).toFixed(1)} MP), over the ` +
      `${(maxPixels / 1e6).toFixed(1)} MP limit that guards against decompression bombs: downscale the ` +
      `image first, ${raiseHint('imagePixels')}`,
    file,
  );
}
