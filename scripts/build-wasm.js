'use strict';
// Assembles the hand-written WebAssembly kernels (core/**/*.wat) into dist/core/**/*.wasm with wabt.
// Part of `npm run build`; the .wat files are the source, the .wasm files are build output.
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');

function findWat(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return findWat(p);
    return e.name.endsWith('.wat') ? [p] : [];
  });
}

async function main() {
  const wabt = await require('wabt')();
  for (const src of findWat(path.join(root, 'core'))) {
    const rel = path.relative(root, src);
    const dest = path.join(root, 'dist', rel.replace(/\.wat$/, '.wasm'));
    const module = wabt.parseWat(rel, fs.readFileSync(src, 'utf8'), { simd: true, bulk_memory: true });
    try {
      module.validate();
      const { buffer } = module.toBinary({});
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      fs.writeFileSync(`${dest}.tmp`, Buffer.from(buffer));
      fs.renameSync(`${dest}.tmp`, dest);
    } finally {
      module.destroy();
    }
  }
}

main().catch((err) => {
  console.error(`build-wasm: ${err.message}`);
  process.exit(1);
});
