/**
 * Training kernels for the TF.js wasm backend: what conv-net training needs that
 * @tensorflow/tfjs-backend-wasm 4.22 lacks (Conv2DBackpropFilter, UnsortedSegmentSum, depthwise
 * backprops), runs slowly (Conv2D, FusedConv2D and Conv2DBackpropInput, Tile, transposed BatchMatMul, channel Concat/SplitV,
 * Sum/Mean over axes before the last, copying Identity,
 * per-channel Multiply/Add/Sub) or gets wrong
 * (resize gradients with halfPixelCenters, MaxPoolGrad on some non-square images).
 */
import { tf } from '../tf';
import { addConfig } from './add';
import { batchMatMulConfig } from './batch-mat-mul';
import { batchNormGradInputConfig, batchNormGradSumsConfig, channelMomentsConfig } from './batch-norm-train';
import { concatConfig } from './concat';
import { conv2DConfig, fusedConv2DConfig } from './conv2d';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter';
import { conv2DBackpropInputConfig } from './conv2d-backprop-input';
import { depthwiseConv2dNativeBackpropFilterConfig } from './depthwise-conv2d-backprop-filter';
import { depthwiseConv2dNativeBackpropInputConfig } from './depthwise-conv2d-backprop-input';
import { identityConfig } from './identity';
import { maxPoolGradConfig } from './max-pool-grad';
import { meanConfig } from './mean';
import { multiplyConfig } from './multiply';
import { resizeBilinearGradConfig } from './resize-bilinear-grad';
import { resizeNearestNeighborGradConfig } from './resize-nearest-neighbor-grad';
import { splitVConfig } from './split-v';
import { subConfig } from './sub';
import { sumConfig } from './sum';
import { tileConfig } from './tile';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum';
import { captureStockKernel, markOwnKernel } from './wasm-kernel-utils';

/** Every kernel this package registers on 'wasm'. */
export const WASM_TRAINING_KERNELS: readonly tf.KernelConfig[] = [
  conv2DConfig,
  fusedConv2DConfig,
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  depthwiseConv2dNativeBackpropInputConfig,
  unsortedSegmentSumConfig,
  tileConfig,
  batchMatMulConfig,
  maxPoolGradConfig,
  resizeBilinearGradConfig,
  resizeNearestNeighborGradConfig,
  concatConfig,
  splitVConfig,
  sumConfig,
  meanConfig,
  identityConfig,
  multiplyConfig,
  addConfig,
  subConfig,
  channelMomentsConfig,
  batchNormGradSumsConfig,
  batchNormGradInputConfig,
];

/**
 * Registers the training kernels on the 'wasm' backend, replacing stock kernels of the same name
 * (the stock versions stay reachable for delegation). Idempotent: a second call changes nothing.
 * Call it before or after `tf.setBackend('wasm')`; a stock kernel's setup is kept so that a later
 * backend initialisation still prepares it.
 */
export function installWasmTrainingKernels(): void {
  for (const config of WASM_TRAINING_KERNELS) {
    markOwnKernel(config.kernelFunc);
    const current = tf.getKernel(config.kernelName, 'wasm');
    if (current != null && current.kernelFunc === config.kernelFunc) continue;
    const stock = captureStockKernel(config.kernelName);
    if (current != null) tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel({ ...config, setupFunc: stock?.setupFunc ?? config.setupFunc });
  }
}
