/**
 * Kernels of training-mode batch norm on wasm (`simd/batch-norm.wat`), each one pass over memory where tfjs'
 * ops take three or four and a dispatch each: the per-channel mean and (biased) variance, the gradient's
 * per-channel sums, and the input gradient. `core/nn/batch-norm` runs them when {@link fusedBatchNormAvailable}
 * says so (wasm backend, channels in fours) and its composition of tfjs ops elsewhere; they have no gradient
 * of their own and run inside its custom-gradient op only.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '../tf';
import { simdKernel } from './simd-kernels';
import { free, heapF32, heapOffset, type TensorInfo } from './wasm-kernel-utils';

/** The exports of `simd/batch-norm.wasm` (see the .wat for the contract). */
interface BatchNormExports {
  channel_sums(x: number, n: number, channels: number, out: number, acc: number, mean: number, mode: number): void;
  grad_sums(dy: number, y: number, x: number, n: number, channels: number, mean: number, relu: number, dbeta: number, dxc: number, acc: number, acc2: number): void;
  grad_input(dy: number, y: number, x: number, dx: number, n: number, channels: number, a: number, b: number, d: number, relu: number): void;
}

/** Kernel names (registered on 'wasm' only). */
export const CHANNEL_MOMENTS = 'RetexChannelMoments';
export const BATCH_NORM_GRAD_SUMS = 'RetexBatchNormGradSums';
export const BATCH_NORM_GRAD_INPUT = 'RetexBatchNormGradInput';

/** Whether the fused kernels run here: the wasm backend with its SIMD kernels, and channels in fours. */
export function fusedBatchNormAvailable(channels: number): boolean {
  if (channels % 4 !== 0 || tf.getBackend() !== 'wasm') return false;
  return simdKernel<BatchNormExports>(tf.backend() as BackendWasm, 'batch-norm') != null;
}

function kernelOf(backend: BackendWasm): BatchNormExports {
  const kernel = simdKernel<BatchNormExports>(backend, 'batch-norm');
  if (kernel == null) throw new Error('the batch-norm kernels cannot run on this wasm heap (check fusedBatchNormAvailable first)');
  return kernel;
}

/** Rows and channels of a channels-last tensor. */
function rowsOf(x: TensorInfo): { n: number; c: number } {
  const c = x.shape[x.shape.length - 1];
  return { n: tf.util.sizeFromShape(x.shape) / c, c };
}

/** mean and biased variance over every axis but the last: [C] each. */
function channelMoments(args: { inputs: tf.NamedTensorInfoMap; backend: BackendWasm }): TensorInfo[] {
  const { backend } = args;
  const x = args.inputs.x as TensorInfo;
  const { n, c } = rowsOf(x);
  const kernel = kernelOf(backend);
  const mean = backend.makeOutput([c], 'float32');
  const variance = backend.makeOutput([c], 'float32');
  const acc = backend.makeOutput([c], 'float32');
  const at = (t: TensorInfo): number => heapOffset(backend, t);
  kernel.channel_sums(at(x), n, c, at(mean), at(acc), 0, 0);
  const m = heapF32(backend, mean);
  for (let i = 0; i < c; i++) m[i] /= n;
  kernel.channel_sums(at(x), n, c, at(variance), at(acc), at(mean), 1);
  const v = heapF32(backend, variance);
  for (let i = 0; i < c; i++) v[i] /= n;
  free(backend, acc);
  return [mean, variance];
}

/** dbeta = sum dz and dxc = sum dz (x - mean) per channel, dz = dy (masked by y > 0 with `relu`). */
function gradSums(args: { inputs: tf.NamedTensorInfoMap; backend: BackendWasm; attrs: tf.NamedAttrMap }): TensorInfo[] {
  const { backend } = args;
  const { dy, y, x, mean } = args.inputs as Record<string, TensorInfo>;
  const { n, c } = rowsOf(x);
  const kernel = kernelOf(backend);
  const outs = [0, 1, 2, 3].map(() => backend.makeOutput([c], 'float32'));
  const at = (t: TensorInfo): number => heapOffset(backend, t);
  kernel.grad_sums(at(dy), at(y), at(x), n, c, at(mean), args.attrs.relu ? 1 : 0, at(outs[0]), at(outs[1]), at(outs[2]), at(outs[3]));
  free(backend, outs[2], outs[3]);
  return [outs[0], outs[1]];
}

/** dx = a dz + b x + d per channel, dz as in {@link gradSums}. */
function gradInput(args: { inputs: tf.NamedTensorInfoMap; backend: BackendWasm; attrs: tf.NamedAttrMap }): TensorInfo {
  const { backend } = args;
  const { dy, y, x, a, b, d } = args.inputs as Record<string, TensorInfo>;
  const { n, c } = rowsOf(x);
  const dx = backend.makeOutput(x.shape, 'float32');
  const at = (t: TensorInfo): number => heapOffset(backend, t);
  kernelOf(backend).grad_input(at(dy), at(y), at(x), at(dx), n, c, at(a), at(b), at(d), args.attrs.relu ? 1 : 0);
  return dx;
}

export const channelMomentsConfig: tf.KernelConfig = {
  kernelName: CHANNEL_MOMENTS,
  backendName: 'wasm',
  kernelFunc: channelMoments as unknown as tf.KernelFunc,
};

export const batchNormGradSumsConfig: tf.KernelConfig = {
  kernelName: BATCH_NORM_GRAD_SUMS,
  backendName: 'wasm',
  kernelFunc: gradSums as unknown as tf.KernelFunc,
};

export const batchNormGradInputConfig: tf.KernelConfig = {
  kernelName: BATCH_NORM_GRAD_INPUT,
  backendName: 'wasm',
  kernelFunc: gradInput as unknown as tf.KernelFunc,
};
