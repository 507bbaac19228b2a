'use strict';
// Assembles the hand-written WebAssembly kernels (core/**/*.wat) into dist/core/**/*.wasm with wabt.
// Part of `npm run build`; the .wat files are the source, the .wasm files are build output.
// A kernel whose inner loops multiply-add (`(f32x4.add (local.get $a) (f32x4.mul X Y))`) is also
// assembled fused, as `NAME.fma.wasm` with `f32x4.relaxed_madd X Y (local.get $a)` (relaxed SIMD: one
// FMA instruction where the CPU has it); core/backend/wasm-training/simd-kernels.ts takes that variant
// where the runtime accepts it and the plain one elsewhere.
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');

const MUL_ADD = /\(f32x4\.add \(local\.get (\$\w+)\) \(f32x4\.mul (\(local\.get \$\w+\)) (\(local\.get \$\w+\))\)\)/g;

/** The source with every accumulate-multiply fused into relaxed_madd, or null when it has none. */
function fused(source) {
  const out = source.replace(MUL_ADD, '(f32x4.relaxed_madd $2 $3 (local.get $1))');
  return out === source ? null : out;
}

function assemble(wabt, rel, source, dest) {
  const module = wabt.parseWat(rel, source, { simd: true, bulk_memory: true, relaxed_simd: true });
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

async function main() {
  const wabt = await require('wabt')();
  const core = path.join(root, 'core');
  const sources = fs.readdirSync(core, { recursive: true }).filter((f) => f.endsWith('.wat'));
  for (const src of sources.map((f) => path.join(core, f))) {
    const rel = path.relative(root, src);
    const dest = path.join(root, 'dist', rel.replace(/\.wat$/, '.wasm'));
    const source = fs.readFileSync(src, 'utf8');
    assemble(wabt, rel, source, dest);
    const fma = fused(source);
    if (fma != null) assemble(wabt, rel, fma, dest.replace(/\.wasm$/, '.fma.wasm'));
  }
}

main().catch((err) => {
  console.error(`build-wasm: ${err.message}`);
  process.exit(1);
});
