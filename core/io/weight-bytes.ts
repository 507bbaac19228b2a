import type { tf } from '../backend/tf';

type WeightsManifestEntry = tf.io.WeightsManifestEntry;

const BYTES_PER_VALUE: Record<string, number> = {
  float32: 4,
  int32: 4,
  bool: 1,
  complex64: 8,
  // quantized storage types
  uint8: 1,
  uint16: 2,
  float16: 2,
};

/**
 * Number of bytes one weight occupies in a .bin shard, or undefined when that cannot be known from the
 * manifest alone (string tensors carry per-element lengths inside the data).
 */
export function weightByteLength(spec: WeightsManifestEntry): number | undefined {
  const storedDtype = spec.quantization?.dtype ?? spec.dtype;
  const bytes = BYTES_PER_VALUE[storedDtype];
  if (bytes === undefined) return undefined;
  const count = spec.shape.reduce((a, b) => a * b, 1);
  return count * bytes;
}

/** Total bytes of `specs` laid end to end, or undefined if any entry's size is data-dependent. */
export function totalWeightBytes(specs: readonly WeightsManifestEntry[]): number | undefined {
  let total = 0;
  for (const spec of specs) {
    const n = weightByteLength(spec);
    if (n === undefined) return undefined;
    total += n;
  }
  return total;
}

/** A Node Buffer's bytes as a standalone ArrayBuffer (Buffers may be views into a larger shared pool). */
export function toArrayBuffer(buf: Uint8Array): ArrayBuffer {
  if (buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength && buf.buffer instanceof ArrayBuffer) {
    return buf.buffer;
  }
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}
