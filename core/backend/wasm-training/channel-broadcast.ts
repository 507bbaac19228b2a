/**
 * Elementwise Multiply / Add / Sub of a [..., C] tensor with a per-channel [C] vector (batch-norm
 * scale and shift, biases, and their gradients) as one XNNPACK depthwise 1x1 convolution:
 * y = x * filter[c] + bias[c]. The stock wasm binary kernels take a generic broadcasting path for
 * this (2.9 ms for [16,128,64,16] x [16] against 1.2 ms). With filter 1 or -1 and a bias, or a
 * filter and no bias, every result is a single rounded operation, so values equal the stock ones.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '../tf';
import { free, heapF32, runKernel, type TensorInfo } from './wasm-kernel-utils';

/** Below this many elements the stock kernel's overhead is smaller than a convolution's setup. */
const MIN_ELEMENTS = 1 << 14;
/** One channel is a scalar broadcast, which the stock kernel does 10x faster than a convolution. */
const MIN_CHANNELS = 2;

/** The tensor broadcast over and the per-channel vector, when a and b have that shape pattern. */
export interface ChannelBroadcast {
  big: TensorInfo;
  vector: TensorInfo;
  /** True when the vector is the first operand (matters for Sub). */
  vectorFirst: boolean;
}

export function channelBroadcast(a: TensorInfo, b: TensorInfo): ChannelBroadcast | null {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  const match = (big: TensorInfo, vec: TensorInfo): boolean => {
    const c = big.shape[big.shape.length - 1];
    const size = tf.util.sizeFromShape(big.shape);
    return (
      big.shape.length >= 2 &&
      size >= MIN_ELEMENTS &&
      c >= MIN_CHANNELS &&
      vec.shape.length >= 1 &&
      vec.shape.length <= big.shape.length &&
      vec.shape[vec.shape.length - 1] === c &&
      tf.util.sizeFromShape(vec.shape) === c
    );
  };
  if (match(a, b)) return { big: a, vector: b, vectorFirst: false };
  if (match(b, a)) return { big: b, vector: a, vectorFirst: true };
  return null;
}

/**
 * x * scale[c] + shift[c] over the last axis of float32 `x`, with scale and shift given as plain
 * arrays (shift may be omitted). Returns a new tensor of x's shape.
 */
export function channelAffine(
  backend: BackendWasm,
  x: TensorInfo,
  scale: Float32Array,
  shift: Float32Array | null,
): TensorInfo {
  const c = scale.length;
  const rows = tf.util.sizeFromShape(x.shape) / c;
  const filter = backend.makeOutput([1, 1, c, 1], 'float32');
  heapF32(backend, filter).set(scale);
  let bias: TensorInfo | null = null;
  if (shift != null) {
    bias = backend.makeOutput([c], 'float32');
    heapF32(backend, bias).set(shift);
  }
  const inputs: tf.NamedTensorInfoMap = { x: { dataId: x.dataId, shape: [1, rows, 1, c], dtype: 'float32' }, filter };
  if (bias != null) inputs.bias = bias;
  const out = runKernel(backend, 'FusedDepthwiseConv2D', inputs, {
    strides: [1, 1],
    pad: 'valid',
    dilations: [1, 1],
    dataFormat: 'NHWC',
    activation: 'linear',
  });
  free(backend, filter, bias);
  out.shape = x.shape.slice();
  return out;
}

/** The vector's values as a plain array (a copy: later heap allocations may detach views). */
export function vectorValues(backend: BackendWasm, vector: TensorInfo): Float32Array {
  return heapF32(backend, vector).slice();
}
