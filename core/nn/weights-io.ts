import { tf } from '../backend/tf';
import { loadWeights, readWeightsManifest, saveWeights } from '../io/weights-file';
import { withoutRandomInit, type NamedVariable } from './variable-scope';

/** File stem of a network's weights: `weights.json` + `weights-<content hash>.bin` (see core/io/weights-file). */
export const NETWORK_WEIGHTS_STEM = 'weights';

/** Saves a network's variables by logical name, with its config in the manifest (atomic; see saveWeights). */
export async function saveNamedWeights(dir: string, config: unknown, vars: readonly NamedVariable[]): Promise<void> {
  const named = vars.map((v) => ({ name: v.path, tensor: v.variable as tf.Tensor }));
  await saveWeights(dir, named, { stem: NETWORK_WEIGHTS_STEM, metadata: { config } });
}

/**
 * Reads what `saveNamedWeights` wrote. The caller owns (and must dispose) the returned tensors.
 * @throws ModelFileError naming the file when the manifest is missing or malformed or its data is short.
 */
export async function loadNamedWeights(dir: string): Promise<{ config: unknown; weights: Map<string, tf.Tensor> }> {
  const manifest = await readWeightsManifest(dir, NETWORK_WEIGHTS_STEM);
  const weights = await loadWeights(dir, undefined, { stem: NETWORK_WEIGHTS_STEM });
  return { config: manifest.metadata?.config, weights: new Map(Object.entries(weights)) };
}

/**
 * Loads a network saved with {@link saveNamedWeights}: `build` makes it from the stored config (without
 * random initial weights), then every variable is set from the file.
 * @param what the network's name in the error, e.g. "the heading network"
 * @throws naming the folder when it holds no such network (missing or wrongly shaped weights)
 */
export async function loadNamedNetwork<N extends { setWeights(weights: ReadonlyMap<string, tf.Tensor>): void; dispose(): void }>(
  dir: string,
  build: (config: unknown) => N,
  what: string,
): Promise<N> {
  const { config, weights } = await loadNamedWeights(dir);
  try {
    const net = withoutRandomInit(() => build(config ?? {}));
    try {
      net.setWeights(weights);
    } catch (err) {
      net.dispose();
      throw new Error(`${dir} does not hold ${what}'s weights: ${(err as Error).message}`);
    }
    return net;
  } finally {
    tf.dispose([...weights.values()]);
  }
}
