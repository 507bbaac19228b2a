import { note } from './output';

/** Ctrl-C / SIGTERM handling of a long command: the first asks it to stop cleanly, the second quits. */
export interface StopSignal {
  /** True once the user asked to stop. */
  requested(): boolean;
  /** Removes the handlers. */
  release(): void;
}

/** Installs the handlers; `what` says what a clean stop does (e.g. 'stopping after this step (checkpoint follows)'). */
export function listenForStop(what: string): StopSignal {
  let stop = false;
  const onSignal = (): void => {
    if (stop) process.exit(130);
    stop = true;
    note(`\n${what}; press Ctrl-C again to quit at once`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    requested: () => stop,
    release: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
