import type { BackendRequest } from '../backend/backend';
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
    }
  | { readonly id: number; readonly op: 'write-weights' }
  | { readonly id: number; readonly op: 'read-weights' }
  | { readonly id: number; readonly op: 'gradients'; readonly shard: HostBatch; readonly training: boolean }
  /** Average every worker's gradients with these weights (shard size / batch size), then one Adam step. */
  | { readonly id: number; readonly op: 'apply'; readonly shardWeights: readonly number[] };

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
