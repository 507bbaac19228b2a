import { NonFiniteLossError, type DataParallelTrainer } from './data-parallel';
import { HostAdam } from './host-adam';
import { loadCheckpoint } from './checkpoint';
import type { HostBatch } from './train-task';

/**
 * One training step: the workers' averaged gradients of `batch`, batch-norm statistics taken from replica 0,
 * one Adam update of the weights (each worker updates its share, in memory shared with this thread), and the
 * replicas set to the result; `weights` is updated in place. So `weights` + Adam's state are the whole
 * training state (what a checkpoint stores).
 * @throws when the loss is not finite (the weights are left as they were)
 */
export async function hostOptimizerStep(
  trainer: DataParallelTrainer,
  adam: HostAdam,
  weights: Map<string, Float32Array>,
  batch: HostBatch,
  lr: number,
  step: number,
): Promise<{ loss: number; terms: Readonly<Record<string, number>> }> {
  try {
    return await trainer.optimizerStep(batch, adam, weights, lr);
  } catch (err) {
    if (!(err instanceof NonFiniteLossError)) throw err;
    throw new Error(`the loss became ${err.loss} at step ${step + 1}: lower --lr (the last checkpoint is kept; resume from it)`);
  }
}

/** Where a host-optimised run starts: its weights, Adam's state and the steps already done. */
export interface RunStart {
  readonly adam: HostAdam;
  readonly weights: Map<string, Float32Array>;
  readonly step: number;
}

/**
 * Starts a host-optimised run: from the checkpoint in `checkpointDir` when resuming (every replica set to
 * its weights), else from `initial` (a trained model's weights by path, e.g. `retex train --init`), else
 * from replica 0's initial weights.
 * @throws when `initial` does not hold every weight of the replicas at its size
 */
export async function startRun(
  trainer: DataParallelTrainer,
  weightDecay: number,
  checkpointDir: string | null,
  note: (message: string) => void,
  totalSteps: number,
  initial?: { readonly weights: ReadonlyMap<string, Float32Array>; readonly from: string },
): Promise<RunStart> {
  const adam = new HostAdam({ weightDecay });
  let weights: Map<string, Float32Array>;
  let step = 0;
  if (checkpointDir != null) {
    const c = await loadCheckpoint(checkpointDir);
    weights = new Map(c.weights);
    adam.restore(c.adam);
    step = c.step;
    note(`resuming from the checkpoint at step ${step} of ${totalSteps}`);
  } else {
    weights = await trainer.readWeights();
    if (initial) {
      for (const [name, w] of weights) {
        const given = initial.weights.get(name);
        if (given?.length !== w.length) {
          throw new Error(
            `${initial.from} is not a network of this run's shape: '${name}' ${given ? `has ${given.length} values, the run needs ${w.length}` : 'is missing'} (same generator type, width and sizes needed)`,
          );
        }
        w.set(given);
      }
      note(`starting from the weights in ${initial.from}`);
    }
  }
  await trainer.writeWeights(weights);
  return { adam, weights, step };
}
