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
