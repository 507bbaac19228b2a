import * as path from 'path';
import { tf } from '../../backend/tf';
import { ReidNetwork, type ReidNetworkConfig } from '../../nn/reid-network';
import type { NamedVariable } from '../../nn/variable-scope';
import type { TaskSpec, TensorBatch, TrainTask } from '../train-task';

/** Options of the identity task; plain data so that workers can rebuild it. */
export interface IdentityTaskOptions {
  readonly network: Partial<ReidNetworkConfig>;
  /** Margin of the batch-hard triplet loss on the descriptor; 0 (default) leaves it out. */
  readonly tripletMargin?: number;
}

/**
 * Batch-hard triplet loss (Hermans et al. 2017): for each anchor, the farthest image of its identity and
 * the nearest of another, hinge with `margin`, on L2-normalised descriptors. Anchors without a positive
 * or negative in the batch contribute 0.
 * @param embedding float32 [B,D]; @param labels int32 [B]. @returns float32 scalar.
 */
export function batchHardTriplet(embedding: tf.Tensor2D, labels: tf.Tensor1D, margin: number): tf.Scalar {
  return tf.tidy(() => {
    const e = tf.div(embedding, tf.add(tf.norm(embedding, 2, 1, true), 1e-12));
    const sq = tf.maximum(tf.sub(2, tf.mul(2, tf.matMul(e, e, false, true))), 1e-12);
    const dist = tf.sqrt(sq);
    const same = tf.cast(tf.equal(tf.expandDims(labels, 1), tf.expandDims(labels, 0)), 'float32');
    const hardestPositive = tf.max(tf.mul(dist, same), 1);
    // Positives are pushed up by 4 (more than any distance between unit vectors) so they are never the min.
    const hardestNegative = tf.min(tf.add(dist, tf.mul(same, 4)), 1);
    return tf.mean(tf.relu(tf.add(tf.sub(hardestPositive, hardestNegative), margin))) as tf.Scalar;
  });
}

/**
 * Trains a re-ID network as PCB does: one softmax cross-entropy per classifier (per stripe), summed, plus
 * the optional triplet term. Batch: `images` float32 [B,H,W,3] in [-1,1], `labels` int32 [B] in
 * [0, numClasses).
 */
export class IdentityTask implements TrainTask {
  readonly network: ReidNetwork;

  constructor(readonly options: IdentityTaskOptions) {
    this.network = new ReidNetwork(options.network);
  }

  trainableVariables(): tf.Variable[] {
    return this.network.trainableVariables();
  }

  namedVariables(): readonly NamedVariable[] {
    return this.network.namedVariables();
  }

  loss(batch: TensorBatch, training: boolean): tf.Scalar {
    const images = batch.images as tf.Tensor4D | undefined;
    const labels = batch.labels as tf.Tensor1D | undefined;
    if (images == null || labels == null || labels.dtype !== 'int32') {
      throw new Error(`identity task: the batch needs float32 'images' and int32 'labels', got ${Object.keys(batch)}`);
    }
    return tf.tidy(() => {
      const out = this.network.forward(images, training);
      const onehot = tf.oneHot(labels, this.network.config.numClasses);
      const terms = out.logits.map((l) => tf.losses.softmaxCrossEntropy(onehot, l) as tf.Scalar);
      const margin = this.options.tripletMargin ?? 0;
      if (margin > 0) terms.push(batchHardTriplet(out.embedding, labels, margin));
      return tf.addN(terms) as tf.Scalar;
    });
  }

  dispose(): void {
    this.network.dispose();
  }
}

/** Factory named by {@link identityTaskSpec}, called inside worker threads. */
export function createIdentityTask(options: IdentityTaskOptions): IdentityTask {
  return new IdentityTask(options);
}

/** The worker-side recipe of the task. */
export function identityTaskSpec(options: IdentityTaskOptions): TaskSpec {
  return { module: path.join(__dirname, 'identity-task.js'), exportName: 'createIdentityTask', options };
}
