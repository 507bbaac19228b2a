import { Command } from 'commander';
import { BACKEND_REQUESTS, describeBackend, initBackend } from '../../backend/backend';
import type { BackendInfo, BackendRequest } from '../../backend/backend';
import { printJson, printLine } from '../output';

export interface BackendOptions {
  readonly backend: string;
  readonly json?: boolean;
}

/** Initialises the requested backend and reports which one runs. */
export async function runBackend(options: BackendOptions): Promise<BackendInfo> {
  const info = await initBackend(options.backend as BackendRequest);
  if (options.json) printJson(info);
  else printLine(describeBackend(info));
  return info;
}

export function backendCommand(): Command {
  return new Command('backend')
    .description('show which compute backend retex picks here')
    .option('--backend <name>', `requested backend: ${BACKEND_REQUESTS.join('|')}`, 'auto')
    .option('--json', 'machine-readable output')
    .action(async (options: BackendOptions) => {
      await runBackend(options);
    });
}
