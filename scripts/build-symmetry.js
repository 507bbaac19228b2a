'use strict';
// Stores the human plugin's texture symmetry (mirror map and part labels) of the built-in body at the
// shipped configs' texture size next to the compiled plugin (dist/plugins/human-smpl/symmetry/), so that
// `retex run` reads it instead of building it in every process (~250 ms). Part of `npm run build`, after
// tsc; other bodies and sizes are still built on first use. spec/plugins/human-smpl checks the stored file
// against the computed one.
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');

function main() {
  const symmetry = require(path.join(root, 'dist', 'plugins', 'human-smpl', 'texture-symmetry.js'));
  for (const size of symmetry.PRECOMPUTED_SYMMETRY_SIZES) {
    const file = symmetry.precomputedSymmetryFile(size);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(`${file}.tmp`, symmetry.precomputedSymmetryBytes(size));
    fs.renameSync(`${file}.tmp`, file);
  }
}

try {
  main();
} catch (err) {
  console.error(`build-symmetry: ${err.message}`);
  process.exit(1);
}
