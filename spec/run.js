'use strict';
// Runs the compiled specs with mocha and ends with the line CI reads: "N passed, N failed".
require('reflect-metadata');
const path = require('path');
const fs = require('fs');
const Mocha = require('mocha');

function findSpecs(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return findSpecs(p);
    return e.name.endsWith('.spec.js') ? [p] : [];
  }).sort();
}

const root = path.join(__dirname, '..', 'dist', 'spec');
const filter = process.argv.slice(2);
const mocha = new Mocha({
  timeout: 120000,
  reporter: 'spec',
  // Specs start on the cpu backend; a spec that needs another one selects it in its own before().
  rootHooks: {
    beforeAll: async () => {
      await require('../dist/core/backend/backend').initBackend('cpu');
    },
  },
});
for (const f of findSpecs(root)) {
  if (filter.length === 0 || filter.some((s) => f.includes(s))) mocha.addFile(f);
}
let passed = 0;
let failed = 0;
const runner = mocha.run((failures) => {
  process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
  process.exitCode = failures > 0 || (passed === 0 && failed === 0) ? 1 : 0;
});
runner.on('pass', () => { passed += 1; });
runner.on('fail', () => { failed += 1; });
