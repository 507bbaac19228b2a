#!/usr/bin/env node
'use strict';
// How much a re-ID network's features (the re-ID loss's four stages) change when a photo's colours change,
// against other changes: the mean over the four stages of the cosine between the features of a photo and of
// its altered copy, averaged over the photos. A judge of colour scores a colour swap well below 1 (and
// below another person). Needs npm run build.
// Usage: node scripts/reid-colour-sensitivity.js --images DIR [--weights DIR] [--count 32] [--json]
//   e.g. --images data/people-unseen/query --weights plugins/human-smpl/weights/pcb
const fs = require('fs');
const path = require('path');
const { distModule: dist, option, runMain } = require('./dist-entry');

async function main() {
  const imagesDir = option('--images', undefined);
  if (!imagesDir) throw new Error('give --images DIR (a folder of person crops, e.g. a retex synth set\'s query/)');
  const weights = path.resolve(option('--weights', path.join(__dirname, '..', 'plugins', 'human-smpl', 'weights', 'pcb')));
  const count = Number(option('--count', 32));
  await dist('core/backend/backend.js').initBackend('wasm');
  const { tf } = dist('core/backend/tf.js');
  const { ReidNetwork } = dist('core/nn/reid-network.js');
  const { readImage } = dist('core/io/image-decode.js');
  const files = fs.readdirSync(imagesDir).filter((f) => /\.(jpe?g|png)$/i.test(f)).sort().slice(0, count);
  if (files.length < 2) throw new Error(`${imagesDir} holds fewer than 2 images`);
  const net = await ReidNetwork.load(weights);
  const [h, w] = net.config.inputSize;
  const images = await Promise.all(files.map((f) => readImage(path.join(imagesDir, f), { size: [h, w] })));
  const x = tf.stack(images);
  const n = files.length;
  const variants = {
    'the same photo': () => x,
    'red and blue swapped': () => tf.reverse(x, 3),
    grey: () => tf.tile(tf.mean(x, 3, true), [1, 1, 1, 3]),
    'darker (-0.3 of the [-1,1] range)': () => tf.clipByValue(tf.sub(x, 0.3), -1, 1),
    'shifted 4 px sideways': () => tf.concat([tf.slice(x, [0, 0, 4, 0], [-1, -1, -1, -1]), tf.slice(x, [0, 0, 0, 0], [-1, -1, 4, -1])], 2),
    'another person': () => tf.concat([tf.slice(x, [1, 0, 0, 0], [-1, -1, -1, -1]), tf.slice(x, [0, 0, 0, 0], [1, -1, -1, -1])], 0),
  };
  const base = net.features(x);
  const result = {};
  for (const [name, make] of Object.entries(variants)) {
    const cos = tf.tidy(() => {
      const f = net.features(make());
      const per = base.map((b, k) => {
        const a = tf.reshape(b, [n, -1]);
        const c = tf.reshape(f[k], [n, -1]);
        return tf.mean(tf.div(tf.sum(tf.mul(a, c), 1), tf.mul(tf.norm(a, 2, 1), tf.norm(c, 2, 1))));
      });
      return tf.div(tf.addN(per), per.length);
    });
    result[name] = Math.round((await cos.data())[0] * 1000) / 1000;
    cos.dispose();
  }
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify({ weights, images: n, cossim: result }, null, 2)}\n`);
  else for (const [name, v] of Object.entries(result)) process.stdout.write(`${name.padEnd(36)} ${v.toFixed(3)}\n`);
}

runMain(main);
