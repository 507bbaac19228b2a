import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { jsonErrorWhere, resolveInside } from './file-guard';
import { tf } from '../backend/tf';
import { writeFileAtomic } from './atomic-write';
import { ModelFileError } from './model-file-error';
import { toArrayBuffer, totalWeightBytes } from './weight-bytes';

/** `format` field of retex weight manifests, so a random JSON file is not mistaken for one. */
export const WEIGHTS_FORMAT = 'retex-weights';
export const WEIGHTS_FORMAT_VERSION = 1;
/** Default file stem: `<dir>/tensors.json` + `<dir>/tensors.bin` (distinct from a layers model's files). */
export const DEFAULT_WEIGHTS_STEM = 'tensors';

/** The JSON half of a retex weights file. */
export interface WeightsManifest {
  readonly format: typeof WEIGHTS_FORMAT;
  readonly version: number;
  /** Name of the .bin file, relative to the manifest. */
  readonly data: string;
  /** Byte length of the .bin file. */
  readonly byteLength: number;
  /** Names, shapes and dtypes in the order their bytes appear in the .bin file. */
  readonly weights: tf.io.WeightsManifestEntry[];
  /** Whatever the caller saved alongside (e.g. the generator config, the epoch). */
  readonly metadata?: Record<string, unknown>;
}

/** What a caller expects to find: a name and a shape (dtype optional, float32 by convention). */
export interface ExpectedWeight {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype?: tf.DataType;
}

export interface SaveWeightsOptions {
  /** File stem; default `tensors`. */
  readonly stem?: string;
  /** Stored in the manifest and returned by {@link readWeightsManifest}. Must be JSON-serialisable. */
  readonly metadata?: Record<string, unknown>;
}

export interface LoadWeightsOptions {
  readonly stem?: string;
  /** With `expected`, accept tensors in the file that the caller did not ask for. Default false. */
  readonly allowUnexpected?: boolean;
}

function paths(dir: string, stem: string): { json: string } {
  return { json: path.join(dir, `${stem}.json`) };
}

/** The data file is named by its content, so a new save never overwrites the file a manifest points at. */
function dataFileName(stem: string, data: Uint8Array): string {
  return `${stem}-${createHash('sha256').update(data).digest('hex').slice(0, 16)}.bin`;
}

/**
 * Saves named tensors as `<dir>/<stem>.json` (manifest) + `<dir>/<stem>-<content hash>.bin` (raw
 * little-endian data), each written atomically, the data first: a reader (or a crash) sees the old or the
 * new manifest, each pointing at a complete data file. Data files of earlier saves are removed last.
 * Does not dispose the tensors.
 */
export async function saveWeights(
  dir: string,
  tensors: tf.NamedTensorMap | ReadonlyArray<{ name: string; tensor: tf.Tensor }>,
  options: SaveWeightsOptions = {},
): Promise<WeightsManifest> {
  const stem = options.stem ?? DEFAULT_WEIGHTS_STEM;
  const { json } = paths(dir, stem);
  const list = Array.isArray(tensors) ? tensors : Object.entries(tensors).map(([name, tensor]) => ({ name, tensor }));
  const seen = new Set<string>();
  for (const { name } of list) {
    if (seen.has(name)) throw new ModelFileError('weights-mismatch', `cannot save ${json}: tensor name '${name}' appears twice`, json);
    seen.add(name);
  }
  const { data, specs } = await tf.io.encodeWeights(list);
  const bytes = new Uint8Array(data);
  const binName = dataFileName(stem, bytes);
  const manifest: WeightsManifest = {
    format: WEIGHTS_FORMAT,
    version: WEIGHTS_FORMAT_VERSION,
    data: binName,
    byteLength: data.byteLength,
    weights: specs,
    ...(options.metadata !== undefined && { metadata: options.metadata }),
  };
  try {
    await writeFileAtomic(path.join(dir, binName), bytes);
    await writeFileAtomic(json, JSON.stringify(manifest, null, 1));
  } catch (err) {
    throw new ModelFileError('write-failed', (err as Error).message, json, { cause: err });
  }
  const stale = new RegExp(`^${stem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-[0-9a-f]{16}\\.bin$`);
  for (const f of await fs.promises.readdir(dir)) {
    if (stale.test(f) && f !== binName) await fs.promises.rm(path.join(dir, f), { force: true });
  }
  return manifest;
}

/** Reads and checks the manifest of a retex weights file (no tensors are created). */
export async function readWeightsManifest(dir: string, stem = DEFAULT_WEIGHTS_STEM): Promise<WeightsManifest> {
  const { json } = paths(dir, stem);
  let text: string;
  try {
    text = await fs.promises.readFile(json, 'utf8');
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new ModelFileError(
      'not-found',
      missing
        ? `weights manifest ${json} does not exist: point to the directory the weights were saved in`
        : `cannot read weights manifest ${json}: ${(err as Error).message}`,
      json,
      { cause: err },
    );
  }
  let parsed: Partial<WeightsManifest>;
  try {
    parsed = JSON.parse(text) as Partial<WeightsManifest>;
  } catch (err) {
    throw new ModelFileError(
      'malformed',
      `weights manifest ${json} is not valid JSON ${jsonErrorWhere(err)}: the file is damaged; save the weights again`,
      json,
      { cause: err },
    );
  }
  if (parsed === null || typeof parsed !== 'object' || parsed.format !== WEIGHTS_FORMAT) {
    throw new ModelFileError('malformed', `${json} is not a retex weights manifest (format is not '${WEIGHTS_FORMAT}')`, json);
  }
  if ((parsed.version ?? 0) > WEIGHTS_FORMAT_VERSION) {
    throw new ModelFileError(
      'unsupported',
      `${json} has weights format version ${parsed.version}; this retex reads up to ${WEIGHTS_FORMAT_VERSION}: upgrade retex`,
      json,
    );
  }
  if (!Array.isArray(parsed.weights) || typeof parsed.data !== 'string' || typeof parsed.byteLength !== 'number') {
    throw new ModelFileError('malformed', `weights manifest ${json} lacks "weights", "data" or "byteLength"`, json);
  }
  return parsed as WeightsManifest;
}

function checkExpected(
  json: string,
  specs: readonly tf.io.WeightsManifestEntry[],
  expected: readonly ExpectedWeight[],
  allowUnexpected: boolean,
): void {
  const found = new Map(specs.map((s) => [s.name, s]));
  const problems: string[] = [];
  for (const want of expected) {
    const have = found.get(want.name);
    if (have === undefined) {
      problems.push(`'${want.name}' is missing (expected shape [${want.shape.join(',')}])`);
    } else if (have.shape.length !== want.shape.length || have.shape.some((d, i) => d !== want.shape[i])) {
      problems.push(`'${want.name}' has shape [${have.shape.join(',')}], expected [${want.shape.join(',')}]`);
    } else if (want.dtype !== undefined && have.dtype !== want.dtype) {
      problems.push(`'${want.name}' has dtype ${have.dtype}, expected ${want.dtype}`);
    }
  }
  if (!allowUnexpected) {
    const wanted = new Set(expected.map((e) => e.name));
    for (const s of specs) if (!wanted.has(s.name)) problems.push(`'${s.name}' is not expected`);
  }
  if (problems.length > 0) {
    throw new ModelFileError(
      'weights-mismatch',
      `weights in ${json} do not match the model: ${problems.join('; ')}. They were probably saved by a ` +
        `different model configuration: use the matching config, or retrain`,
      json,
    );
  }
}

/**
 * Loads tensors saved by {@link saveWeights}. With `expected`, checks names, shapes (and dtypes, when
 * given) before creating any tensor, and lists every mismatch in one error.
 * @returns the tensors by name; the caller owns (and disposes) them
 * @throws ModelFileError: missing/malformed manifest, missing or wrong-length .bin, or a mismatch
 */
export async function loadWeights(
  dir: string,
  expected?: readonly ExpectedWeight[],
  options: LoadWeightsOptions = {},
): Promise<tf.NamedTensorMap> {
  const stem = options.stem ?? DEFAULT_WEIGHTS_STEM;
  const manifest = await readWeightsManifest(dir, stem);
  const json = paths(dir, stem).json;
  if (expected !== undefined) checkExpected(json, manifest.weights, expected, options.allowUnexpected ?? false);
  let bin: string;
  try {
    bin = resolveInside(dir, manifest.data, `weights data named in ${json}`);
  } catch (err) {
    throw new ModelFileError('malformed', (err as Error).message, json, { cause: err });
  }
  let data: Buffer;
  try {
    data = await fs.promises.readFile(bin);
  } catch (err) {
    throw new ModelFileError(
      'shard-missing',
      `weights data ${bin} (listed in ${json}) cannot be read (${(err as Error).message}): keep the .bin beside its .json`,
      bin,
      { cause: err },
    );
  }
  const needed = totalWeightBytes(manifest.weights) ?? manifest.byteLength;
  if (data.length !== manifest.byteLength || data.length !== needed) {
    throw new ModelFileError(
      'shard-size',
      `weights data ${bin} is ${data.length} bytes but ${json} expects ${manifest.byteLength}: the file is ` +
        `truncated or from another save; save the weights again`,
      bin,
    );
  }
  // tidy: if decoding throws halfway, the tensors made so far are released.
  return tf.tidy(() => tf.io.decodeWeights(toArrayBuffer(data), manifest.weights));
}
