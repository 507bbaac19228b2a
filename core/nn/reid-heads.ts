import { tf } from '../backend/tf';
import { BatchNorm } from './batch-norm';
import { Dense } from './dense';
import type { VariableScope } from './variable-scope';

/** What a re-ID head gives for one batch; the caller owns the tensors. */
export interface ReidHeadOutput {
  /** One float32 [B,numClasses] logit tensor per classifier (P stripes for PCB, one for a global head). */
  readonly logits: tf.Tensor2D[];
  /** The retrieval descriptor, float32 [B,D] (not normalised). */
  readonly embedding: tf.Tensor2D;
}

/** Maps the last stage's output to logits and a descriptor. */
export interface ReidHead {
  apply(features: tf.Tensor4D, training: boolean): ReidHeadOutput;
}

/**
 * Row ranges of PyTorch's `AdaptiveAvgPool2d((parts, 1))` over `height` rows: part i covers
 * [floor(i*H/P), ceil((i+1)*H/P)), so parts overlap by a row when P does not divide H.
 */
export function adaptiveRowRanges(height: number, parts: number): Array<[number, number]> {
  return Array.from({ length: parts }, (_, i) => [Math.floor((i * height) / parts), Math.ceil(((i + 1) * height) / parts)]);
}

/** Average of each horizontal stripe: [B,H,W,C] -> [B,P,C]. */
export function stripePool(x: tf.Tensor4D, parts: number): tf.Tensor3D {
  return tf.tidy(() => {
    const [b, h, w, c] = x.shape;
    if (h < parts) throw new Error(`PCB: ${parts} stripes need at least ${parts} feature rows, got ${h}: use a taller input or fewer stripes`);
    const pooled = adaptiveRowRanges(h, parts).map(([s, e]) => tf.mean(tf.slice(x, [0, s, 0, 0], [b, e - s, w, c]), [1, 2]));
    return tf.stack(pooled, 1) as tf.Tensor3D;
  });
}

/**
 * Global average pooling and one linear classifier (a torchreid-style ResNet). Variables
 * `<scope>/classifier/kernel` [C,N], `/bias` [N]. The descriptor is the pooled [B,C] feature.
 */
export class GlobalPoolHead implements ReidHead {
  private readonly classifier: Dense;

  constructor(scope: VariableScope, channels: number, numClasses: number) {
    this.classifier = new Dense(scope.child('classifier'), channels, numClasses);
  }

  apply(features: tf.Tensor4D, _training: boolean): ReidHeadOutput {
    return tf.tidy(() => {
      const pooled = tf.mean(features, [1, 2]) as tf.Tensor2D;
      return { logits: [this.classifier.apply(pooled)], embedding: pooled };
    }) as ReidHeadOutput;
  }
}

/** How a PCB head reduces each stripe before its classifier. */
export type PcbHeadKind = 'shared' | 'per-stripe';

/**
 * PCB's head: P stripes pooled from the last stage, each reduced to `localDim`, one classifier per stripe.
 * - `shared` (open-reid's PCB, the one the method's authors used): one 1x1 conv C->D without bias
 *   (`<scope>/local_conv/kernel` [1,1,C,D]), batch norm (`local_bn`), ReLU, then `classifier{i}`.
 * - `per-stripe` (layumi's PCB): per stripe a linear C->D with bias (`stripe{i}/reduce`) and a batch norm
 *   (`stripe{i}/reduce_bn`), then `classifier{i}`.
 * The descriptor is the P reduced stripes, each L2-normalised, concatenated: [B,P*D].
 */
export class PcbHead implements ReidHead {
  private readonly localConv: tf.Variable<tf.Rank.R4> | null = null;
  private readonly localBn: BatchNorm | null = null;
  private readonly reduce: Array<{ dense: Dense; bn: BatchNorm }> = [];
  private readonly classifiers: Dense[] = [];

  constructor(
    scope: VariableScope,
    readonly channels: number,
    readonly stripes: number,
    readonly localDim: number,
    numClasses: number,
    readonly kind: PcbHeadKind,
  ) {
    if (kind === 'shared') {
      const std = Math.sqrt(2 / channels);
      this.localConv = scope.variable(
        'local_conv/kernel',
        scope.randomNormal([1, 1, channels, localDim], std),
      ) as tf.Variable<tf.Rank.R4>;
      this.localBn = new BatchNorm(scope.child('local_bn'), localDim);
    } else {
      for (let i = 0; i < stripes; i++) {
        const s = scope.child(`stripe${i}`);
        this.reduce.push({ dense: new Dense(s.child('reduce'), channels, localDim), bn: new BatchNorm(s.child('reduce_bn'), localDim) });
      }
    }
    for (let i = 0; i < stripes; i++) this.classifiers.push(new Dense(scope.child(`classifier${i}`), localDim, numClasses));
  }

  apply(features: tf.Tensor4D, training: boolean): ReidHeadOutput {
    return tf.tidy(() => {
      const pooled = stripePool(features, this.stripes); // [B,P,C]
      const b = pooled.shape[0];
      let local: tf.Tensor2D[];
      if (this.kind === 'shared') {
        const flat = tf.reshape(pooled, [b * this.stripes, this.channels]) as tf.Tensor2D;
        const reduced = tf.matMul(flat, tf.reshape(this.localConv!, [this.channels, this.localDim]) as tf.Tensor2D);
        const normed = this.localBn!.apply(reduced, training, true);
        const perStripe = tf.reshape(normed, [b, this.stripes, this.localDim]);
        local = tf.unstack(perStripe, 1) as tf.Tensor2D[];
      } else {
        const stripes = tf.unstack(pooled, 1) as tf.Tensor2D[];
        local = stripes.map((x, i) => this.reduce[i].bn.apply(this.reduce[i].dense.apply(x), training));
      }
      const logits = local.map((x, i) => this.classifiers[i].apply(x));
      const embedding = tf.concat(local.map((x) => tf.div(x, tf.add(tf.norm(x, 2, 1, true), 1e-12))), 1) as tf.Tensor2D;
      return { logits, embedding };
    }) as ReidHeadOutput;
  }
}
