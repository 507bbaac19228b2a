import { Command } from 'commander';
import { initBackend, describeBackend, type BackendRequest } from '../../../core/backend/backend';
import { nonNegativeInt, positiveInt } from '../../../core/cli/arg-parsers';
import { finishHostRun, noteToStderr, runTool, toolRunSettings } from '../../../core/train/host-loop-cli';
import { defaultHeadingModel } from '../predictors/photo';
import { DEFAULT_HEADING_TRAIN_PLAN, trainHeadingNet } from '../heading/heading-trainer';

/** The command that reproduces the shipped weights (recorded beside them). */
export const HEADING_REPRODUCE = 'npm run build && node scripts/train-bird-heading.js --out runs/bird-heading --ship';

/**
 * Trains the bird heading network (the `photo` predictor's head/tail cue) on rendered birds.
 * Usage: node scripts/train-bird-heading.js [--out DIR] [--steps N] [--seed N] [--resume] [--backend wasm|cpu] [--ship]
 */
async function main(): Promise<void> {
  const program = new Command('train-bird-heading')
    .description("train the bird photo predictor's heading network (beak and tail heatmaps + facing) on rendered birds")
    .option('--out <dir>', 'run folder (plan, log, checkpoint, model, eval.json)', 'runs/bird-heading')
    .option('--steps <n>', `training steps (default ${DEFAULT_HEADING_TRAIN_PLAN.steps})`, positiveInt)
    .option('--pool <n>', `rendered crops held in memory (default ${DEFAULT_HEADING_TRAIN_PLAN.pool})`, positiveInt)
    .option('--seed <n>', `seed of the crops and batches (default ${DEFAULT_HEADING_TRAIN_PLAN.seed})`, nonNegativeInt)
    .option('--resume', 'continue the run in --out from its last checkpoint (same options)')
    .option('--checkpoint-every <n>', 'steps between checkpoints (default 250)', positiveInt)
    .option('--backend <name>', 'wasm or cpu', 'wasm')
    .option('--ship', `copy the trained model to plugins/bird-cmr/weights/heading (what the photo predictor loads)`)
    .parse(process.argv);
  const o = program.opts<{ out: string; steps?: number; pool?: number; seed?: number; resume?: boolean; checkpointEvery?: number; backend: string; ship?: boolean }>();
  if (o.backend !== 'wasm' && o.backend !== 'cpu') throw new Error(`--backend must be wasm or cpu, got '${o.backend}'`);
  const note = noteToStderr;
  note(describeBackend(await initBackend(o.backend as BackendRequest)));
  const plan = { ...DEFAULT_HEADING_TRAIN_PLAN, ...(o.steps ? { steps: o.steps } : {}), ...(o.pool ? { pool: o.pool } : {}), ...(o.seed !== undefined ? { seed: o.seed } : {}) };
  const started = Date.now();
  const result = await trainHeadingNet({
    ...toolRunSettings(o),
    plan,
  });
  finishHostRun(result, started, o.ship ? { dest: defaultHeadingModel(), record: { plan, reproduce: HEADING_REPRODUCE } } : null, note);
}

runTool(main);
