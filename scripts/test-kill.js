#!/usr/bin/env node
'use strict';
/**
 * Kills every long retex command with SIGKILL at random moments, reruns it until it finishes, and checks
 * that what it leaves equals an uninterrupted run's output (README "Limits": nothing is lost).
 *
 *   npm run test:kill                       every command, 2 kills each
 *   node scripts/test-kill.js synth train   only those
 *   options: --kills N (kills per command, default 2), --seed N (the kill moments), --keep (keep the folders)
 *   env: RETEX_BIN (the retex binary, default bin/retex.js over ./dist: run `npm run build` first)
 *
 * Commands: synth, prepare, train, train-identity, compare, run (--images). Each runs at a tiny size (seconds
 * to a minute); a kill lands at a random fraction 0.1..0.9 of the uninterrupted run's time after start-up. Outputs are
 * compared file by file: bytes for images and weights, JSON with its clock fields (times, durations, dates)
 * left out, text logs only for their lines that carry no time. Not part of `npm test` (it takes about ten
 * minutes on 2 cores). Ends with "N passed, N failed"; exits non-zero on any failure.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn, spawnSync } = require('child_process');

const BIN = process.env.RETEX_BIN ? path.resolve(process.env.RETEX_BIN) : path.join(__dirname, '..', 'bin', 'retex.js');

function parseArgs(argv) {
  const out = { only: [], kills: 2, seed: Date.now() % 100000, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--kills') out.kills = Math.max(1, Number(argv[++i]) || 2);
    else if (a === '--seed') out.seed = Number(argv[++i]) || 1;
    else if (a === '--keep') out.keep = true;
    else if (a === '-h' || a === '--help') {
      process.stdout.write('usage: node scripts/test-kill.js [command ...] [--kills N] [--seed N] [--keep]\n');
      process.exit(0);
    } else if (a.startsWith('-')) throw new Error(`unknown option ${a}`);
    else out.only.push(a);
  }
  return out;
}

/** A small seeded generator (mulberry32) so a failing kill pattern can be replayed with --seed. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ENV = { ...process.env, NO_COLOR: '1' };

/** Runs retex to the end; throws with its stderr when it fails. Returns the wall time in ms. */
function retex(args) {
  const started = Date.now();
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: ENV, maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`retex ${args.join(' ')} exited ${r.status}:\n${(r.stderr || '').slice(-2000)}`);
  return Date.now() - started;
}

/** Starts retex and SIGKILLs it after `ms`; resolves with whether it was killed (false: it finished first). */
function killAfter(args, ms) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: 'ignore', env: ENV });
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(signal === 'SIGKILL');
    });
  });
}

/** Object keys that hold clock readings, not results. */
const CLOCK_KEY = /(^|_|-)(ms|seconds|secs|time|times|timings?|date|created|started|finished|updated|elapsed|duration|eta|at)$|Ms$|Seconds$|At$|^timings|^when$/i;
/** Log lines that carry a time (ms/step, ETA, durations) or a process-specific remark. */
const CLOCK_LINE = /\d+(\.\d+)? ?(ms|s|min)\b|ETA|elapsed|resum|earlier run|to go|already/i;

/** Keys that say what one invocation did (e.g. how much an earlier run had done), not what the result is. */
const INVOCATION_KEY = /^(earlier|from_earlier_run|processed|resumed|resumed_from|skipped|already_done)$/;

function dropClock(value) {
  if (Array.isArray(value)) return value.map(dropClock);
  if (value && typeof value === 'object') {
    const out = {};
    for (const k of Object.keys(value).sort()) if (!CLOCK_KEY.test(k) && !INVOCATION_KEY.test(k)) out[k] = dropClock(value[k]);
    return out;
  }
  return value;
}

/** Every file under `dir`, relative, sorted (temporary files retex leaves on a kill are listed too). */
function listFiles(dir, prefix = '') {
  const out = [];
  for (const e of fs.readdirSync(path.join(dir, prefix), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const rel = path.join(prefix, e.name);
    if (e.isDirectory()) out.push(...listFiles(dir, rel));
    else out.push(rel);
  }
  return out;
}

/** What a file holds, for comparison: its bytes, or its JSON / lines with the clock left out and roots named. */
function content(file, root) {
  const bytes = fs.readFileSync(file);
  const ext = path.extname(file);
  const text = () => bytes.toString('utf8').split(root).join('<root>');
  if (ext === '.json') {
    try {
      return JSON.stringify(dropClock(JSON.parse(text())));
    } catch {
      return text();
    }
  }
  // Records of parallel workers land in the order they finish: compared as a set (each names its item or step).
  if (ext === '.jsonl') return text().split('\n').filter(Boolean).map((l) => JSON.stringify(dropClock(JSON.parse(l)))).sort().join('\n');
  if (ext === '.log' || ext === '.txt' || ext === '.csv' || ext === '.html') {
    return text().split('\n').filter((l) => !CLOCK_LINE.test(l)).join('\n');
  }
  return bytes.toString('base64');
}

/** Differences between two output folders ([] when equal). `skip` names files whose content is not compared. */
function differences(a, rootA, b, rootB, skip) {
  const fa = listFiles(a);
  const fb = listFiles(b);
  const diffs = [];
  const only = (x, y, name) => x.filter((f) => !y.includes(f)).forEach((f) => diffs.push(`${f} only in the ${name} run`));
  only(fa, fb, 'uninterrupted');
  only(fb, fa, 'killed');
  for (const f of fa.filter((x) => fb.includes(x))) {
    if (skip && skip.test(f)) continue;
    if (content(path.join(a, f), rootA) !== content(path.join(b, f), rootB)) diffs.push(`${f} differs`);
  }
  return diffs;
}

/**
 * The commands, each at a tiny size. `setup(dir)` makes its inputs in `dir` (called once per run: inputs a
 * command writes into, like prepare's data folder, are fresh each time); `args(dir)` its arguments; `output(dir)`
 * the folder compared; `skip` files whose content legitimately differs (e.g. the report's wall-clock chart).
 */
function commands(shared) {
  const copy = (from, to) => fs.cpSync(from, to, { recursive: true });
  return {
    synth: {
      setup: () => undefined,
      args: (d) => ['synth', '-c', 'bird', '--out', path.join(d, 'birds'), '--species', '6', '--images-per-species', '20', '--seed', '5', '--no-progress'],
      output: (d) => path.join(d, 'birds'),
    },
    prepare: {
      setup: (d) => copy(shared.people, path.join(d, 'people')),
      args: (d) => ['prepare', '-c', 'human', '--data', path.join(d, 'people'), '--no-progress'],
      output: (d) => path.join(d, 'people'),
    },
    train: {
      setup: () => undefined,
      args: (d) => ['train', '-c', 'human', '--data', shared.prepared, '--out', path.join(d, 'run'), '--steps', '30', '--checkpoint-every', '4',
        '--validate-every', '10', '--validation-identities', '1', '--batch', '2x2', '--width', '0.0625', '--no-progress', '--resume'],
      output: (d) => path.join(d, 'run'),
    },
    'train-identity': {
      setup: () => undefined,
      args: (d) => ['train-identity', '-c', 'human', '--data', shared.people, '--out', path.join(d, 'run'), '--steps', '60', '--checkpoint-every', '7',
        '--batch', '2x2', '--width', '0.125', '--no-eval', '--no-progress', '--resume'],
      output: (d) => path.join(d, 'run'),
    },
    compare: {
      // Its own copy of the data: compare prepares the poses its ablations need there.
      setup: (d) => copy(shared.prepared, path.join(d, 'people')),
      args: (d) => ['compare', '-c', 'human', '--data', path.join(d, 'people'), '--losses', 'reid,l1', '--ablations', 'deep-only', '--budget', '8',
        '--width', '0.0625', '--batch', '2x2', '--samples', '2', '--out', path.join(d, 'report'), '--no-progress'],
      output: (d) => d,
    },
    run: {
      setup: () => undefined,
      args: (d) => ['run', '-c', 'human', '--images', shared.photos, '-m', 'project', '--out', path.join(d, 'runs'), '--no-progress'],
      output: (d) => path.join(d, 'runs'),
    },
  };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const rand = random(opts.seed);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'retex-kill-'));
  process.stdout.write(`kill test in ${work} (seed ${opts.seed}, ${opts.kills} kills per command)\n`);
  // Shared inputs: a small people set, prepared once, and a folder of its photos.
  const shared = { people: path.join(work, 'shared', 'people') };
  retex(['synth', '-c', 'human', '--out', shared.people, '--identities', '6', '--images-per-identity', '3', '--seed', '3', '--no-progress']);
  shared.prepared = path.join(work, 'shared', 'prepared');
  fs.cpSync(shared.people, shared.prepared, { recursive: true });
  retex(['prepare', '-c', 'human', '--data', shared.prepared, '--ground-truth-meshes', '--no-progress']);
  shared.photos = path.join(work, 'shared', 'photos');
  fs.mkdirSync(shared.photos);
  const train = path.join(shared.people, 'bounding_box_train');
  fs.readdirSync(train).filter((f) => f.endsWith('.jpg')).sort().slice(0, 4).forEach((f) => fs.copyFileSync(path.join(train, f), path.join(shared.photos, f)));

  const all = commands(shared);
  const names = opts.only.length ? opts.only : Object.keys(all);
  for (const n of names) if (!all[n]) throw new Error(`unknown command '${n}': one of ${Object.keys(all).join(', ')}`);
  let passed = 0;
  let failed = 0;
  for (const name of names) {
    const c = all[name];
    const whole = path.join(work, name, 'whole');
    const killed = path.join(work, name, 'killed');
    try {
      fs.mkdirSync(whole, { recursive: true });
      fs.mkdirSync(killed, { recursive: true });
      c.setup(whole);
      const ms = retex(c.args(whole));
      // Kills land in the command's work, after Node and retex have started (what `retex plugins` takes).
      const start = Math.min(retex(['plugins']), ms / 2);
      c.setup(killed);
      const moments = [];
      for (let k = 0; k < opts.kills; k++) {
        const at = Math.round(start + (ms - start) * (0.1 + 0.8 * rand()));
        const wasKilled = await killAfter(c.args(killed), at);
        moments.push(wasKilled ? `${at} ms` : `${at} ms (finished first)`);
      }
      retex(c.args(killed));
      const diffs = differences(c.output(whole), whole, c.output(killed), killed, c.skip);
      if (diffs.length) throw new Error(`after kills at ${moments.join(', ')} the output differs from an uninterrupted run's:\n  ${diffs.slice(0, 20).join('\n  ')}`);
      passed++;
      process.stdout.write(`ok   ${name}: killed at ${moments.join(', ')} of ${ms} ms; the rerun's output equals an uninterrupted run's\n`);
    } catch (err) {
      failed++;
      process.stdout.write(`FAIL ${name}: ${err.message}\n`);
    }
  }
  if (!opts.keep && failed === 0) fs.rmSync(work, { recursive: true, force: true });
  else process.stdout.write(`folders kept in ${work}\n`);
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  process.exit(failed ? 1 : 0);
}

main().catch((err) => {
  process.stderr.write(`${err.stack || err}\n`);
  process.exit(2);
});
