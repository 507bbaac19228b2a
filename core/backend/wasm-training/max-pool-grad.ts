/**
 * `MaxPoolGrad` for the wasm backend. The stock wasm kernel routes gradients to the wrong pixels on
 * some non-square images (e.g. a 4x6 input with 2x2 windows). This one sends each dy value to the
 * first maximum of its window in row-major order, as the cpu backend and TensorFlow do.
 */
import { tf } from '../tf';
import { heapF32, WasmKernelArgs, zerosOutput, type TensorInfo } from './wasm-kernel-utils';

interface Attrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function maxPoolGrad(args: WasmKernelArgs<Attrs>): TensorInfo {
  const { backend, attrs } = args;
  const dy = args.inputs.dy as TensorInfo;
  const input = args.inputs.input as TensorInfo;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  if (dy.shape.join(',') !== info.outShape.join(',')) {
    throw new Error(`MaxPoolGrad: dy [${dy.shape}] should be [${info.outShape}] for input [${input.shape}]`);
  }
  const { batchSize, inHeight, inWidth, inChannels: c, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const { effectiveFilterHeight: fh, effectiveFilterWidth: fw } = info;
  const { top, left } = info.padInfo;
  const out = zerosOutput(backend, input.shape);
  const x = heapF32(backend, input);
  const g = heapF32(backend, dy);
  const dx = heapF32(backend, out);
  const best = new Float32Array(c);
  const where = new Int32Array(c);
  for (let n = 0; n < batchSize; n++) {
    for (let oy = 0; oy < outHeight; oy++) {
      const y0 = oy * strideHeight - top;
      for (let ox = 0; ox < outWidth; ox++) {
        const x0 = ox * strideWidth - left;
        best.fill(-Infinity);
        where.fill(-1);
        for (let wy = 0; wy < fh; wy += dilationHeight) {
          const iy = y0 + wy;
          if (iy < 0 || iy >= inHeight) continue;
          for (let wx = 0; wx < fw; wx += dilationWidth) {
            const ix = x0 + wx;
            if (ix < 0 || ix >= inWidth) continue;
            const base = ((n * inHeight + iy) * inWidth + ix) * c;
            for (let k = 0; k < c; k++) {
              if (x[base + k] > best[k]) {
                best[k] = x[base + k];
                where[k] = base + k;
              }
            }
          }
        }
        const src = ((n * outHeight + oy) * outWidth + ox) * c;
        for (let k = 0; k < c; k++) if (where[k] >= 0) dx[where[k]] += g[src + k];
      }
    }
  }
  return out;
}

/** Kernel config for `tf.registerKernel`. */
export const maxPoolGradConfig: tf.KernelConfig = {
  kernelName: 'MaxPoolGrad',
  backendName: 'wasm',
  kernelFunc: maxPoolGrad as unknown as tf.KernelFunc,
};
