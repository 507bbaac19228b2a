/**
 * 3x3 stride-1 convolutions by Winograd's minimal filtering, F(2x2, 3x3) (`simd/winograd.wat`): each 2x2
 * block of outputs costs 16 multiply-adds per channel pair instead of 36. On the U-Net's and the shipped
 * PCB's layers the direct kernels run near what 128-bit wasm SIMD allows, so fewer operations is what is
 * left. Measured at batch 16 against the direct kernel: 1.4x on 16-channel layers at 64x64 (the transforms
 * weigh most there), 1.6-2.3x on 64-128-channel ones. Results differ from the direct convolution by float
 * rounding (errors of the same size against a float64 reference; the transforms only add and halve).
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { simdKernel } from './simd-kernels';
import { free, heapOffset, zeroPadded, zeroWidened, type Conv2DInfo, type TensorInfo } from './wasm-kernel-utils';

/** The exports of `simd/winograd.wasm` (see the .wat for the contract). */
interface WinogradExports {
  winograd_filter(w: number, u: number, inChannels: number, outChannels8: number): void;
  winograd_conv(
    x: number, u: number, y: number, v: number, m: number, bias: number, act: number,
    batch: number, tileRows: number, tileCols: number, paddedHeight: number, paddedWidth: number, inChannels: number,
    outHeight: number, outWidth: number, outChannels: number, outChannels8: number, chunk: number,
  ): void;
  winograd_filter_grad(
    x: number, dy: number, out: number, v: number, y: number, s: number,
    batch: number, tileRows: number, tileCols: number, paddedHeight: number, paddedWidth: number, inChannels: number,
    outHeight: number, outWidth: number, outChannels: number, chunk: number,
  ): void;
}

/** Environment switch that turns the Winograd path off (`RETEX_WINOGRAD=0`), e.g. to measure what it gains. */
export const WINOGRAD_ENV = 'RETEX_WINOGRAD';

/**
 * Whether the Winograd kernel takes this convolution: 3x3, stride 1, undilated, non-negative padding, input
 * and output channels in fours (the transforms run on 4 channels at a time), at least 8 output channels.
 */
export function winogradEligible(info: Conv2DInfo): boolean {
  return (
    process.env[WINOGRAD_ENV] !== '0' &&
    info.filterHeight === 3 && info.filterWidth === 3 && info.strideHeight === 1 && info.strideWidth === 1 &&
    info.dilationHeight === 1 && info.dilationWidth === 1 && info.padInfo.top >= 0 && info.padInfo.left >= 0 &&
    info.inChannels % 4 === 0 && info.outChannels % 4 === 0 && info.outChannels >= 8
  );
}

/**
 * Tiles per chunk. Small chunks keep a chunk's transformed inputs and products in the first-level cache
 * between the transforms and the products; measured at batch 16 on the U-Net's and PCB's layers, chunks of
 * 4-12 tiles ran 1.2-1.5x faster than 64 even where that re-reads the transformed filter from L2 per chunk
 * (the filter gradient, which adds each chunk's sums into [16][CI][CO] in memory: 8 and 16 best, 64 1.25x slower).
 */
const CHUNK_TILES = 8;

/**
 * The convolution `info` describes by the Winograd kernel (the caller checked {@link winogradEligible});
 * null when the kernel cannot share this backend's heap.
 * @param x float32 [batch, inHeight, inWidth, inChannels]
 * @param filter float32 [3, 3, inChannels, outChannels]
 * @param bias float32 [outChannels] added before `activation` (0 linear, 1 relu, 2 relu6), or null
 */
export function winogradConv2d(
  backend: BackendWasm,
  x: TensorInfo,
  filter: TensorInfo,
  info: Conv2DInfo,
  bias: TensorInfo | null,
  activation: number,
): TensorInfo | null {
  const kernel = simdKernel<WinogradExports>(backend, 'winograd');
  if (kernel == null) return null;
  const { batchSize: b, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co } = info;
  const co8 = Math.ceil(co / 8) * 8;
  const tiles = paddedTiles(backend, x, info);
  const wide = co8 === co ? null : zeroWidened(backend, filter, 9 * ci, co, co8);
  const chunk = CHUNK_TILES;
  const u = backend.makeOutput([16 * ci * co8], 'float32');
  const v = backend.makeOutput([16 * chunk * ci], 'float32');
  const m = backend.makeOutput([16 * chunk * co8], 'float32');
  const out = backend.makeOutput([b, oh, ow, co], 'float32');
  // Offsets are taken after every allocation: all of them live on the same (possibly grown) heap.
  const offset = (t: TensorInfo): number => heapOffset(backend, t);
  kernel.winograd_filter(offset(wide ?? filter), offset(u), ci, co8);
  kernel.winograd_conv(
    offset(tiles.padded), offset(u), offset(out), offset(v), offset(m), bias == null ? 0 : offset(bias), activation,
    b, tiles.rows, tiles.cols, tiles.height, tiles.width, ci, oh, ow, co, co8, chunk,
  );
  free(backend, tiles.padded, wide, u, v, m);
  return out;
}

/**
 * The tiles of `info`'s output (2x2 blocks, rows x cols per image) and x zero-padded so that every tile's 4x4
 * inputs lie inside it: padding on top/left as the convolution's, zeros to the bottom/right as far as the last
 * tile reads (rows past that are copied but never read).
 */
function paddedTiles(
  backend: BackendWasm,
  x: TensorInfo,
  info: Conv2DInfo,
): { padded: TensorInfo; rows: number; cols: number; height: number; width: number } {
  const rows = Math.ceil(info.outHeight / 2);
  const cols = Math.ceil(info.outWidth / 2);
  const height = Math.max(2 * rows + 2, info.padInfo.top + info.inHeight);
  const width = Math.max(2 * cols + 2, info.padInfo.left + info.inWidth);
  return { padded: zeroPadded(backend, x, height, width, info.padInfo.top, info.padInfo.left), rows, cols, height, width };
}

/** Whether {@link winogradFilterGradient} takes this convolution: as {@link winogradEligible}, with outputs in eights. */
export function winogradFilterGradEligible(info: Conv2DInfo): boolean {
  return winogradEligible(info) && info.outChannels % 8 === 0;
}

/**
 * The filter gradient of the convolution `info` describes, by Winograd's F(3x3, 2x2) over the same tiles (the
 * caller checked {@link winogradFilterGradEligible}); null when the kernel cannot share this backend's heap.
 * @param x float32 [batch, inHeight, inWidth, inChannels]
 * @param dy float32 [batch, outHeight, outWidth, outChannels]
 * @returns float32 [3, 3, inChannels, outChannels]
 */
export function winogradFilterGradient(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, info: Conv2DInfo): TensorInfo | null {
  const kernel = simdKernel<WinogradExports>(backend, 'winograd');
  if (kernel == null) return null;
  const { batchSize: b, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co } = info;
  const tiles = paddedTiles(backend, x, info);
  const chunk = CHUNK_TILES;
  const v = backend.makeOutput([16 * chunk * ci], 'float32');
  const y = backend.makeOutput([16 * chunk * co], 'float32');
  const sums = backend.makeOutput([16 * ci * co], 'float32');
  const out = backend.makeOutput([3, 3, ci, co], 'float32');
  const offset = (t: TensorInfo): number => heapOffset(backend, t);
  kernel.winograd_filter_grad(
    offset(tiles.padded), offset(dy), offset(out), offset(v), offset(y), offset(sums),
    b, tiles.rows, tiles.cols, tiles.height, tiles.width, ci, oh, ow, co, chunk,
  );
  free(backend, tiles.padded, v, y, sums);
  return out;
}
