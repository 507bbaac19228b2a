#!/usr/bin/env node
'use strict';
// Trains keypoint-fit's person facing network (front or back, from the crop's appearance) on `retex synth`
// people and, with --ship, installs it as plugins/human-smpl/weights/facing. Needs npm run build.
// Usage: node scripts/train-person-facing.js --data DIR [--data DIR2] [--out runs/person-facing] [--steps N] [--resume] [--ship]
require('./dist-entry')('plugins/human-smpl/tools/train-facing.js');
