#!/usr/bin/env node
'use strict';
// Refits the weights of keypoint-fit's facing vote (FACING_WEIGHTS_WITH_APPEARANCE in
// plugins/human-smpl/keypoint-fit/facing-decision.ts): runs the detectors' and the appearance network's looks
// on the people of a `retex synth --category human` set, then fits a logistic regression (L2 1e-3 on the
// weights, not the bias) on those more than 15 degrees from side-on, and prints the weights with their
// 5-fold cross-validated accuracy and the accuracy of the weights in use. Needs npm run build.
// Usage: node scripts/fit-facing-weights.js --data DIR [--count 720] [--facing-model DIR] [--votes FILE.json]
//   e.g. retex synth --category human --out data/people-seed11 --identities 120 --images-per-identity 6 --seed 11
const fs = require('fs');
const path = require('path');
const { distModule: dist, option, runMain } = require('./dist-entry');

const NAMES = ['blazePose', 'blazePoseMirrored', 'moveNetMirrored', 'appearance', 'certainty', 'bias'];

/** The looks at `count` evenly spaced images of a synthetic set, with the true forward z. */
async function gatherVotes(root, count, facingModel) {
  await dist('core/backend/backend.js').initBackend('wasm');
  const { KeypointFitPredictor } = dist('plugins/human-smpl/keypoint-fit/keypoint-fit-predictor.js');
  const { BodyModel } = dist('plugins/human-smpl/body/body-model.js');
  const { builtinBodyData } = dist('plugins/human-smpl/builtin-body/builtin-body.js');
  const { syntheticSetImages } = dist('plugins/human-smpl/keypoint-fit/synthetic-set.js');
  const { readGroundTruthParams } = dist('core/synth/ground-truth.js');
  const { bodyForward } = dist('plugins/human-smpl/keypoint-fit/facing.js');
  const { readImage } = dist('core/io/image-decode.js');
  const predictor = await KeypointFitPredictor.load(BodyModel.create(builtinBodyData()), { facingModel });
  const all = syntheticSetImages(root);
  if (all.length === 0) throw new Error(`${root} holds no images with ground truth: make a set with retex synth --category human`);
  const n = Math.min(all.length, count);
  const rows = [];
  for (let i = 0; i < n; i++) {
    const file = all[Math.floor((i * all.length) / n)];
    const image = await readImage(file);
    const evidence = await predictor.judgeFacing(image);
    image.dispose();
    rows.push({ file, z: bodyForward(readGroundTruthParams(root, file).pose)[2], ...evidence });
    if ((i + 1) % 50 === 0) process.stderr.write(`${i + 1} / ${n}\n`);
  }
  predictor.dispose();
  return rows;
}

const features = (r) => {
  const looks = [r.blazePose, r.blazePoseMirrored, r.moveNetMirrored];
  return [...looks, r.appearance, looks.reduce((a, v) => a + Math.abs(v), 0) / 3, 1];
};

/** Logistic regression by Newton's method; the last feature (bias) is not penalised. */
function fitLogistic(X, y, l2 = 1e-3) {
  const d = X[0].length;
  let w = new Array(d).fill(0);
  for (let it = 0; it < 50; it++) {
    const g = new Array(d).fill(0);
    const H = Array.from({ length: d }, () => new Array(d).fill(0));
    X.forEach((x, i) => {
      const p = 1 / (1 + Math.exp(-x.reduce((a, v, k) => a + v * w[k], 0)));
      for (let a = 0; a < d; a++) {
        g[a] += ((p - y[i]) * x[a]) / X.length;
        for (let b = 0; b < d; b++) H[a][b] += (p * (1 - p) * x[a] * x[b]) / X.length;
      }
    });
    for (let a = 0; a < d - 1; a++) {
      g[a] += l2 * w[a];
      H[a][a] += l2;
    }
    const step = dist('core/linear-solve.js').solveLinear(H, g);
    w = w.map((v, k) => v - step[k]);
  }
  return w;
}

const accuracy = (X, y, w) => X.filter((x, i) => x.reduce((a, v, k) => a + v * w[k], 0) > 0 === (y[i] === 1)).length / X.length;

async function main() {
  const votesFile = option('--votes', undefined);
  const data = option('--data', undefined);
  let rows;
  if (votesFile && fs.existsSync(votesFile)) rows = JSON.parse(fs.readFileSync(votesFile, 'utf8'));
  else {
    if (!data) throw new Error('give --data DIR (a retex synth --category human folder) or --votes FILE from an earlier run');
    rows = await gatherVotes(path.resolve(data), Number(option('--count', 720)), option('--facing-model', undefined));
    if (votesFile) fs.writeFileSync(votesFile, JSON.stringify(rows));
  }
  const kept = rows.filter((r) => Math.abs(r.z) > Math.sin((15 * Math.PI) / 180) && r.appearance !== undefined);
  const X = kept.map(features);
  const y = kept.map((r) => (r.z < 0 ? 1 : 0));
  const w = fitLogistic(X, y);
  let right = 0;
  for (let k = 0; k < 5; k++) {
    const test = kept.map((_, i) => i).filter((i) => i % 5 === k);
    const train = kept.map((_, i) => i).filter((i) => i % 5 !== k);
    const wk = fitLogistic(train.map((i) => X[i]), train.map((i) => y[i]));
    right += accuracy(test.map((i) => X[i]), test.map((i) => y[i]), wk) * test.length;
  }
  const inUse = dist('plugins/human-smpl/keypoint-fit/facing-decision.js').FACING_WEIGHTS_WITH_APPEARANCE;
  const result = {
    images: kept.length,
    weights: Object.fromEntries(NAMES.map((n, k) => [n, Math.round(w[k] * 100) / 100])),
    accuracy: accuracy(X, y, w),
    cross_validated_accuracy: right / kept.length,
    accuracy_of_weights_in_use: accuracy(X, y, NAMES.map((n) => inUse[n])),
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

runMain(main);
