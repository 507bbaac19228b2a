'use strict';
// Runs a compiled module of the package's dist/ (the current folder's first, so that a build compiled
// elsewhere can be used from it); exits with a hint when the sources are not compiled.
const fs = require('fs');
const path = require('path');

module.exports = function runDistEntry(relative) {
  require('reflect-metadata');
  const rel = path.join('dist', ...relative.split('/'));
  const candidates = [path.resolve(rel), path.join(__dirname, '..', rel)];
  const entry = candidates.find((f) => fs.existsSync(f));
  if (!entry) {
    process.stderr.write(`cannot find ${rel}: run npm run build first (looked in ${candidates.join(', ')})\n`);
    process.exit(1);
  }
  require(entry);
};
