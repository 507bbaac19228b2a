import * as fs from 'fs';
import { writeFileAtomic } from './atomic-write';
import { decodeBfloat16, decodeFloat16, float32ToBfloat16Bits, float32ToFloat16Bits } from './half-float';
import { shapeSize, type HostTensor } from './host-tensor';
import { ModelFileError } from './model-file-error';
import { jsonErrorWhere } from './file-guard';

/**
 * The .safetensors format (Hugging Face): an 8-byte little-endian unsigned header length N, N bytes of
 * UTF-8 JSON `{ name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__"?: {...} }`, then the
 * raw little-endian tensor data; offsets are relative to the start of the data.
 */

/** Element types retex decodes, with their byte sizes. Floats become float32; integers float32 too. */
export const SAFETENSORS_DTYPES = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 } as const;
export type SafetensorsDtype = keyof typeof SAFETENSORS_DTYPES;

/** Types {@link encodeSafetensors} writes. */
export type SafetensorsWriteDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32';

/** Headers above this size are refused (the reference implementation's limit), so a bad length fails fast. */
const MAX_HEADER_BYTES = 100 * 1024 * 1024;

/** One entry of the JSON header, checked. */
export interface SafetensorsEntry {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  /** Byte range in the data section, [begin, end). */
  readonly dataOffsets: readonly [number, number];
}

/** A parsed .safetensors file. */
export interface SafetensorsContents {
  readonly tensors: Map<string, HostTensor>;
  /** The optional `__metadata__` string map. */
  readonly metadata: Readonly<Record<string, string>>;
}

function malformed(file: string, message: string): ModelFileError {
  return new ModelFileError('malformed', `${file} is not a valid .safetensors file: ${message}`, file);
}

/**
 * Reads and validates the header; throws naming the file and the tensor for every inconsistency
 * (short file, header length past the end, bad JSON, unknown dtype, bad shape, offsets outside the data
 * or not matching the shape, overlapping tensors).
 * @returns the entries and the byte offset where the data section starts.
 */
export function readSafetensorsHeader(
  bytes: Uint8Array,
  file: string,
): { entries: SafetensorsEntry[]; metadata: Record<string, string>; dataStart: number } {
  if (bytes.length < 8) {
    throw malformed(file, `it is ${bytes.length} bytes long, shorter than the 8-byte header length that starts the format`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = view.getBigUint64(0, true);
  if (declared > BigInt(bytes.length - 8)) {
    throw malformed(
      file,
      `the header length field says ${declared} bytes but only ${bytes.length - 8} follow it: the file is truncated, or it is not a .safetensors file`,
    );
  }
  const headerLength = Number(declared);
  if (headerLength > MAX_HEADER_BYTES) throw malformed(file, `its header is ${headerLength} bytes (more than ${MAX_HEADER_BYTES})`);
  if (headerLength < 2) throw malformed(file, `its header is ${headerLength} bytes, too short for a JSON object`);
  const text = Buffer.from(bytes.buffer, bytes.byteOffset + 8, headerLength).toString('utf8');
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (err) {
    throw malformed(file, `its header is not valid JSON ${jsonErrorWhere(err)}`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    throw malformed(file, 'its header is not a JSON object of tensors');
  }
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const entries: SafetensorsEntry[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) metadata = raw as Record<string, string>;
      continue;
    }
    const bad = (what: string): ModelFileError => malformed(file, `tensor '${name}' ${what}`);
    if (raw === null || typeof raw !== 'object') throw bad('has no {dtype, shape, data_offsets} entry');
    const { dtype, shape, data_offsets: offsets } = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof dtype !== 'string' || !(dtype in SAFETENSORS_DTYPES)) {
      throw new ModelFileError(
        'unsupported',
        `${file}: tensor '${name}' has dtype ${JSON.stringify(dtype)}, which retex does not read; supported: ` +
          `${Object.keys(SAFETENSORS_DTYPES).join(', ')}. Convert the checkpoint to float32 (or float16/bfloat16) first`,
        file,
      );
    }
    if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
      throw bad(`has shape ${JSON.stringify(shape)}: expected a list of non-negative integers`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || offsets.some((o) => !Number.isSafeInteger(o) || o < 0)) {
      throw bad(`has data_offsets ${JSON.stringify(offsets)}: expected [begin, end] byte offsets`);
    }
    const [begin, end] = offsets as [number, number];
    if (begin > end) throw bad(`has data_offsets [${begin}, ${end}]: begin is after end`);
    if (end > dataLength) {
      throw bad(`has data_offsets [${begin}, ${end}] past the end of the data section (${dataLength} bytes): the file is truncated or damaged`);
    }
    const itemSize = SAFETENSORS_DTYPES[dtype as SafetensorsDtype];
    const need = shapeSize(shape as number[]) * itemSize;
    if (end - begin !== need) {
      throw bad(`spans ${end - begin} bytes but shape [${(shape as number[]).join(',')}] of ${dtype} needs ${need}`);
    }
    entries.push({ name, dtype: dtype as SafetensorsDtype, shape: shape as number[], dataOffsets: [begin, end] });
  }
  const sorted = [...entries].sort((a, b) => a.dataOffsets[0] - b.dataOffsets[0]);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    const cur = sorted[i];
    if (cur.dataOffsets[0] < prev.dataOffsets[1]) {
      throw malformed(
        file,
        `tensors '${prev.name}' [${prev.dataOffsets}] and '${cur.name}' [${cur.dataOffsets}] overlap in the data section`,
      );
    }
  }
  return { entries, metadata, dataStart };
}

/** Decodes one entry to float32 (F32 data aligned to 4 bytes is viewed, not copied). */
function decodeEntry(bytes: Uint8Array, start: number, entry: SafetensorsEntry): Float32Array {
  const count = shapeSize(entry.shape);
  const at = start + entry.dataOffsets[0];
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, entry.dataOffsets[1] - entry.dataOffsets[0]);
  const out = (read: (i: number) => number): Float32Array => {
    const values = new Float32Array(count);
    for (let i = 0; i < count; i++) values[i] = read(i);
    return values;
  };
  switch (entry.dtype) {
    case 'F32':
      // Views need native little-endian order, which every platform Node runs on has.
      if ((bytes.byteOffset + at) % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset + at, count);
      return new Float32Array(bytes.slice(at, at + count * 4).buffer);
    case 'F16':
      return decodeFloat16(bytes, at, count);
    case 'BF16':
      return decodeBfloat16(bytes, at, count);
    case 'F64':
      return out((i) => view.getFloat64(i * 8, true));
    case 'I64':
      return out((i) => Number(view.getBigInt64(i * 8, true)));
    case 'I32':
      return out((i) => view.getInt32(i * 4, true));
    case 'I16':
      return out((i) => view.getInt16(i * 2, true));
    case 'I8':
      return out((i) => view.getInt8(i));
    case 'U8':
    case 'BOOL':
      return out((i) => view.getUint8(i));
  }
}

/**
 * Parses a .safetensors file held in memory; every tensor is decoded to float32 (F16/BF16 exactly).
 * @param file the file's name, for messages
 * @throws ModelFileError naming the file (and the tensor) when anything is inconsistent
 */
export function parseSafetensors(bytes: Uint8Array, file: string): SafetensorsContents {
  const { entries, metadata, dataStart } = readSafetensorsHeader(bytes, file);
  const tensors = new Map<string, HostTensor>();
  for (const e of entries) tensors.set(e.name, { shape: e.shape, values: decodeEntry(bytes, dataStart, e), dtype: e.dtype });
  return { tensors, metadata };
}

/** Reads a .safetensors file; see {@link parseSafetensors}. */
export async function readSafetensors(file: string): Promise<SafetensorsContents> {
  let bytes: Buffer;
  try {
    bytes = await fs.promises.readFile(file);
  } catch (err) {
    throw new ModelFileError('not-found', `cannot read ${file}: ${(err as Error).message}`, file, { cause: err });
  }
  return parseSafetensors(bytes, file);
}

/** A tensor to write; `values` in C order. */
export interface SafetensorsInput {
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: ArrayLike<number>;
  /** Default F32. */
  readonly dtype?: SafetensorsWriteDtype;
}

/**
 * Encodes tensors as .safetensors, data packed in the given order, the header padded with spaces to a
 * multiple of 8 bytes (as the reference writer does, so the data section is aligned).
 */
export function encodeSafetensors(tensors: readonly SafetensorsInput[], metadata?: Readonly<Record<string, string>>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata != null) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of tensors) {
    const dtype = t.dtype ?? 'F32';
    const count = shapeSize(t.shape);
    if (t.values.length !== count) throw new Error(`safetensors: '${t.name}' has ${t.values.length} values for shape [${t.shape}]`);
    if (t.name in header) throw new Error(`safetensors: tensor name '${t.name}' appears twice`);
    const size = count * SAFETENSORS_DTYPES[dtype];
    header[t.name] = { dtype, shape: [...t.shape], data_offsets: [offset, offset + size] };
    offset += size;
  }
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  const pad = (8 - (json.length % 8)) % 8;
  if (pad > 0) json = Buffer.concat([json, Buffer.from(' '.repeat(pad))]);
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let p = 8 + json.length;
  for (const t of tensors) {
    const dtype = t.dtype ?? 'F32';
    const n = t.values.length;
    for (let i = 0; i < n; i++) {
      const v = t.values[i];
      switch (dtype) {
        case 'F32':
          view.setFloat32(p, v, true);
          break;
        case 'F64':
          view.setFloat64(p, v, true);
          break;
        case 'F16':
          view.setUint16(p, float32ToFloat16Bits(v), true);
          break;
        case 'BF16':
          view.setUint16(p, float32ToBfloat16Bits(v), true);
          break;
        case 'I64':
          view.setBigInt64(p, BigInt(Math.round(v)), true);
          break;
        case 'I32':
          view.setInt32(p, v, true);
          break;
      }
      p += SAFETENSORS_DTYPES[dtype];
    }
  }
  return out;
}

/** Writes a .safetensors file atomically; see {@link encodeSafetensors}. */
export async function writeSafetensors(
  file: string,
  tensors: readonly SafetensorsInput[],
  metadata?: Readonly<Record<string, string>>,
): Promise<void> {
  await writeFileAtomic(file, encodeSafetensors(tensors, metadata));
}
