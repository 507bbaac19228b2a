'use strict';
// Assembles the hand-written WebAssembly kernels (core/**/*.wat) into dist/core/**/*.wasm with wabt.
// Part of `npm run build`; the .wat files are the source, the .wasm files are build output.
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');

async function main() {
  const wabt = await require('wabt')();
  const core = path.join(root, 'core');
  const sources = fs.readdirSync(core, { recursive: true }).filter((f) => f.endsWith('.wat'));
  for (const src of sources.map((f) => path.join(core, f))) {
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
