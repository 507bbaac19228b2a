/**
 * The input gradient of a convolution with fewer than 8 input channels (a network's RGB stem) by the
 * SIMD kernel `simd/narrow-input-grad.wat`: each input pixel gathers only its stride phase's taps,
 * four pixels at a time, vectorised over the output channels. The general path (stride phases as
 * forward convolutions) hands such a layer to XNNPACK with 3 output channels, which is slow: the shipped
 * people PCB's 7x7 stride-2 stem gradient takes 21.6 ms by that path at batch 16.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { copyRuns } from './copy-runs';
import { simdKernel } from './simd-kernels';
import { free, heapF32, heapOffset, zeroPadded, type Conv2DInfo, type TensorInfo } from './wasm-kernel-utils';

/** The exports of `simd/narrow-input-grad.wasm` (see the .wat for the contract). */
interface NarrowInputGradExports {
  narrow_input_grad(dy: number, w: number, dx: number, ...geometry: number[]): void;
}

/** Whether the narrow kernel takes this gradient: few input channels, output channels in fours, no dilation. */
export function narrowInputGradEligible(info: Conv2DInfo): boolean {
  return info.inChannels < 8 && info.outChannels % 4 === 0 && info.dilationHeight === 1 && info.dilationWidth === 1;
}

/**
 * dx of the convolution `info` describes, or null when the kernel cannot run on this backend's heap.
 * @param dy float32 [batch, outHeight, outWidth, outChannels]
 * @param filter float32 [filterHeight, filterWidth, inChannels, outChannels]
 * @returns a new float32 [batch, inHeight, inWidth, inChannels] the caller owns
 */
export function narrowInputGradient(
  backend: BackendWasm,
  dy: TensorInfo,
  filter: TensorInfo,
  info: Conv2DInfo,
): TensorInfo | null {
  const kernel = simdKernel<NarrowInputGradExports>(backend, 'narrow-input-grad');
  if (kernel == null) return null;
  const { batchSize: b, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow, outChannels: co } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { top: pt, left: pl } = info.padInfo;
  // dx columns in whole blocks of 4 pixels per stride phase; dy padded so every tap's row and column exist.
  const wp = Math.ceil(w / (4 * sw)) * 4 * sw;
  const py0 = Math.ceil(Math.max(0, kh - 1 - pt) / sh);
  const px0 = Math.ceil(Math.max(0, kw - 1 - pl) / sw);
  const ohp = Math.max(oh + py0, Math.floor((h - 1 + pt) / sh) + py0 + 1);
  const owp = Math.max(ow + px0, Math.floor((wp - 1 + pl) / sw) + px0 + 1);
  const padded = zeroPadded(backend, dy, ohp, owp, py0, px0);
  const wide = backend.makeOutput([b, h, wp, c], 'float32');
  kernel.narrow_input_grad(
    heapOffset(backend, padded), heapOffset(backend, filter), heapOffset(backend, wide),
    b, h, wp, c, ohp, owp, co, kh, kw, sh, sw, pt, pl, py0, px0,
  );
  free(backend, padded);
  if (wp === w) return wide;
  const out = backend.makeOutput([b, h, w, c], 'float32');
  copyRuns(heapF32(backend, out), 0, w * c, heapF32(backend, wide), 0, wp * c, w * c, b * h);
  free(backend, wide);
  return out;
}
