#!/usr/bin/env node
'use strict';
require('reflect-metadata');
const path = require('path');
const fs = require('fs');
// A reader that stops early (`retex plugins | head`) ends the output; that is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err && err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}
const entry = path.join(__dirname, '..', 'dist', 'registry', 'cli-main.js');
if (!fs.existsSync(entry)) {
  process.stderr.write('retex is not built yet: run `npm run build` (npm install runs it for you).\n');
  process.exit(1);
}
require(entry).main(process.argv).catch((err) => {
  process.stderr.write(`retex: ${err && err.message ? err.message : err}\n`);
  process.exit(1);
});
