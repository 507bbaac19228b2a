import * as fs from 'fs';
import * as path from 'path';
import { Command, InvalidArgumentError } from 'commander';
import { initBackend, describeBackend, type BackendRequest } from '../../../core/backend/backend';
import { packageRoot } from '../../../core/paths';
import { DEFAULT_HEADING_TRAIN_PLAN, trainHeadingNet } from '../heading/heading-trainer';

/** Where the `photo` predictor loads the heading network from by default. */
export function shippedHeadingWeights(): string {
  return path.join(packageRoot(), 'plugins', 'bird-cmr', 'weights', 'heading');
}

/** The command that reproduces the shipped weights (recorded beside them). */
export const HEADING_REPRODUCE = 'npm run build && node scripts/train-bird-heading.js --out runs/bird-heading --ship';

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive whole number, got '${value}'`);
  return n;
}

/**
 * Trains the bird heading network (the `photo` predictor's head/tail cue) on rendered birds.
 * Usage: node scripts/train-bird-heading.js [--out DIR] [--steps N] [--resume] [--backend wasm|cpu] [--ship]
 */
async function main(): Promise<void> {
  const program = new Command('train-bird-heading')
    .description("train the bird photo predictor's heading network (beak and tail heatmaps + facing) on rendered birds")
    .option('--out <dir>', 'run folder (plan, log, checkpoint, model, eval.json)', 'runs/bird-heading')
    .option('--steps <n>', `training steps (default ${DEFAULT_HEADING_TRAIN_PLAN.steps})`, positiveInteger)
    .option('--pool <n>', `rendered crops held in memory (default ${DEFAULT_HEADING_TRAIN_PLAN.pool})`, positiveInteger)
    .option('--resume', 'continue the run in --out from its last checkpoint (same options)')
    .option('--checkpoint-every <n>', 'steps between checkpoints (default 250)', positiveInteger)
    .option('--backend <name>', 'wasm or cpu', 'wasm')
    .option('--ship', `copy the trained model to plugins/bird-cmr/weights/heading (what the photo predictor loads)`)
    .parse(process.argv);
  const o = program.opts<{ out: string; steps?: number; pool?: number; resume?: boolean; checkpointEvery?: number; backend: string; ship?: boolean }>();
  if (o.backend !== 'wasm' && o.backend !== 'cpu') throw new Error(`--backend must be wasm or cpu, got '${o.backend}'`);
  const note = (m: string) => process.stderr.write(`${m}\n`);
  note(describeBackend(await initBackend(o.backend as BackendRequest)));
  const plan = { ...DEFAULT_HEADING_TRAIN_PLAN, ...(o.steps ? { steps: o.steps } : {}), ...(o.pool ? { pool: o.pool } : {}) };
  const started = Date.now();
  const result = await trainHeadingNet({
    out: o.out,
    plan,
    resume: o.resume ?? false,
    checkpointEvery: o.checkpointEvery,
    onNote: note,
    onStep: (r) => {
      if (r.step % 50 === 0 || r.eval) {
        const eta = ((Date.now() - started) / 1000 / Math.max(1, r.step)) * (r.steps - r.step);
        note(`step ${r.step}/${r.steps} loss ${r.loss.toFixed(4)} lr ${r.lr.toExponential(2)} ${r.ms.toFixed(0)} ms/step${r.eval ? ` eval ${JSON.stringify(r.eval)}` : ''}`);
        if (r.step % 500 === 0) note(`  about ${(eta / 60).toFixed(1)} min left`);
      }
    },
  });
  process.stdout.write(`${JSON.stringify({ model: result.modelDir, ...result.eval, minutes: (Date.now() - started) / 60000 }, null, 2)}\n`);
  if (o.ship) {
    const dest = shippedHeadingWeights();
    fs.mkdirSync(dest, { recursive: true });
    for (const f of fs.readdirSync(dest)) if (/^weights/.test(f)) fs.rmSync(path.join(dest, f));
    for (const f of fs.readdirSync(result.modelDir)) fs.copyFileSync(path.join(result.modelDir, f), path.join(dest, f));
    fs.writeFileSync(path.join(dest, 'eval.json'), `${JSON.stringify({ ...result.eval, plan, reproduce: HEADING_REPRODUCE }, null, 2)}\n`);
    note(`shipped to ${dest}`);
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exitCode = 1;
});
