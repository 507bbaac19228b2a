import { Command, Option } from 'commander';
import { BACKEND_REQUESTS, type BackendRequest } from '../../backend/backend';
import { FULL_PCB_NETWORK, runBenchIdentity, type BenchIdentityResult, type IdentityBenchNetwork } from '../../bench/identity';
import { note, printJson, printLine, outputTable } from '../output';
import type { CliServices } from '../services';
import { DEFAULT_WARMUP_SECONDS } from '../../bench/step-timing';
import { listOf, nonNegativeInt, nonNegativeNumber, positiveInt } from '../arg-parsers';

/** The networks `--networks` may name. */
export const BENCH_IDENTITY_NETWORKS = ['shipped', 'full'] as const;
export type BenchIdentityNetworkName = (typeof BENCH_IDENTITY_NETWORKS)[number];

export interface BenchIdentityCliOptions {
  readonly networks: BenchIdentityNetworkName[];
  readonly category: string;
  readonly backend: string;
  readonly batch: number;
  readonly steps: number;
  readonly warmup: number;
  readonly warmupSeconds: number;
  readonly threads?: number;
  readonly microBatch?: number;
  readonly profile?: boolean;
  readonly torch: boolean;
  readonly json?: boolean;
}



/** The networks to measure: `shipped` is the category's PCB recipe, `full` the method's ResNet-50 PCB. */
export function resolveBenchIdentityNetworks(
  services: Pick<CliServices, 'identityRecipes'>,
  names: readonly BenchIdentityNetworkName[],
  category: string,
): IdentityBenchNetwork[] {
  return names.map((name) => {
    if (name === 'full') return FULL_PCB_NETWORK;
    const recipe = services.identityRecipes(category).pcb;
    if (recipe == null) throw new Error(`the ${category} plugin ships no 'pcb' identity network recipe`);
    return { name: 'shipped', description: `shipped ${category} PCB: ${recipe.description}`, config: recipe.network };
  });
}

function fmt(x: number | null, digits = 0, unit = ''): string {
  return x == null ? 'n/a' : `${x.toFixed(digits)}${unit}`;
}

/** The human-readable report: one table row per network and thread count, then notes and profiles. */
export function formatBenchIdentity(r: BenchIdentityResult): string {
  const table = outputTable(['network', 'threads', 'retex ms', 'torch ms', 'retex / torch', 'retex GFLOP/s', 'torch GFLOP/s']);
  for (const row of r.rows) {
    const g = (ms: number | null): string => fmt(ms == null ? null : row.conv_gflops_per_step / (ms / 1000), 1);
    table.push([row.network, '1', fmt(row.retex_ms_1thread), fmt(row.torch_ms_1thread), fmt(row.ratio_1thread, 2, 'x'), g(row.retex_ms_1thread), g(row.torch_ms_1thread)]);
    if (row.threads > 1) {
      table.push([row.network, String(row.threads), fmt(row.retex_ms), fmt(row.torch_ms), fmt(row.ratio, 2, 'x'), g(row.retex_ms), g(row.torch_ms)]);
    }
  }
  const lines = ['identity network: forward + gradient w.r.t. the input images (frozen, batch norm in inference mode), re-ID loss'];
  for (const row of r.rows) {
    lines.push(
      `${row.network}: ${row.description}; batch ${row.batch} of ${row.image_size.join('x')} resized to ${row.input_size.join('x')}, ` +
        `${row.params.toLocaleString('en-US')} parameters, ${row.conv_gflops_per_step} conv GFLOP per step, ` +
        `retex ${row.micro_batch} images per gradient call`,
    );
  }
  const first = r.rows[0];
  lines.push(`backend ${r.backend}; ${first.steps} timed steps (median) after ${first.warmup} warm-up steps (retex: at least ${first.warmup_seconds} s); weights ${first.weights}`, table.toString());
  for (const row of r.rows) {
    if (row.torch_version) {
      const omp = row.torch_omp_wait_policy ? `, OMP_WAIT_POLICY=${row.torch_omp_wait_policy} (the faster of ACTIVE/PASSIVE)` : '';
      lines.push(`${row.network}: PyTorch ${row.torch_version}, ${row.torch_memory_format} (the faster memory format)${omp}`);
    }
  }
  if (first.torch_note) lines.push(`PyTorch peer: ${first.torch_note}`);
  for (const row of r.rows) {
    if (!row.top_kernels) continue;
    if (row.profile_wall_ms != null) {
      lines.push(`${row.network}: profiled 1-thread step ${row.profile_wall_ms.toFixed(0)} ms wall, ${row.profile_kernel_ms?.toFixed(0)} ms in kernels`);
    }
    const k = outputTable([`kernel (${row.network}, 1-thread step)`, 'ms', 'calls', 'share']);
    for (const e of row.top_kernels) k.push([e.kernel, e.ms.toFixed(1), String(e.calls), `${(e.share * 100).toFixed(1)}%`]);
    lines.push(k.toString());
  }
  return lines.join('\n');
}

/** `retex bench identity`: the re-ID loss's forward + input gradient against the PyTorch peer. */
export function benchIdentityCommand(services: CliServices): Command {
  return new Command('identity')
    .description('time forward + input gradient of the frozen re-ID network (shipped PCB and full ResNet-50 PCB) on 1 thread and all cores against PyTorch')
    .addOption(
      new Option('--networks <list>', `comma-separated: ${BENCH_IDENTITY_NETWORKS.join(',')}`)
        .argParser(listOf(BENCH_IDENTITY_NETWORKS))
        .default([...BENCH_IDENTITY_NETWORKS], BENCH_IDENTITY_NETWORKS.join(',')),
    )
    .option('-c, --category <name>', "category whose shipped 'pcb' network is measured", 'human')
    .option('--backend <name>', `backend: ${BACKEND_REQUESTS.join('|')}`, 'auto')
    .option('--batch <n>', 'images per step', positiveInt, 16)
    .option('--steps <n>', 'timed steps per configuration (the median is reported)', positiveInt, 5)
    .option('--warmup <n>', 'untimed steps before timing', nonNegativeInt, 2)
    .option('--warmup-seconds <s>', "with --warmup > 0, keep warming retex up until this long (its workers' code is optimised over their first steps)", nonNegativeNumber, DEFAULT_WARMUP_SECONDS)
    .option('--threads <n>', 'worker threads for the all-cores run; default: every core', positiveInt)
    .option('--micro-batch <n>', 'images per gradient call in each process; default: what fits the wasm heap', positiveInt)
    .option('--profile', 'also list the kernels of one single-process step by time')
    .option('--no-torch', 'skip the PyTorch peer')
    .option('--json', 'print one JSON object (one row per network)')
    .action(async (options: BenchIdentityCliOptions) => {
      const result = await runBenchIdentity({
        networks: resolveBenchIdentityNetworks(services, options.networks, options.category),
        backend: options.backend as BackendRequest,
        batch: options.batch,
        steps: options.steps,
        warmup: options.warmup,
        warmupSeconds: options.warmupSeconds,
        threads: options.threads,
        microBatch: options.microBatch,
        profile: options.profile,
        skipTorch: !options.torch,
        onNote: note,
      });
      if (options.json) printJson(result);
      else printLine(formatBenchIdentity(result));
    });
}
