'use strict';
// Helpers of the scripts that run compiled modules of the package's dist/ (the current folder's first, so
// that a build compiled elsewhere can be used from it).
const fs = require('fs');
const path = require('path');

/** The compiled module `relative` (e.g. 'core/backend/backend.js'); @throws with a hint when not built. */
function distModule(relative) {
  const rel = path.join('dist', ...relative.split('/'));
  const file = [path.resolve(rel), path.join(__dirname, '..', rel)].find((f) => fs.existsSync(f));
  if (!file) throw new Error(`cannot find ${rel}: run npm run build first`);
  require('reflect-metadata');
  return require(file);
}

/** The value after `--name` on the command line, else `fallback`. */
function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

/** Runs a script's main(): an error is printed without a stack and sets the exit code. */
function runMain(main) {
  main().catch((err) => {
    process.stderr.write(`${err.message}\n`);
    process.exitCode = 1;
  });
}

/** Runs a compiled tool; exits with a hint when the sources are not compiled. */
function runDistEntry(relative) {
  try {
    distModule(relative);
  } catch (err) {
    if (!/cannot find dist/.test(err.message)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
}

module.exports = runDistEntry;
module.exports.distModule = distModule;
module.exports.option = option;
module.exports.runMain = runMain;
