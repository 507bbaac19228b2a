import { tf } from '../backend/tf';
import { fileIoHandler } from './file-io-handler';

/**
 * Loads a TF.js graph model (tensorflowjs_converter output) from the file system, without tfjs-node.
 * @param location model.json path (any `*.json` name), its directory, or a `file://` URL
 * @throws ModelFileError for a missing or malformed model.json or a missing or wrong-size shard
 */
export async function loadGraphModel(location: string): Promise<tf.GraphModel> {
  return tf.loadGraphModel(fileIoHandler(location));
}

/**
 * Loads a TF.js layers model (saved by `model.save` or converted from Keras) from the file system.
 * @param location model.json path, its directory, or a `file://` URL
 * @throws ModelFileError for a missing or malformed model.json or a missing or wrong-size shard
 */
export async function loadLayersModel(location: string): Promise<tf.LayersModel> {
  return tf.loadLayersModel(fileIoHandler(location));
}

/** Saves a layers model as model.json + weights.bin (atomic writes); see {@link fileIoHandler}. */
export async function saveLayersModel(model: tf.LayersModel, location: string): Promise<tf.io.SaveResult> {
  return model.save(fileIoHandler(location));
}
