/** What went wrong with a model or weights file, so callers can react without parsing messages. */
export type ModelFileErrorKind =
  | 'not-found'
  | 'malformed'
  | 'shard-missing'
  | 'shard-size'
  | 'weights-mismatch'
  | 'unsupported'
  | 'write-failed';

/**
 * A model (model.json + weight shards) or a retex weights file could not be read or written.
 * `message` names the file and says what to do; it is meant to be printed to the user as is.
 */
export class ModelFileError extends Error {
  override readonly name = 'ModelFileError';

  constructor(
    readonly kind: ModelFileErrorKind,
    message: string,
    /** The file concerned (model.json, a shard, a manifest). */
    readonly file?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
