/**
 * Face verification of the face identity networks on a face-folder data set (LFW layout), the figure
 * `retex eval-identity` cannot give for a graph-model identity network yet:
 *   node dist/plugins/face-mesh/tools/verify.js --data DIR [--split test] [--nets faceres,mobilefacenet]
 *     [--center-crop 1] [--size 128] [--input-size S (the network's own by default)] [--seed 0] [--json]
 * Prints, per network and per feature stage (the loss's stages and the embedding), the LFW-style 10-fold
 * accuracy and the ROC AUC of the cosine similarity on deterministic genuine/impostor pairs.
 */
import { tf } from '../../../core/backend/tf';
import { initBackend } from '../../../core/backend/backend';
import { FaceFolderDataset } from '../data/face-folder-dataset';
import { FACE_NETWORKS, loadFaceNetwork } from '../identity/face-networks';
import { makePairs, verify, type VerificationResult } from '../identity/verification';

function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

/** Unit-normalised flattened features per stage, [N][D] as plain arrays. */
async function describe(netId: string, images: tf.Tensor4D, inputSize?: [number, number]): Promise<{ stages: string[]; features: Float32Array[][] }> {
  const spec = FACE_NETWORKS[netId];
  const stages = [...spec.config.stages, 'embedding'];
  const net = await loadFaceNetwork(netId, { stages, inputSize });
  try {
    const features: Float32Array[][] = stages.map(() => []);
    for (let i = 0; i < images.shape[0]; i += 8) {
      const batch = images.slice([i], [Math.min(8, images.shape[0] - i)]);
      const outs = net.features(batch);
      for (let k = 0; k < outs.length; k++) {
        const flat = tf.tidy(() => {
          const f = outs[k].reshape([outs[k].shape[0], -1]);
          return tf.div(f, tf.add(tf.norm(f, 2, 1, true), 1e-12));
        });
        const data = (await flat.data()) as Float32Array;
        const d = flat.shape[1] as number;
        for (let b = 0; b < flat.shape[0]; b++) features[k].push(data.slice(b * d, (b + 1) * d));
        flat.dispose();
      }
      outs.forEach((t) => t.dispose());
      batch.dispose();
    }
    return { stages, features };
  } finally {
    net.dispose();
  }
}

async function main(): Promise<void> {
  const data = arg('data');
  if (!data) throw new Error('--data DIR is required (a folder of one folder of photos per person)');
  const size = Number(arg('size', '128'));
  await initBackend((arg('backend', 'auto') ?? 'auto') as 'auto');
  const dataset = FaceFolderDataset.load({ root: data, size: [size, size], centerCrop: Number(arg('center-crop', '1')) });
  const samples = dataset.samples(arg('split', 'test') as string);
  const pairs = makePairs(samples.map((s) => s.identity), Number(arg('seed', '0')));
  const used = [...new Set(pairs.flatMap((p) => [p.a, p.b]))].sort((a, b) => a - b);
  const index = new Map(used.map((s, i) => [s, i]));
  const crops = [];
  for (const s of used) crops.push(await dataset.loadImage(samples[s]));
  const images = tf.stack(crops) as tf.Tensor4D;
  crops.forEach((c) => c.dispose());
  const rows: Record<string, unknown>[] = [];
  for (const netId of (arg('nets', 'faceres,mobilefacenet') as string).split(',')) {
    const side = arg('input-size');
    const started = Date.now();
    const { stages, features } = await describe(netId, images, side ? [Number(side), Number(side)] : undefined);
    const msPerImage = Math.round((Date.now() - started) / images.shape[0]);
    stages.forEach((stage, k) => {
      const f = features[k];
      const r: VerificationResult = verify(pairs, (a, b) => {
        const x = f[index.get(a)!];
        const y = f[index.get(b)!];
        let dot = 0;
        for (let i = 0; i < x.length; i++) dot += x[i] * y[i];
        return dot;
      });
      rows.push({ network: netId, ms_per_image: msPerImage, stage, accuracy: +r.accuracy.toFixed(4), auc: +r.auc.toFixed(4), pairs: r.pairs, genuine: r.genuine });
    });
  }
  images.dispose();
  if (process.argv.includes('--json')) console.log(JSON.stringify(rows, null, 2));
  else for (const r of rows) console.log(`${String(r.network).padEnd(14)} ${String(r.stage).padEnd(12)} accuracy ${r.accuracy}  AUC ${r.auc}  (${r.pairs} pairs, ${r.genuine} genuine; ${r.ms_per_image} ms/image)`);
}

main().catch((err) => {
  console.error((err as Error).message);
  process.exit(1);
});
