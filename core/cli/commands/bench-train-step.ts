import { Command, Option } from 'commander';
import { BACKEND_REQUESTS, type BackendRequest } from '../../backend/backend';
import { GENERATOR_INPUTS, type GeneratorInput } from '../../interfaces/texture-generator';
import { runBenchPipelineStep, type BenchPipelineStepResult } from '../../bench/pipeline-step';
import { runBenchTrainStep, type BenchTrainStepResult } from '../../bench/train-step';
import { DEFAULT_WARMUP_SECONDS } from '../../bench/step-timing';
import { nonNegativeInt, nonNegativeNumber, positiveInt, positiveNumber } from '../arg-parsers';
import { note, printJson, printLine, outputTable } from '../output';

export interface BenchTrainStepCliOptions {
  readonly backend: string;
  readonly width: number;
  readonly batch: number;
  readonly steps: number;
  readonly warmup: number;
  readonly warmupSeconds: number;
  readonly threads?: number;
  readonly profile?: boolean;
  readonly pipeline?: boolean;
  readonly generatorInput: GeneratorInput;
  readonly torch: boolean;
  readonly json?: boolean;
}

function fmt(x: number | null, digits = 0, unit = ''): string {
  return x == null ? 'n/a' : `${x.toFixed(digits)}${unit}`;
}

/** The human-readable report: one row per thread count, then the FLOP figures. */
export function formatBenchTrainStep(r: BenchTrainStepResult): string {
  const table = outputTable(['threads', 'retex ms/step', 'torch ms/step', 'retex / torch', 'retex conv GFLOP/s']);
  table.push(['1', fmt(r.retex_ms_per_step_1thread), fmt(r.torch_ms_per_step_1thread), fmt(r.ratio_1thread, 2, 'x'), fmt(r.retex_gflops_per_s_1thread, 2)]);
  if (r.threads > 1) {
    table.push([String(r.threads), fmt(r.retex_ms_per_step), fmt(r.torch_ms_per_step), fmt(r.ratio, 2, 'x'), fmt(r.retex_gflops_per_s, 2)]);
  }
  const lines = [
    `train step: U-Net + ResNet classifier at width ${r.width}, batch ${r.batch} of 128x64, Adam; ${r.params.toLocaleString('en-US')} parameters`,
    `backend ${r.backend}; ${r.steps} timed steps after ${r.warmup} warm-up steps (retex: at least ${r.warmup_seconds} s)`,
    table.toString(),
    `convolutions: ${r.conv_gflops_per_step} GFLOP per step; matMul peak on this backend (1 thread): ${r.wasm_matmul_peak_gflops} GFLOP/s`,
  ];
  if (r.torch_version) {
    const omp = r.torch_omp_wait_policy ? ` (${r.threads}-thread run with OMP_WAIT_POLICY=${r.torch_omp_wait_policy}, the faster of ACTIVE/PASSIVE)` : '';
    lines.push(`PyTorch peer: torch ${r.torch_version}${omp}`);
  }
  if (r.torch_note) lines.push(`PyTorch peer: ${r.torch_note}`);
  if (r.top_kernels) {
    const k = outputTable(['kernel (1-thread step)', 'ms', 'calls', 'share']);
    for (const e of r.top_kernels) k.push([e.kernel, e.ms.toFixed(1), String(e.calls), `${(e.share * 100).toFixed(1)}%`]);
    lines.push(k.toString());
  }
  return lines.join('\n');
}

/** The human-readable report of `--pipeline`: one row per thread count, the sizes, then the profile. */
export function formatBenchPipelineStep(r: BenchPipelineStepResult): string {
  const table = outputTable(['threads', 'retex ms/step', 'torch ms/step', 'retex / torch', 'retex conv GFLOP/s']);
  table.push(['1', fmt(r.retex_ms_per_step_1thread), fmt(r.torch_ms_per_step_1thread), fmt(r.ratio_1thread, 2, 'x'), fmt(r.retex_gflops_per_s_1thread, 2)]);
  if (r.threads > 1) {
    table.push([String(r.threads), fmt(r.retex_ms_per_step), fmt(r.torch_ms_per_step), fmt(r.ratio, 2, 'x'), fmt(r.retex_gflops_per_s, 2)]);
  }
  const lines = [
    `pipeline step: U-Net x${r.width} (${r.params.toLocaleString('en-US')} parameters) reading the ${r.generator_input} (${r.generator_size.join('x')}) -> ` +
      `${r.texture_size.join('x')} texture -> ${r.image_size.join('x')} photo: ` +
      `render (${r.sampling}, ${r.covered_pixels} covered pixels per sample) -> composite -> frozen PCB ResNet-${r.reid.depth} x${r.reid.width} ` +
      `(${r.reid.input_size.join('x')}) re-ID loss x${r.reid_weight} -> Adam (lr ${r.learning_rate}, weight decay ${r.weight_decay}); batch ${r.batch}`,
    `backend ${r.backend}; ${r.steps} timed steps after ${r.warmup} warm-up steps (retex: at least ${r.warmup_seconds} s); ${r.threads > 1 ? `${r.threads} data-parallel workers with Adam on the host (retex train's step)` : 'one process'}`,
    table.toString(),
    `convolutions: ${r.conv_gflops_per_step} GFLOP per step; batch assembly (not timed in the step): ${r.batch_assembly_ms} ms`,
  ];
  if (r.torch_version) {
    const omp = r.torch_omp_wait_policy ? `, ${r.threads}-thread run with OMP_WAIT_POLICY=${r.torch_omp_wait_policy} (the faster of ACTIVE/PASSIVE)` : '';
    lines.push(`PyTorch peer: torch ${r.torch_version}, ${r.torch_memory_format} memory${omp}`);
  }
  if (r.torch_note) lines.push(`PyTorch peer: ${r.torch_note}`);
  if (r.profile) {
    const s = r.profile.stages_ms_1thread;
    lines.push(`1-thread step ${s.step} ms: U-Net ${s.unet}, render + composite ${s.render}, PCB forward + input gradient ${s.identity}, rest (Adam, loss, overlap) ${s.rest}`);
    const ts1 = r.profile.torch_stages_ms_1thread;
    if (ts1) lines.push(`PyTorch, 1 thread, parts alone: U-Net ${ts1.unet.toFixed(1)}, render + composite ${ts1.render.toFixed(1)}, PCB forward + input gradient ${ts1.identity.toFixed(1)}`);
    const ts = r.profile.torch_stages_ms;
    if (ts && r.threads > 1) lines.push(`PyTorch, ${r.threads} threads, parts alone: U-Net ${ts.unet.toFixed(1)}, render + composite ${ts.render.toFixed(1)}, PCB forward + input gradient ${ts.identity.toFixed(1)}`);
    const hs = r.profile.host_step_ms;
    if (hs) lines.push(`${r.threads}-worker step ${hs.total} ms: worker gradients ${hs.gradients}, Adam in the workers ${hs.adam}, loading the weights ${hs.load_weights}`);
    const k = outputTable(['kernel (1-thread step)', 'ms', 'calls', 'share']);
    for (const e of r.profile.top_kernels) k.push([e.kernel, e.ms.toFixed(1), String(e.calls), `${(e.share * 100).toFixed(1)}%`]);
    lines.push(`profiled step: ${r.profile.wall_ms} ms wall, ${r.profile.kernel_ms} ms in kernels`);
    lines.push(k.toString());
  }
  return lines.join('\n');
}

/** `retex bench train-step`: retex's training step against PyTorch on the CPU, 1 thread and all cores. */
export function benchTrainStepCommand(): Command {
  return new Command('train-step')
    .description('time one training step (U-Net + classifier, Adam; or with --pipeline the method\'s whole step) on 1 thread and all cores against the PyTorch peer')
    .option('--backend <name>', `backend: ${BACKEND_REQUESTS.join('|')}`, 'auto')
    .option('--width <w>', 'width multiplier of both networks (with --pipeline: of the U-Net) (1 = the paper\'s 64..512 channels)', positiveNumber, 0.25)
    .option('--batch <n>', 'batch size', positiveInt, 16)
    .option('--steps <n>', 'timed steps per configuration', positiveInt, 5)
    .option('--warmup <n>', 'untimed steps before timing', nonNegativeInt, 2)
    .option('--warmup-seconds <s>', "with --warmup > 0, keep warming retex up until this long (its workers' code is optimised over their first steps)", nonNegativeNumber, DEFAULT_WARMUP_SECONDS)
    .option('--threads <n>', 'threads (data-parallel workers) for the all-cores run; default: every core', positiveInt)
    .option('--profile', 'also list the kernels of one single-process step by time')
    .option('--pipeline', "the method's whole step as retex train runs it: U-Net -> render -> composite -> frozen PCB re-ID loss -> Adam")
    .addOption(
      new Option('--generator-input <input>', 'with --pipeline: what the U-Net reads (projection: the shipped generators, at the texture size; photo: the paper\'s)')
        .choices([...GENERATOR_INPUTS])
        .default('projection'),
    )
    .option('--no-torch', 'skip the PyTorch peer')
    .option('--json', 'print one JSON object')
    .action(async (options: BenchTrainStepCliOptions) => {
      if (options.pipeline) {
        const pipeline = await runBenchPipelineStep({
          backend: options.backend as BackendRequest,
          task: { unetWidth: options.width, generatorInput: options.generatorInput },
          batch: options.batch,
          steps: options.steps,
          warmup: options.warmup,
          warmupSeconds: options.warmupSeconds,
          threads: options.threads,
          profile: options.profile,
          skipTorch: !options.torch,
          onNote: note,
        });
        if (options.json) printJson(pipeline);
        else printLine(formatBenchPipelineStep(pipeline));
        return;
      }
      const result = await runBenchTrainStep({
        backend: options.backend as BackendRequest,
        width: options.width,
        batch: options.batch,
        steps: options.steps,
        warmup: options.warmup,
        warmupSeconds: options.warmupSeconds,
        threads: options.threads,
        profile: options.profile,
        skipTorch: !options.torch,
        onNote: note,
      });
      if (options.json) printJson(result);
      else printLine(formatBenchTrainStep(result));
    });
}
