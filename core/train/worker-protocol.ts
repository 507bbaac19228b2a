import type { BackendRequest } from '../backend/backend';
import type { AdamCoefficients } from './host-adam';
import type { HostBatch, TaskSpec } from './train-task';

/** What the main thread hands a data-parallel worker at start (`workerData`). */
export interface WorkerInit {
  readonly backend: BackendRequest;
  readonly task: TaskSpec;
  readonly learningRate: number;
}

/** One variable in the flat shared-memory layout (same order in every replica). */
export interface LayoutEntry {
  readonly path: string;
  readonly shape: readonly number[];
  readonly size: number;
  readonly trainable: boolean;
}

/** Requests from the main thread; every one is answered with a {@link WorkerReply} of the same id. */
export type WorkerRequest =
  | {
      readonly id: number;
      readonly op: 'attach';
      readonly weights: SharedArrayBuffer;
      /** Every worker's gradient buffer, in worker order. */
      readonly grads: readonly SharedArrayBuffer[];
      /** This worker's index into `grads`. */
      readonly index: number;
      /** Adam's first and second moments of every weight, laid out as `weights` (see the 'adam' request). */
      readonly moments: readonly [SharedArrayBuffer, SharedArrayBuffer];
    }
  | { readonly id: number; readonly op: 'write-weights' }
  | { readonly id: number; readonly op: 'read-weights' }
  | { readonly id: number; readonly op: 'gradients'; readonly shard: HostBatch; readonly training: boolean }
  /** Average every worker's gradients with these weights (shard size / batch size), then one Adam step. */
  | { readonly id: number; readonly op: 'apply'; readonly shardWeights: readonly number[] }
  /**
   * One Adam step of the shared weights and moments, on the trainable elements in [start, end) of the flat
   * layout, with every worker's gradients averaged by `shardWeights`; with `writeStatistics` the worker first
   * writes its non-trainable variables (batch-norm statistics) into the shared weights.
   */
  | {
      readonly id: number;
      readonly op: 'adam';
      readonly shardWeights: readonly number[];
      readonly coefficients: AdamCoefficients;
      readonly start: number;
      readonly end: number;
      readonly writeStatistics: boolean;
    };

export type WorkerReply =
  | {
      readonly id: number;
      readonly ok: true;
      readonly loss?: number;
      /** The task's loss terms of this shard, when it reports them. */
      readonly terms?: Readonly<Record<string, number>>;
      readonly ms: number;
      readonly numTensors: number;
    }
  | { readonly id: number; readonly ok: false; readonly error: string };

/** The first message a worker sends: its layout once the replica is built, or why it could not start. */
export type WorkerHello =
  | { readonly type: 'ready'; readonly layout: readonly LayoutEntry[]; readonly backend: string }
  | { readonly type: 'fatal'; readonly error: string };

/** Offsets (in floats) of each layout entry in the flat buffers, and the total. */
export function layoutOffsets(layout: readonly LayoutEntry[]): { offsets: number[]; total: number } {
  const offsets: number[] = [];
  let total = 0;
  for (const e of layout) {
    offsets.push(total);
    total += e.size;
  }
  return { offsets, total };
}
