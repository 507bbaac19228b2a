#!/usr/bin/env node
'use strict';
// Trains the bird `photo` predictor's heading network (beak/tail heatmaps + facing) on rendered birds and,
// with --ship, installs it as plugins/bird-cmr/weights/heading. Needs the compiled sources (npm run build).
// Usage: node scripts/train-bird-heading.js [--out runs/bird-heading] [--steps N] [--resume] [--ship]
// Long: run it in the background, e.g. nohup node scripts/train-bird-heading.js --ship > heading.log 2>&1 &
require('reflect-metadata');
const fs = require('fs');
const path = require('path');

// The package root's dist/ (the current folder's first, so a build compiled elsewhere can be used from it).
const rel = path.join('dist', 'plugins', 'bird-cmr', 'tools', 'train-heading.js');
const candidates = [path.resolve(rel), path.join(__dirname, '..', rel)];
const entry = candidates.find((f) => fs.existsSync(f));
if (!entry) {
  process.stderr.write(`cannot find ${rel}: run npm run build first (looked in ${candidates.join(', ')})\n`);
  process.exit(1);
}
require(entry);
