import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { tf } from '../backend/tf';
import { writeFileAtomic } from '../io/atomic-write';
import type { NamedVariable } from './variable-scope';

/** File name of the manifest inside a weights directory. */
export const WEIGHTS_MANIFEST_FILE = 'weights.json';
const FORMAT = 'retex-weights';
const VERSION = 1;

/** The manifest: the network's config plus a tfjs weights manifest whose names are logical paths. */
export interface WeightsManifest {
  readonly format: typeof FORMAT;
  readonly version: number;
  readonly config: unknown;
  readonly weightsManifest: tf.io.WeightsManifestConfig;
}

/**
 * Saves variables by logical name into `dir`: the weights go to `weights-<sha256 prefix>.bin`
 * (encoded with tf.io.encodeWeights), then `weights.json` is replaced atomically. A reader therefore
 * sees the old or the new manifest, each pointing at a complete .bin; older .bin files are removed last.
 */
export async function saveNamedWeights(
  dir: string,
  config: unknown,
  vars: readonly NamedVariable[],
): Promise<void> {
  const named = vars.map((v) => ({ name: v.path, tensor: v.variable as tf.Tensor }));
  const { data, specs } = await tf.io.encodeWeights(named);
  const bytes = new Uint8Array(data);
  const binName = `weights-${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}.bin`;
  await writeFileAtomic(path.join(dir, binName), bytes);
  const manifest: WeightsManifest = {
    format: FORMAT,
    version: VERSION,
    config,
    weightsManifest: [{ paths: [binName], weights: specs }],
  };
  await writeFileAtomic(path.join(dir, WEIGHTS_MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
  for (const f of await fs.promises.readdir(dir)) {
    if (/^weights-[0-9a-f]{16}\.bin$/.test(f) && f !== binName) {
      await fs.promises.rm(path.join(dir, f), { force: true });
    }
  }
}

/**
 * Reads what `saveNamedWeights` wrote. The caller owns (and must dispose) the returned tensors.
 * @throws with the path and what to do when the manifest is missing, malformed or its .bin is short.
 */
export async function loadNamedWeights(
  dir: string,
): Promise<{ config: unknown; weights: Map<string, tf.Tensor> }> {
  const manifestPath = path.join(dir, WEIGHTS_MANIFEST_FILE);
  let manifest: WeightsManifest;
  try {
    manifest = JSON.parse(await fs.promises.readFile(manifestPath, 'utf8')) as WeightsManifest;
  } catch (err) {
    throw new Error(`cannot read weights manifest ${manifestPath}: ${(err as Error).message} ` +
      '(point at a directory written by save())');
  }
  if (manifest.format !== FORMAT || manifest.version !== VERSION || !Array.isArray(manifest.weightsManifest)) {
    throw new Error(`${manifestPath} is not a ${FORMAT} v${VERSION} manifest`);
  }
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: Uint8Array[] = [];
  for (const group of manifest.weightsManifest) {
    for (const p of group.paths) buffers.push(await fs.promises.readFile(path.join(dir, p)));
    specs.push(...group.weights);
  }
  const total = buffers.reduce((n, b) => n + b.byteLength, 0);
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const b of buffers) {
    joined.set(b, offset);
    offset += b.byteLength;
  }
  const expected = specs.reduce(
    (n, s) => n + s.shape.reduce((a, d) => a * d, 1) * (s.dtype === 'float32' || s.dtype === 'int32' ? 4 : 1),
    0,
  );
  if (expected !== total) {
    throw new Error(`weights in ${dir} are ${total} bytes but the manifest describes ${expected}: the files are corrupt`);
  }
  const decoded = tf.io.decodeWeights(joined.buffer, specs);
  return { config: manifest.config, weights: new Map(Object.entries(decoded)) };
}
