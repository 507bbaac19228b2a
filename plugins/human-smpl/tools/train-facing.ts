import * as path from 'path';
import { Command } from 'commander';
import { initBackend, describeBackend, type BackendRequest } from '../../../core/backend/backend';
import { oneOf, positiveInt } from '../../../core/cli/arg-parsers';
import { finishHostRun, noteToStderr, runTool, toolRunSettings } from '../../../core/train/host-loop-cli';
import { defaultFacingModel } from '../keypoint-fit/facing-net';
import { DEFAULT_FACING_TRAIN_PLAN, trainFacingNet } from '../keypoint-fit/facing-net-trainer';

/** The commands that reproduce the shipped weights (recorded beside them). */
export const FACING_REPRODUCE =
  'npm run build && retex synth --category human --out data/people-facing --identities 1000 --images-per-identity 8 --seed 5 && ' +
  'node scripts/train-person-facing.js --data data/people-facing --out runs/person-facing --ship';

/**
 * Trains the person facing network on `retex synth --category human` sets.
 * Usage: node scripts/train-person-facing.js --data DIR [--data DIR] [--out DIR] [--steps N] [--resume] [--ship]
 */
async function main(): Promise<void> {
  const program = new Command('train-person-facing')
    .description("train keypoint-fit's person facing network (does the person face the camera?) on synthetic people")
    .requiredOption('--data <dir>', 'a retex synth --category human folder (repeat for several)', (v: string, all: string[] = []) => [...all, v])
    .option('--out <dir>', 'run folder (plan, log, checkpoint, model, eval.json)', 'runs/person-facing')
    .option('--steps <n>', `training steps (default ${DEFAULT_FACING_TRAIN_PLAN.steps})`, positiveInt)
    .option('--resume', 'continue the run in --out from its last checkpoint (same options)')
    .option('--checkpoint-every <n>', 'steps between checkpoints (default 250)', positiveInt)
    .option('--backend <name>', 'wasm or cpu', oneOf(['wasm', 'cpu'] as const), 'wasm')
    .option('--ship', 'copy the trained model to plugins/human-smpl/weights/facing (what keypoint-fit loads)')
    .parse(process.argv);
  const o = program.opts<{ data: string[]; out: string; steps?: number; resume?: boolean; checkpointEvery?: number; backend: BackendRequest; ship?: boolean }>();
  const note = noteToStderr;
  note(describeBackend(await initBackend(o.backend)));
  const plan = { ...DEFAULT_FACING_TRAIN_PLAN, ...(o.steps ? { steps: o.steps } : {}) };
  const started = Date.now();
  const result = await trainFacingNet({
    data: o.data.map((d) => path.resolve(d)),
    ...toolRunSettings(o),
    plan,
  });
  finishHostRun(result, started, o.ship ? { dest: defaultFacingModel(), record: { plan, reproduce: FACING_REPRODUCE } } : null, note);
}

runTool(main);
