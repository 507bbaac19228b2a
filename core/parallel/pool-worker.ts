/**
 * A pool worker thread (see `runWorkerPool`): initialises the backend, builds its processor from the spec,
 * then processes the items it is sent one at a time.
 */
import { parentPort, workerData } from 'worker_threads';
import { initBackend } from '../backend/backend';
import type { PoolProcessor, PoolWorkerInit } from './worker-pool';

async function main(): Promise<void> {
  const port = parentPort;
  if (port == null) throw new Error('core/parallel/pool-worker.js must run as a worker thread');
  const init = workerData as PoolWorkerInit;
  let processor: PoolProcessor<unknown, unknown>;
  try {
    await initBackend(init.backend);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(init.spec.module) as Record<string, unknown>;
    const factory = mod[init.spec.exportName];
    if (typeof factory !== 'function') throw new Error(`${init.spec.module} exports no function '${init.spec.exportName}'`);
    processor = (await factory(init.spec.options)) as PoolProcessor<unknown, unknown>;
  } catch (err) {
    port.postMessage({ type: 'fatal', error: (err as Error).message });
    return;
  }
  port.on('message', (item: unknown) => {
    processor.process(item).then(
      (value) => port.postMessage({ type: 'done', ok: true, value }),
      (err: Error) => port.postMessage({ type: 'done', ok: false, error: err.message ?? String(err) }),
    );
  });
  port.postMessage({ type: 'ready' });
}

void main();
