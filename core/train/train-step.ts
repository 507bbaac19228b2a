import { tf } from '../backend/tf';
import { disposeBatch, hostBatchToTensors } from './host-tensors';
import type { HostBatch, TensorBatch, TrainTask } from './train-task';

/** Optimiser settings; defaults are the paper's (Adam, lr 1e-4). */
export interface TrainStepOptions {
  readonly learningRate?: number;
}

export const DEFAULT_LEARNING_RATE = 1e-4;

/** Loss and gradients of one batch; the caller disposes them (`dispose()`). */
export interface Gradients {
  /** float32 scalar. */
  readonly loss: tf.Scalar;
  /** Keyed by the tfjs-registered variable name (what optimizers expect), same shapes as the variables. */
  readonly grads: tf.NamedTensorMap;
  dispose(): void;
}

/**
 * Single-process training: forward, `tf.variableGrads` over the task's trainable variables, Adam.
 * Owns the optimiser (and its slot variables); the task stays owned by the caller.
 */
export class TrainStep {
  readonly optimizer: tf.AdamOptimizer;

  constructor(readonly task: TrainTask, options: TrainStepOptions = {}) {
    const lr = options.learningRate ?? DEFAULT_LEARNING_RATE;
    if (!(lr > 0 && Number.isFinite(lr))) throw new Error(`learning rate must be a positive number, got ${lr}`);
    this.optimizer = tf.train.adam(lr);
  }

  /**
   * Loss and gradients of `batch` without updating anything but batch-norm moving statistics
   * (which only change when `training` is true).
   */
  computeGradients(batch: TensorBatch, training = true): Gradients {
    const vars = this.task.trainableVariables();
    const { value, grads } = tf.variableGrads(() => this.task.loss(batch, training), vars);
    return {
      loss: value,
      grads,
      dispose: () => {
        value.dispose();
        tf.dispose(Object.values(grads));
      },
    };
  }

  /** One Adam update with the given gradients (keyed by registered variable name). */
  applyGradients(grads: tf.NamedTensorMap): void {
    this.optimizer.applyGradients(grads as Parameters<tf.AdamOptimizer["applyGradients"]>[0]);
  }

  /**
   * One full training step on tensors: gradients, then Adam. Leaves no tensor behind.
   * @returns the batch's loss before the update.
   */
  step(batch: TensorBatch): number {
    const g = this.computeGradients(batch, true);
    try {
      this.applyGradients(g.grads);
      return g.loss.dataSync()[0];
    } finally {
      g.dispose();
    }
  }

  /** {@link step} on host memory (copies it into tensors and disposes them afterwards). */
  stepHost(batch: HostBatch): number {
    const tensors = hostBatchToTensors(batch);
    try {
      return this.step(tensors);
    } finally {
      disposeBatch(tensors);
    }
  }

  /** Disposes the optimiser's slot variables (not the task). */
  dispose(): void {
    this.optimizer.dispose();
  }
}
