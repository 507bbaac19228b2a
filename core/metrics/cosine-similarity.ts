import type { tf } from '../backend/tf';

/**
 * CosSim: how alike two images look to a network, as the mean over its feature stages of the cosine
 * between the flattened features of each image. Reads the features on the host and accumulates in
 * float64 (stages can hold millions of values, where float32 sums drift); creates no tensor.
 */

function checkStages(a: readonly tf.Tensor[], b: readonly tf.Tensor[]): number {
  if (a.length !== b.length || a.length === 0) {
    throw new Error(`stageCosines: need the same non-zero number of stages on both sides, got ${a.length} and ${b.length}`);
  }
  const batch = a[0].rank > 0 ? a[0].shape[0] : -1;
  a.forEach((fa, s) => {
    const fb = b[s];
    if (fa.rank < 1 || fa.rank !== fb.rank || fa.shape.some((d, i) => d !== fb.shape[i])) {
      throw new Error(`stageCosines: stage ${s} features must be [B,...] of one shape, got [${fa.shape}] and [${fb.shape}]`);
    }
    if (fa.shape[0] !== batch) {
      throw new Error(`stageCosines: stage ${s} has batch ${fa.shape[0]}, stage 0 has ${batch}`);
    }
  });
  return batch;
}

/**
 * Cosine similarity of each image's flattened features, stage by stage.
 * @param a one tensor per stage, float32 [B, ...] (e.g. `IdentityNetwork.features(photos)`)
 * @param b the same stages for the other images, each of the same shape as in `a`
 * @returns [B][S]: cos(a[s][i], b[s][i]) in [-1, 1]; 0 where either vector is all zeros (no direction)
 */
export function stageCosines(a: readonly tf.Tensor[], b: readonly tf.Tensor[]): number[][] {
  const batch = checkStages(a, b);
  const out = Array.from({ length: batch }, () => new Array<number>(a.length).fill(0));
  a.forEach((fa, s) => {
    const xa = fa.dataSync();
    const xb = b[s].dataSync();
    const n = batch > 0 ? xa.length / batch : 0;
    for (let i = 0; i < batch; i++) {
      let dot = 0;
      let na = 0;
      let nb = 0;
      for (let k = i * n; k < (i + 1) * n; k++) {
        dot += xa[k] * xb[k];
        na += xa[k] * xa[k];
        nb += xb[k] * xb[k];
      }
      out[i][s] = na > 0 && nb > 0 ? Math.min(1, Math.max(-1, dot / Math.sqrt(na * nb))) : 0;
    }
  });
  return out;
}

/**
 * The CosSim metric per image: the mean over stages of {@link stageCosines}.
 * @returns [B], each in [-1, 1] (1: the same features up to a positive scale per stage)
 */
export function meanStageCosine(a: readonly tf.Tensor[], b: readonly tf.Tensor[]): number[] {
  return stageCosines(a, b).map((row) => row.reduce((s, v) => s + v, 0) / row.length);
}
