/**
 * `Tile` for the wasm backend, replacing the stock kernel (a per-element index loop: 167 ms to tile
 * [1,1,1,16] to [16,128,64,16], which batch norm's gradient does once per layer). Tiling is block
 * copying: the innermost axis is copied as a run, and each outer axis repeats the finished block by
 * doubling `copyWithin`, so the cost is that of writing the output once.
 */
import { tf } from '../tf';
import { runKernel, WasmKernelArgs, type TensorInfo } from './wasm-kernel-utils';

type Heap = Float32Array | Int32Array | Uint8Array;

/** Repeats out[start, start + len) `times` times in place (the first copy already written). */
function repeatBlock(out: Heap, start: number, len: number, times: number): void {
  let done = 1;
  while (done < times) {
    const n = Math.min(done, times - done);
    out.copyWithin(start + done * len, start, start + n * len);
    done += n;
  }
}

function tile(args: WasmKernelArgs<{ reps: number[] }>): TensorInfo {
  const { backend, attrs } = args;
  const x = args.inputs.x as TensorInfo;
  const { reps } = attrs;
  if (x.dtype === 'string' || x.dtype === 'complex64') {
    return runKernel(backend, 'Tile', { x }, { reps }, { stock: true });
  }
  const rank = x.shape.length;
  if (reps.length !== rank) {
    throw new Error(`Tile: reps [${reps}] must have one entry per axis of x [${x.shape}]`);
  }
  const outShape = x.shape.map((s, i) => s * reps[i]);
  const out = backend.makeOutput(outShape, x.dtype);
  if (outShape.some((s) => s === 0)) return out;
  if (rank === 0) {
    (backend.typedArrayFromHeap(out) as Heap).set(backend.typedArrayFromHeap(x) as Heap);
    return out;
  }
  const src = backend.typedArrayFromHeap(x) as Heap;
  const dst = backend.typedArrayFromHeap(out) as Heap;
  const last = reps[rank - 1];
  if (x.shape[rank - 1] === 1 && reps.every((r, d) => d === rank - 1 || r === 1)) {
    // A mask [..., 1] widened to [..., C]: one loop (block copies would be one call per element).
    for (let i = 0, n = src.length; i < n; i++) {
      const v = src[i];
      for (let r = 0; r < last; r++) dst[i * last + r] = v;
    }
    return out;
  }
  const inStride = new Array<number>(rank);
  const outStride = new Array<number>(rank);
  inStride[rank - 1] = 1;
  outStride[rank - 1] = 1;
  for (let d = rank - 2; d >= 0; d--) {
    inStride[d] = inStride[d + 1] * x.shape[d + 1];
    outStride[d] = outStride[d + 1] * outShape[d + 1];
  }
  // Writes the output block of axes d.. whose first element is out[outOff], from x at inOff.
  const fill = (d: number, inOff: number, outOff: number): void => {
    const s = x.shape[d];
    if (d === rank - 1) {
      dst.set(src.subarray(inOff, inOff + s), outOff);
    } else {
      for (let i = 0; i < s; i++) fill(d + 1, inOff + i * inStride[d], outOff + i * outStride[d]);
    }
    repeatBlock(dst, outOff, s * outStride[d], reps[d]);
  };
  fill(0, 0, 0);
  return out;
}

/** Kernel config for `tf.registerKernel`. */
export const tileConfig: tf.KernelConfig = {
  kernelName: 'Tile',
  backendName: 'wasm',
  kernelFunc: tile as unknown as tf.KernelFunc,
};
