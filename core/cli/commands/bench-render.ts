import { Command, InvalidArgumentError } from 'commander';
import { BACKEND_REQUESTS, type BackendRequest } from '../../backend/backend';
import { runBenchRender, type BenchRenderResult } from '../../bench/render';
import { note, printJson, printLine } from '../output';

export interface BenchRenderCliOptions {
  readonly backend: string;
  readonly json?: boolean;
  readonly seconds: number;
  readonly sampling: string;
}

function positiveNumber(value: string): number {
  const x = Number(value);
  if (!(x > 0 && Number.isFinite(x))) throw new InvalidArgumentError(`expected a positive number, got '${value}'`);
  return x;
}

function describe(r: BenchRenderResult): string {
  const dense =
    r.dense_apply_ms === null
      ? `dense skipped (${r.dense_note ?? 'n/a'})`
      : `dense matMul ${r.dense_apply_ms} ms (${r.dense_ratio}x the sparse time)`;
  return (
    `${r.size} image, ${r.texture} texture, ${r.faces} faces / ${r.vertices} vertices, ${r.covered_pixels} covered pixels: ` +
    `${r.operators_per_s} operators/s (rasterize ${r.rasterize_ms} ms + operator ${r.operator_ms} ms); ` +
    `apply batch ${r.batch} fwd+bwd ${r.apply_ms} ms on ${r.backend}; ${dense}`
  );
}

/** `retex bench render`: operators built per second and apply cost, sparse vs dense. */
export function benchRenderCommand(): Command {
  return new Command('render')
    .description('measure rasterization + render-operator construction and apply (sparse vs dense) on an SMPL-sized mesh')
    .option('--backend <name>', `backend for apply: ${BACKEND_REQUESTS.join('|')}`, 'auto')
    .option('--sampling <mode>', 'nearest|bilinear', 'nearest')
    .option('--seconds <s>', 'time spent on each measurement', positiveNumber, 1)
    .option('--json', 'print an array with one object per image size')
    .action(async (options: BenchRenderCliOptions) => {
      if (options.sampling !== 'nearest' && options.sampling !== 'bilinear') {
        throw new Error(`--sampling must be nearest or bilinear, got '${options.sampling}'`);
      }
      const results = await runBenchRender({
        backend: options.backend as BackendRequest,
        sampling: options.sampling,
        seconds: options.seconds,
        onNote: note,
      });
      if (options.json) printJson(results);
      else results.forEach((r) => printLine(describe(r)));
    });
}
