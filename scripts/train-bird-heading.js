#!/usr/bin/env node
'use strict';
// Trains the bird `photo` predictor's heading network (beak/tail heatmaps + facing) on rendered birds and,
// with --ship, installs it as plugins/bird-cmr/weights/heading. Needs the compiled sources (npm run build).
// Usage: node scripts/train-bird-heading.js [--out runs/bird-heading] [--steps N] [--resume] [--ship]
// Long: run it in the background, e.g. nohup node scripts/train-bird-heading.js --ship > heading.log 2>&1 &
require('./dist-entry')('plugins/bird-cmr/tools/train-heading.js');
