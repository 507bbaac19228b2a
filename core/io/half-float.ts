/**
 * IEEE 754 half precision (float16) and bfloat16 <-> float32, for checkpoints stored in 16 bits
 * (.safetensors F16/BF16, .npy '<f2'). Decoding is exact; encoding rounds to nearest, ties to even.
 */

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

let halfTable: Float32Array | null = null;

/** All 65,536 float16 values as float32, built on first use (256 KB). */
function halfToFloatTable(): Float32Array {
  if (halfTable != null) return halfTable;
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const mant = h & 0x3ff;
    if (exp === 0) table[h] = sign * mant * 2 ** -24;
    else if (exp === 31) table[h] = mant === 0 ? sign * Infinity : NaN;
    else table[h] = sign * (1 + mant / 1024) * 2 ** (exp - 15);
  }
  halfTable = table;
  return table;
}

/** The float32 value of float16 bits (exact: every float16 is a float32). */
export function float16BitsToFloat32(bits: number): number {
  return halfToFloatTable()[bits & 0xffff];
}

/** The float32 value of bfloat16 bits (exact: bfloat16 is the top half of a float32). */
export function bfloat16BitsToFloat32(bits: number): number {
  U32[0] = (bits & 0xffff) << 16;
  return F32[0];
}

/** Decodes `count` little-endian float16 values starting at `offset` of `bytes`. */
export function decodeFloat16(bytes: Uint8Array, offset: number, count: number): Float32Array {
  const table = halfToFloatTable();
  const out = new Float32Array(count);
  for (let i = 0, p = offset; i < count; i++, p += 2) out[i] = table[bytes[p] | (bytes[p + 1] << 8)];
  return out;
}

/** Decodes `count` little-endian bfloat16 values starting at `offset` of `bytes`. */
export function decodeBfloat16(bytes: Uint8Array, offset: number, count: number): Float32Array {
  const bits = new Uint32Array(count);
  for (let i = 0, p = offset; i < count; i++, p += 2) bits[i] = ((bytes[p] | (bytes[p + 1] << 8)) << 16) >>> 0;
  return new Float32Array(bits.buffer);
}

/** float16 bits of a number (rounded to float32 first, then to nearest-even float16; overflow gives ±Inf). */
export function float32ToFloat16Bits(value: number): number {
  F32[0] = value;
  const x = U32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // A float16 subnormal (or zero): the 24-bit significand shifted into units of 2^-24.
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rest > mid || (rest === mid && (half & 1) === 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  // A carry out of the significand correctly bumps the exponent (up to Inf).
  if (rest > 0x1000 || (rest === 0x1000 && (half & 1) === 1)) half++;
  return sign | half;
}

/** bfloat16 bits of a number (rounded to float32 first, then to nearest-even bfloat16). */
export function float32ToBfloat16Bits(value: number): number {
  F32[0] = value;
  const x = U32[0];
  if ((x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff) !== 0) return ((x >>> 16) | 0x40) & 0xffff;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}
