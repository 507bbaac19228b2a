import * as path from 'path';
import { tf } from '../backend/tf';
import { ResNetClassifier, type ResNetClassifierConfig } from '../nn/resnet-classifier';
import { UNet, type UNetConfig } from '../nn/unet';
import type { NamedVariable } from '../nn/variable-scope';
import type { TaskSpec, TensorBatch, TrainTask } from './train-task';

/** Options of the reference task; plain data so that workers can rebuild it. */
export interface TextureClassifierTaskOptions {
  readonly unet?: Partial<UNetConfig>;
  readonly classifier?: Partial<ResNetClassifierConfig>;
}

/**
 * The benchmark's training problem, shaped like the product's: the U-Net maps images to textures, the
 * ResNet classifier classifies the textures (resized to its input when sizes differ), and the loss is
 * softmax cross-entropy against the labels. Both networks are trained.
 *
 * Batch: `images` float32 [B,H,W,3] in [-1,1] (H x W = the U-Net's input size) and `labels` int32 [B]
 * in [0, numClasses).
 */
export class TextureClassifierTask implements TrainTask {
  readonly unet: UNet;
  readonly classifier: ResNetClassifier;

  constructor(options: TextureClassifierTaskOptions = {}) {
    this.unet = new UNet(options.unet);
    try {
      this.classifier = new ResNetClassifier(options.classifier);
    } catch (err) {
      this.unet.dispose();
      throw err;
    }
  }

  trainableVariables(): tf.Variable[] {
    return [...this.unet.trainableVariables(), ...this.classifier.trainableVariables()];
  }

  namedVariables(): readonly NamedVariable[] {
    return [...this.unet.namedVariables(), ...this.classifier.namedVariables()];
  }

  /** Overwrites both networks' variables by logical path (see `assignNamedWeights`). */
  setWeights(weights: ReadonlyMap<string, tf.Tensor>): void {
    this.unet.setWeights(weights);
    this.classifier.setWeights(weights);
  }

  /** Mean softmax cross-entropy of the classifier on the U-Net's textures. */
  loss(batch: TensorBatch, training: boolean): tf.Scalar {
    const images = batch.images as tf.Tensor4D | undefined;
    const labels = batch.labels as tf.Tensor1D | undefined;
    if (images == null || labels == null) {
      throw new Error(`texture-classifier task: the batch needs 'images' and 'labels', got ${Object.keys(batch)}`);
    }
    if (labels.dtype !== 'int32' || labels.rank !== 1 || labels.shape[0] !== images.shape[0]) {
      throw new Error(`texture-classifier task: labels must be int32 [${images.shape[0]}], got ${labels.dtype} [${labels.shape}]`);
    }
    return tf.tidy(() => {
      const textures = this.unet.generate(images, training);
      // The stage outputs are not used by this loss; tidy disposes them.
      const { logits } = this.classifier.classify(textures, training);
      const onehot = tf.oneHot(labels, this.classifier.config.numClasses);
      return tf.losses.softmaxCrossEntropy(onehot, logits) as tf.Scalar;
    });
  }

  dispose(): void {
    this.unet.dispose();
    this.classifier.dispose();
  }
}

/** Factory named by {@link textureClassifierTaskSpec}, called inside worker threads. */
export function createTextureClassifierTask(options: TextureClassifierTaskOptions): TextureClassifierTask {
  return new TextureClassifierTask(options);
}

/** The worker-side recipe for the same task. */
export function textureClassifierTaskSpec(options: TextureClassifierTaskOptions = {}): TaskSpec {
  return { module: path.join(__dirname, 'texture-classifier-task.js'), exportName: 'createTextureClassifierTask', options };
}
