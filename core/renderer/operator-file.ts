import * as fs from 'fs';
import type { TextureSampling } from '../interfaces/renderer';
import { writeFileAtomic } from '../io/atomic-write';
import { SparseRenderOperator } from './render-operator';
import type { TexelTaps } from './texel-taps';

/**
 * Binary layout of one render operator (little-endian); a file is one or more records back to back,
 * so a data set's operators can live in one file.
 *
 * | offset | type    | field |
 * |--------|---------|-------|
 * | 0      | 4 bytes | magic "RXOP" |
 * | 4      | uint16  | format version ({@link OPERATOR_FORMAT_VERSION}) |
 * | 6      | uint8   | sampling: 0 nearest, 1 bilinear |
 * | 7      | uint8   | flags: bit 0 pixel indices are uint16, bit 1 texel indices are uint16 (else uint32) |
 * | 8      | uint32  | image height H |
 * | 12     | uint32  | image width W |
 * | 16     | uint32  | texture height Th |
 * | 20     | uint32  | texture width Tw |
 * | 24     | uint32  | covered pixel count P |
 * | 28     | uint32  | record length in bytes, header included |
 * | 32     | ...     | pixel indices [P]; pad to 4 bytes; texel indices [P*K]; pad to 4 bytes; weights float32 [P*K] (bilinear only: nearest weights are all 1) |
 *
 * K = 1 (nearest) or 4 (bilinear). The mask is not stored: it is 1 exactly at the covered pixels.
 */
export const OPERATOR_FORMAT_VERSION = 1;
const MAGIC = [0x52, 0x58, 0x4f, 0x50]; // "RXOP"
const HEADER_BYTES = 32;

const pad4 = (n: number): number => (n + 3) & ~3;

/** Shape a loaded operator must have; any field left out is not checked. */
export interface OperatorShape {
  readonly height?: number;
  readonly width?: number;
  readonly textureSize?: readonly [number, number];
  readonly sampling?: TextureSampling;
}

/** Serialises one operator (see the layout above). */
export function encodeRenderOperator(op: SparseRenderOperator): Uint8Array {
  const t = op.taps;
  const k = t.tapsPerPixel;
  const count = t.pixels.length;
  const smallPixels = t.height * t.width <= 0x10000;
  const smallTexels = t.textureSize[0] * t.textureSize[1] <= 0x10000;
  const pixelBytes = pad4(count * (smallPixels ? 2 : 4));
  const tapBytes = pad4(count * k * (smallTexels ? 2 : 4));
  const weightBytes = t.sampling === 'bilinear' ? count * k * 4 : 0;
  const total = HEADER_BYTES + pixelBytes + tapBytes + weightBytes;
  const buf = new ArrayBuffer(total);
  const view = new DataView(buf);
  MAGIC.forEach((b, i) => view.setUint8(i, b));
  view.setUint16(4, OPERATOR_FORMAT_VERSION, true);
  view.setUint8(6, t.sampling === 'nearest' ? 0 : 1);
  view.setUint8(7, (smallPixels ? 1 : 0) | (smallTexels ? 2 : 0));
  view.setUint32(8, t.height, true);
  view.setUint32(12, t.width, true);
  view.setUint32(16, t.textureSize[0], true);
  view.setUint32(20, t.textureSize[1], true);
  view.setUint32(24, count, true);
  view.setUint32(28, total, true);
  // Typed-array views over the buffer use the platform's byte order; every platform Node runs on is
  // little-endian, which the header records implicitly (readers check it below).
  let off = HEADER_BYTES;
  if (smallPixels) new Uint16Array(buf, off, count).set(t.pixels);
  else new Uint32Array(buf, off, count).set(t.pixels);
  off += pixelBytes;
  if (smallTexels) new Uint16Array(buf, off, count * k).set(t.taps);
  else new Uint32Array(buf, off, count * k).set(t.taps);
  off += tapBytes;
  if (weightBytes > 0) new Float32Array(buf, off, count * k).set(t.weights);
  return new Uint8Array(buf);
}

function fail(source: string, offset: number, why: string): never {
  throw new Error(`${source}: render operator at byte ${offset}: ${why}`);
}

/**
 * Reads every operator record in `bytes`.
 * @param source names the data in error messages (e.g. the file path)
 * @throws on a wrong magic, an unsupported version, a truncated record or inconsistent sizes
 */
export function decodeRenderOperators(bytes: Uint8Array, source = 'render operator data'): SparseRenderOperator[] {
  if (new Uint8Array(Uint16Array.of(1).buffer)[0] !== 1) {
    throw new Error('render operator files are little-endian; this platform is big-endian and cannot read them');
  }
  const out: SparseRenderOperator[] = [];
  let base = 0;
  if (bytes.length === 0) throw new Error(`${source}: empty, expected at least one render operator record`);
  while (base < bytes.length) {
    if (bytes.length - base < HEADER_BYTES) fail(source, base, `truncated header (${bytes.length - base} bytes left)`);
    const view = new DataView(bytes.buffer, bytes.byteOffset + base, HEADER_BYTES);
    if (!MAGIC.every((b, i) => view.getUint8(i) === b)) {
      fail(source, base, 'not a retex render operator (bad magic); was it written by `retex` with encodeRenderOperator?');
    }
    const version = view.getUint16(4, true);
    if (version !== OPERATOR_FORMAT_VERSION) {
      fail(source, base, `format version ${version}, this retex reads version ${OPERATOR_FORMAT_VERSION}: recompute the operators`);
    }
    const samplingCode = view.getUint8(6);
    if (samplingCode > 1) fail(source, base, `unknown sampling code ${samplingCode}`);
    const sampling: TextureSampling = samplingCode === 0 ? 'nearest' : 'bilinear';
    const flags = view.getUint8(7);
    const height = view.getUint32(8, true);
    const width = view.getUint32(12, true);
    const th = view.getUint32(16, true);
    const tw = view.getUint32(20, true);
    const count = view.getUint32(24, true);
    const total = view.getUint32(28, true);
    const k = sampling === 'nearest' ? 1 : 4;
    const smallPixels = (flags & 1) !== 0;
    const smallTexels = (flags & 2) !== 0;
    const pixelBytes = pad4(count * (smallPixels ? 2 : 4));
    const tapBytes = pad4(count * k * (smallTexels ? 2 : 4));
    const weightBytes = k === 4 ? count * k * 4 : 0;
    if (height < 1 || width < 1 || th < 1 || tw < 1 || count > height * width) {
      fail(source, base, `inconsistent sizes (image ${height}x${width}, texture ${th}x${tw}, ${count} covered pixels)`);
    }
    if (total !== HEADER_BYTES + pixelBytes + tapBytes + weightBytes) {
      fail(source, base, `record length ${total} does not match its header's sizes`);
    }
    if (bytes.length - base < total) fail(source, base, `truncated: needs ${total} bytes, ${bytes.length - base} left`);
    // Copy into an aligned buffer: a record inside a file buffer need not start at a multiple of 4.
    // (Buffer.slice would share the file's pool buffer, so copy explicitly.)
    const copy = new Uint8Array(total);
    copy.set(bytes.subarray(base, base + total));
    const rec = copy.buffer;
    let off = HEADER_BYTES;
    const pixels = Int32Array.from(smallPixels ? new Uint16Array(rec, off, count) : new Uint32Array(rec, off, count));
    off += pixelBytes;
    const taps = Int32Array.from(smallTexels ? new Uint16Array(rec, off, count * k) : new Uint32Array(rec, off, count * k));
    off += tapBytes;
    const weights = k === 4 ? new Float32Array(rec, off, count * k).slice() : new Float32Array(count).fill(1);
    const texelTaps: TexelTaps = {
      height,
      width,
      textureSize: [th, tw],
      sampling,
      tapsPerPixel: k,
      pixels,
      taps,
      weights,
    };
    try {
      out.push(new SparseRenderOperator(texelTaps));
    } catch (err) {
      fail(source, base, (err as Error).message);
    }
    base += total;
  }
  return out;
}

/**
 * Checks an operator against the shape a run needs.
 * @throws naming both shapes, so a stale precomputed file is caught before training
 */
export function checkOperatorShape(op: SparseRenderOperator, expected: OperatorShape, source = 'render operator'): void {
  const problems: string[] = [];
  if (expected.height !== undefined && expected.width !== undefined) {
    if (op.height !== expected.height || op.width !== expected.width) {
      problems.push(`image ${op.height}x${op.width}, expected ${expected.height}x${expected.width}`);
    }
  }
  const ts = expected.textureSize;
  if (ts !== undefined && (op.textureSize[0] !== ts[0] || op.textureSize[1] !== ts[1])) {
    problems.push(`texture ${op.textureSize[0]}x${op.textureSize[1]}, expected ${ts[0]}x${ts[1]}`);
  }
  if (expected.sampling !== undefined && op.taps.sampling !== expected.sampling) {
    problems.push(`sampling '${op.taps.sampling}', expected '${expected.sampling}'`);
  }
  if (problems.length > 0) {
    throw new Error(`${source} does not fit this run: ${problems.join('; ')}. Recompute the operators for these settings.`);
  }
}

/** Writes operators to one file, atomically. */
export async function writeRenderOperators(file: string, ops: readonly SparseRenderOperator[]): Promise<void> {
  const parts = ops.map(encodeRenderOperator);
  const total = parts.reduce((n, p) => n + p.length, 0);
  const all = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    all.set(p, off);
    off += p.length;
  }
  await writeFileAtomic(file, all);
}

/**
 * Reads the operators in `file` and checks each against `expected`.
 * @throws when the file is missing, corrupt, from another format version, or of another shape
 */
export async function readRenderOperators(file: string, expected: OperatorShape = {}): Promise<SparseRenderOperator[]> {
  let bytes: Buffer;
  try {
    bytes = await fs.promises.readFile(file);
  } catch (err) {
    throw new Error(`cannot read render operators from ${file}: ${(err as Error).message}`);
  }
  const ops = decodeRenderOperators(bytes, file);
  ops.forEach((op, i) => checkOperatorShape(op, expected, `${file} (operator ${i})`));
  return ops;
}
