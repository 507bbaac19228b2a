// NumPy .npy reading and writing (moved here from plugins/human-smpl/io so core's .npz checkpoint reader can use it).

/** The .npy element types retex reads (little-endian). */
export type NpyDtype = '<f4' | '<f8' | '<i4' | '<i8' | '<u4';

const SUPPORTED: readonly string[] = ['<f4', '<f8', '<i4', '<i8', '<u4'];
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** A parsed .npy array; values are widened to float64 (exact for every supported type within 2^53). */
export interface NpyArray {
  readonly dtype: NpyDtype;
  /** C-order shape (empty for a scalar). */
  readonly shape: readonly number[];
  readonly values: Float64Array;
}

/** A .npy file retex cannot read; the message names the array and what to change. */
export class NpyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NpyError';
  }
}

/**
 * Parses a NumPy .npy file (format versions 1-3): little-endian float32/64, int32/64, uint32 in C order.
 * @param name the array's name, for messages
 * @throws NpyError for a bad header, Fortran order, an unsupported dtype (saying which) or a short payload
 */
export function parseNpy(bytes: Uint8Array, name: string): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new NpyError(`'${name}' is not a .npy array (missing the \\x93NUMPY magic)`);
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    start = 10;
  } else if (major === 2 || major === 3) {
    headerLen = view.getUint32(8, true);
    start = 12;
  } else {
    throw new NpyError(`'${name}': unsupported .npy format version ${major}.${bytes[7]}`);
  }
  const header = Buffer.from(bytes.subarray(start, start + headerLen)).toString(major === 3 ? 'utf8' : 'latin1');
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new NpyError(`'${name}': malformed .npy header ${JSON.stringify(header.trim())}`);
  }
  if (fortran === 'True') {
    throw new NpyError(
      `'${name}' is stored in Fortran (column-major) order, which retex does not read; ` +
        `re-save it in C order, e.g. np.ascontiguousarray(a) before np.savez`,
    );
  }
  if (!SUPPORTED.includes(descr)) {
    const hint =
      descr === '|O'
        ? ' (a Python object array: a scipy sparse matrix such as J_regressor must be exported dense with .toarray())'
        : descr.startsWith('>')
          ? ' (big-endian: convert with a.astype(a.dtype.newbyteorder("<")))'
          : '';
    throw new NpyError(
      `'${name}' has dtype '${descr}'${hint}; supported: ${SUPPORTED.join(', ')} (little-endian float32/64, int32/64, uint32)`,
    );
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => Number(s.replace(/L$/, '')));
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new NpyError(`'${name}': bad shape (${shapeText}) in the .npy header`);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  const itemSize = descr === '<f8' || descr === '<i8' ? 8 : 4;
  const offset = start + headerLen;
  if (bytes.length - offset < count * itemSize) {
    throw new NpyError(
      `'${name}': payload has ${bytes.length - offset} bytes but shape (${shape.join(', ')}) of ${descr} needs ${count * itemSize}; the file is truncated`,
    );
  }
  // Copy so the typed array is aligned (entries inside a zip start at arbitrary offsets).
  const raw = bytes.slice(offset, offset + count * itemSize).buffer;
  const values = new Float64Array(count);
  switch (descr) {
    case '<f4':
      values.set(new Float32Array(raw));
      break;
    case '<f8':
      values.set(new Float64Array(raw));
      break;
    case '<i4':
      values.set(new Int32Array(raw));
      break;
    case '<u4':
      values.set(new Uint32Array(raw));
      break;
    case '<i8': {
      const big = new BigInt64Array(raw);
      for (let i = 0; i < count; i++) values[i] = Number(big[i]);
      break;
    }
  }
  return { dtype: descr as NpyDtype, shape, values };
}

/**
 * Encodes a C-order .npy (format 1.0), for fixtures and exports.
 * @param values the elements in C order; `dtype` decides how they are stored
 */
export function encodeNpy(values: ArrayLike<number>, shape: readonly number[], dtype: NpyDtype = '<f4'): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${dtype}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const itemSize = dtype === '<f8' || dtype === '<i8' ? 8 : 4;
  const out = new Uint8Array(10 + header.length + values.length * itemSize);
  out.set(MAGIC);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(Buffer.from(header, 'latin1'), 10);
  const body = out.buffer.slice(10 + header.length);
  const typed =
    dtype === '<f4'
      ? new Float32Array(body)
      : dtype === '<f8'
        ? new Float64Array(body)
        : dtype === '<i4'
          ? new Int32Array(body)
          : dtype === '<u4'
            ? new Uint32Array(body)
            : null;
  if (typed) typed.set(Array.from(values));
  else {
    const big = new BigInt64Array(body);
    for (let i = 0; i < values.length; i++) big[i] = BigInt(Math.round(values[i]));
  }
  out.set(new Uint8Array(body), 10 + header.length);
  return out;
}
