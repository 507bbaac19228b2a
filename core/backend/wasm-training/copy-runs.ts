/**
 * Strided block copy on the wasm heap, the inner loop of Concat and SplitV. The stock kernels copy
 * each run with `set(subarray(...))`, which allocates a view per run; for the short runs of a
 * channel-axis concat (16-64 floats per pixel) that dominated their cost (25 ms for a
 * [16,128,64,16] concat). When both arrays view the same buffer (the wasm heap, always for kernels)
 * each run is one `copyWithin` on a whole-buffer view, a memmove without a view per run: for the
 * 131072 runs of a [16,128,64,*] channel concat that is 1.2-3.5x faster than an element loop
 * (16-64 floats per run). Otherwise short runs are copied element by element.
 */

type Heap = Float32Array | Int32Array | Uint8Array;

/** Runs shorter than this are copied with a loop; longer ones with `TypedArray.set`. */
const LOOP_BELOW = 128;

/** A view of `a`'s whole buffer with `a`'s element type (byte offsets are multiples of its size). */
function wholeBuffer(a: Heap): Heap {
  if (a instanceof Float32Array) return new Float32Array(a.buffer);
  if (a instanceof Int32Array) return new Int32Array(a.buffer);
  return new Uint8Array(a.buffer);
}

/**
 * Copies `count` runs of `len` elements: run i goes from src[srcOff + i*srcStride] to
 * dst[dstOff + i*dstStride].
 */
export function copyRuns(
  dst: Heap,
  dstOff: number,
  dstStride: number,
  src: Heap,
  srcOff: number,
  srcStride: number,
  len: number,
  count: number,
): void {
  if (len === dstStride && len === srcStride) {
    dst.set(src.subarray(srcOff, srcOff + len * count), dstOff);
    return;
  }
  if (dst.buffer === src.buffer && dst.BYTES_PER_ELEMENT === src.BYTES_PER_ELEMENT) {
    const bytes = dst.BYTES_PER_ELEMENT;
    const whole = wholeBuffer(dst);
    const d0 = dst.byteOffset / bytes + dstOff;
    const s0 = src.byteOffset / bytes + srcOff;
    for (let i = 0; i < count; i++) {
      const s = s0 + i * srcStride;
      whole.copyWithin(d0 + i * dstStride, s, s + len);
    }
    return;
  }
  if (len >= LOOP_BELOW) {
    for (let i = 0; i < count; i++) {
      const s = srcOff + i * srcStride;
      dst.set(src.subarray(s, s + len), dstOff + i * dstStride);
    }
    return;
  }
  for (let i = 0; i < count; i++) {
    const s = srcOff + i * srcStride;
    const d = dstOff + i * dstStride;
    for (let k = 0; k < len; k++) dst[d + k] = src[s + k];
  }
}
