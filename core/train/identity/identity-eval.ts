import { tf } from '../../backend/tf';
import type { Dataset, Sample } from '../../interfaces/dataset';
import { evaluateRetrieval, topOneAccuracy, type RetrievalSet } from '../../metrics/retrieval';
import type { ReidNetwork } from '../../nn/reid-network';

/** Figures of an identity network on a data set's test data. */
export interface IdentityEvaluation {
  /** `market1501` (query vs gallery, same-camera matches excluded) or `test-retrieval` (each test image vs the rest). */
  readonly protocol: 'market1501' | 'test-retrieval';
  readonly rank1: number;
  readonly rank5: number;
  readonly mAP: number;
  /** Queries evaluated (those with at least one valid match). */
  readonly queries: number;
  readonly gallery: number;
  /** Test-retrieval only, when the network's classes are the data set's: top-1 classification of the test images. */
  readonly top1?: number;
}

const BATCH = 32;

function hasSplit(dataset: Dataset, split: string): boolean {
  try {
    return dataset.samples(split).length > 0;
  } catch {
    return false;
  }
}

/** Descriptors (and summed class probabilities' argmax) of samples, in batches. */
async function describe(
  net: ReidNetwork,
  dataset: Dataset,
  samples: readonly Sample[],
  onProgress?: (done: number, total: number) => void,
): Promise<{ features: Float32Array[]; predicted: number[] }> {
  const features: Float32Array[] = [];
  const predicted: number[] = [];
  for (let start = 0; start < samples.length; start += BATCH) {
    const chunk = samples.slice(start, start + BATCH);
    const images = await Promise.all(chunk.map((s) => dataset.loadImage(s)));
    const [emb, arg] = tf.tidy(() => {
      const out = net.forward(tf.stack(images) as tf.Tensor4D, false);
      const e = tf.div(out.embedding, tf.add(tf.norm(out.embedding, 2, 1, true), 1e-12));
      return [e, tf.argMax(tf.addN(out.logits.map((l) => tf.softmax(l))), 1)];
    });
    tf.dispose(images);
    const d = emb.shape[1] as number;
    const values = emb.dataSync() as Float32Array;
    chunk.forEach((_, i) => features.push(values.slice(i * d, (i + 1) * d)));
    predicted.push(...Array.from(arg.dataSync() as Int32Array));
    tf.dispose([emb, arg]);
    onProgress?.(Math.min(start + BATCH, samples.length), samples.length);
  }
  return { features, predicted };
}

function cameraOf(s: Sample): number {
  const c = s.annotations.camera;
  if (typeof c !== 'number') throw new Error(`${s.imagePath}: the query/gallery protocol needs a camera id per image`);
  return c;
}

/**
 * Evaluates a re-ID network as the literature does: a data set with `query` and `gallery` splits
 * (Market-1501) by the Market protocol; otherwise (CUB) every `test` image queries the other test images.
 * @param labels data-set identity of each classifier output (from training), for top-1 classification.
 */
export async function evaluateIdentityNetwork(
  net: ReidNetwork,
  dataset: Dataset,
  labels?: readonly number[],
  onProgress?: (done: number, total: number) => void,
): Promise<IdentityEvaluation> {
  if (hasSplit(dataset, 'query')) {
    const query = dataset.samples('query');
    const gallery = dataset.samples('gallery');
    const total = query.length + gallery.length;
    const q = await describe(net, dataset, query, (d) => onProgress?.(d, total));
    const g = await describe(net, dataset, gallery, (d) => onProgress?.(query.length + d, total));
    const set = (samples: readonly Sample[], features: Float32Array[]): RetrievalSet => ({
      features,
      identities: samples.map((s) => s.identity),
      cameras: samples.map(cameraOf),
    });
    const r = evaluateRetrieval(set(query, q.features), set(gallery, g.features));
    return { protocol: 'market1501', rank1: r.rank1, rank5: r.rank5, mAP: r.mAP, queries: r.queries, gallery: gallery.length };
  }
  const test = dataset.samples('test').filter((s) => s.identity >= 0);
  if (test.length < 2) throw new Error(`the test split holds ${test.length} image(s): retrieval needs at least 2`);
  const t = await describe(net, dataset, test, onProgress);
  const set: RetrievalSet = { features: t.features, identities: test.map((s) => s.identity) };
  const r = evaluateRetrieval(set, set, { excludeSelf: true });
  let top1: number | undefined;
  if (labels != null && labels.length === net.config.numClasses) {
    top1 = topOneAccuracy(t.predicted.map((p) => labels[p]), test.map((s) => s.identity));
  }
  return { protocol: 'test-retrieval', rank1: r.rank1, rank5: r.rank5, mAP: r.mAP, queries: r.queries, gallery: test.length, ...(top1 != null && { top1 }) };
}
