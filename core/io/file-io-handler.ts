import * as fs from 'fs';
import * as path from 'path';
import { jsonErrorWhere, resolveInside } from './file-guard';
import { tf } from '../backend/tf';
import { writeFileAtomic } from './atomic-write';
import { ModelFileError } from './model-file-error';
import { toArrayBuffer, totalWeightBytes } from './weight-bytes';

/** The URL scheme the routers answer, as in tfjs-node: `file://relative/dir` or `file:///abs/dir`. */
export const FILE_SCHEME = 'file://';

/** File names used when saving to a directory (tfjs-node's layout, so either can read the other's files). */
export const MODEL_JSON_NAME = 'model.json';
export const WEIGHTS_BIN_NAME = 'weights.bin';

function stripScheme(url: string): string {
  return url.startsWith(FILE_SCHEME) ? url.slice(FILE_SCHEME.length) : url;
}

/**
 * Where a model's JSON lives: a path ending in `.json` is taken as is; anything else is a directory that
 * holds `model.json`.
 */
export function modelJsonPath(location: string): string {
  const p = stripScheme(location);
  return p.toLowerCase().endsWith('.json') ? p : path.join(p, MODEL_JSON_NAME);
}

async function readModelJson(jsonPath: string): Promise<tf.io.ModelJSON> {
  let text: string;
  try {
    text = await fs.promises.readFile(jsonPath, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'does not exist: point to a TF.js model.json (or the directory holding it)'
        : code === 'EISDIR'
          ? 'is a directory: give the path of the model.json inside it'
          : (err as Error).message;
    throw new ModelFileError('not-found', `model file ${jsonPath} ${why}`, jsonPath, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ModelFileError(
      'malformed',
      `model file ${jsonPath} is not valid JSON ${jsonErrorWhere(err)}: it may be truncated or not a ` +
        `TF.js model; re-export or re-copy it`,
      jsonPath,
      { cause: err },
    );
  }
  const obj = json as Partial<tf.io.ModelJSON> | null;
  if (obj === null || typeof obj !== 'object' || obj.modelTopology === undefined) {
    throw new ModelFileError(
      'malformed',
      `model file ${jsonPath} is JSON but not a TF.js model (no "modelTopology"): convert the model with ` +
        `tensorflowjs_converter or save it with tf.LayersModel.save`,
      jsonPath,
    );
  }
  if (obj.weightsManifest !== undefined && !Array.isArray(obj.weightsManifest)) {
    throw new ModelFileError('malformed', `model file ${jsonPath}: "weightsManifest" must be an array of groups`, jsonPath);
  }
  return obj as tf.io.ModelJSON;
}

/** Reads every shard of `manifest` (paths relative to the model.json) and checks their sizes. */
async function readShards(jsonPath: string, manifest: tf.io.WeightsManifestConfig): Promise<ArrayBuffer[]> {
  const dir = path.dirname(jsonPath);
  const shards: ArrayBuffer[] = [];
  for (const [g, group] of manifest.entries()) {
    if (!Array.isArray(group?.paths)) {
      throw new ModelFileError('malformed', `model file ${jsonPath}: weightsManifest group ${g} has no "paths" list`, jsonPath);
    }
    const files = group.paths.map((p) => {
      try {
        return resolveInside(dir, p, `weights shard named in ${jsonPath}`);
      } catch (err) {
        throw new ModelFileError('malformed', (err as Error).message, jsonPath, { cause: err });
      }
    });
    const sizes: number[] = [];
    for (const file of files) {
      let data: Buffer;
      try {
        data = await fs.promises.readFile(file);
      } catch (err) {
        const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
        throw new ModelFileError(
          'shard-missing',
          missing
            ? `weight shard ${file} (listed in ${jsonPath}) does not exist: copy all the .bin files that came ` +
                `with the model.json into the same directory`
            : `cannot read weight shard ${file} (listed in ${jsonPath}): ${(err as Error).message}`,
          file,
          { cause: err },
        );
      }
      sizes.push(data.length);
      shards.push(toArrayBuffer(data));
    }
    const expected = totalWeightBytes(group.weights);
    const actual = sizes.reduce((a, b) => a + b, 0);
    if (expected !== undefined && expected !== actual) {
      const listing =
        files.length === 1
          ? `weight shard ${files[0]} is ${actual} bytes but ${jsonPath} expects ${expected}`
          : `weight shards of group ${g} in ${jsonPath} total ${actual} bytes but the manifest expects ` +
            `${expected} (${files.map((f, i) => `${path.basename(f)}: ${sizes[i]}`).join(', ')})`;
      throw new ModelFileError(
        'shard-size',
        `${listing}: a shard is truncated or belongs to another model; copy the model files again`,
        files.length === 1 ? files[0] : jsonPath,
      );
    }
  }
  return shards;
}

/** Loads model.json + shards as tfjs model artifacts, with errors that name the faulty file. */
export async function loadModelArtifacts(location: string): Promise<tf.io.ModelArtifacts> {
  const jsonPath = modelJsonPath(location);
  const modelJson = await readModelJson(jsonPath);
  return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
    const data = await readShards(jsonPath, manifest);
    return [tf.io.getWeightSpecs(manifest), data];
  });
}

/**
 * Writes model artifacts as `<dir>/model.json` + `<dir>/weights.bin` (or, for a location ending in
 * `name.json`, that file + `name.weights.bin` beside it). Each file is written atomically, the weights
 * first, so a model.json on disk always refers to complete weights.
 */
export async function saveModelArtifacts(
  location: string,
  artifacts: tf.io.ModelArtifacts,
): Promise<tf.io.SaveResult> {
  const jsonPath = modelJsonPath(location);
  if (artifacts.modelTopology === undefined || artifacts.modelTopology instanceof ArrayBuffer) {
    throw new ModelFileError(
      'unsupported',
      `cannot save to ${jsonPath}: only JSON model topologies can be saved (got ${artifacts.modelTopology === undefined ? 'none' : 'a binary GraphDef'}); save a layers model`,
      jsonPath,
    );
  }
  const stem = path.basename(jsonPath, path.extname(jsonPath));
  const binName = stem === 'model' ? WEIGHTS_BIN_NAME : `${stem}.${WEIGHTS_BIN_NAME}`;
  const binPath = path.join(path.dirname(jsonPath), binName);
  const weightData = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
  const manifest: tf.io.WeightsManifestConfig = [{ paths: [binName], weights: artifacts.weightSpecs ?? [] }];
  const modelJson: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    weightsManifest: manifest,
    ...(artifacts.signature != null && { signature: artifacts.signature }),
    ...(artifacts.userDefinedMetadata != null && { userDefinedMetadata: artifacts.userDefinedMetadata }),
    ...(artifacts.modelInitializer != null && { modelInitializer: artifacts.modelInitializer }),
    ...(artifacts.initializerSignature != null && { initializerSignature: artifacts.initializerSignature }),
    ...(artifacts.trainingConfig != null && { trainingConfig: artifacts.trainingConfig }),
  };
  try {
    await writeFileAtomic(binPath, new Uint8Array(weightData));
    await writeFileAtomic(jsonPath, JSON.stringify(modelJson));
  } catch (err) {
    throw new ModelFileError('write-failed', (err as Error).message, jsonPath, { cause: err });
  }
  return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
}

/**
 * An IOHandler for a model on the local file system, usable with `tf.loadLayersModel(handler)`,
 * `tf.loadGraphModel(handler)` and `model.save(handler)`. `location` is a model.json path, a directory,
 * or either as a `file://` URL.
 */
export function fileIoHandler(location: string): tf.io.IOHandler {
  return {
    load: () => loadModelArtifacts(location),
    save: (artifacts) => saveModelArtifacts(location, artifacts),
  };
}

let registered = false;

/** tfjs types routers as always returning a handler, but documents (and handles) null for "not mine". */
const fileRouter = ((url: string | string[]) =>
  // Only our own scheme; arrays (the browser-files form) are never file paths.
  typeof url === 'string' && url.startsWith(FILE_SCHEME) ? fileIoHandler(url) : null) as (
  url: string | string[],
) => tf.io.IOHandler;

/**
 * Registers `file://` load and save routers, so `tf.loadLayersModel('file://dir/model.json')` and
 * `model.save('file://dir')` work without tfjs-node. Explicit (nothing registers on import) and
 * idempotent. Skipped when another handler (tfjs-node's) already answers `file://`, because tfjs refuses
 * URLs that two routers claim.
 * @returns true if this call or an earlier one registered the routers, false if another handler owns `file://`.
 */
export function registerFileIoHandlers(): boolean {
  if (registered) return true;
  const probe = `${FILE_SCHEME}${MODEL_JSON_NAME}`;
  if (tf.io.getLoadHandlers(probe).length > 0 || tf.io.getSaveHandlers(probe).length > 0) return false;
  tf.io.registerLoadRouter(fileRouter);
  tf.io.registerSaveRouter(fileRouter);
  registered = true;
  return true;
}
