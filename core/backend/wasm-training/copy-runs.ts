/**
 * Strided block copy on the wasm heap, the inner loop of Concat and SplitV. The stock kernels copy
 * each run with `set(subarray(...))`, which allocates a view per run; for the short runs of a
 * channel-axis concat (16-64 floats per pixel) that dominated their cost (25 ms for a
 * [16,128,64,16] concat). Short runs are copied element by element instead.
 */

type Heap = Float32Array | Int32Array | Uint8Array;

/** Runs shorter than this are copied with a loop; longer ones with `TypedArray.set`. */
const LOOP_BELOW = 128;

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
