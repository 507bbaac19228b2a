/**
 * The one loop both depthwise-convolution gradients share: it visits every (batch, output pixel,
 * filter tap) whose input pixel lies inside the image, with the flat offsets of that input pixel,
 * that output pixel and that tap. Offsets are in elements of x ([b, h, w, c]), dy ([b, oh, ow, c*m])
 * and the filter ([kh, kw, c, m]), all channels-last.
 */
import type { Conv2DInfo } from './wasm-kernel-utils';

export function forEachDepthwiseTap(
  info: Conv2DInfo,
  visit: (xOffset: number, dyOffset: number, filterOffset: number) => void,
): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const { top, left } = info.padInfo;
  for (let n = 0; n < batchSize; n++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        const dyOffset = ((n * outHeight + oy) * outWidth + ox) * outChannels;
        for (let ky = 0; ky < filterHeight; ky++) {
          const iy = oy * strideHeight + ky * dilationHeight - top;
          if (iy < 0 || iy >= inHeight) continue;
          for (let kx = 0; kx < filterWidth; kx++) {
            const ix = ox * strideWidth + kx * dilationWidth - left;
            if (ix < 0 || ix >= inWidth) continue;
            visit(((n * inHeight + iy) * inWidth + ix) * inChannels, dyOffset, (ky * filterWidth + kx) * outChannels);
          }
        }
      }
    }
  }
}

/** A 1x1, stride-1, unpadded depthwise conv with multiplier 1: a per-channel scale (channel-affine ops). */
export function isPerChannelScale(info: Conv2DInfo): boolean {
  return (
    info.filterHeight === 1 &&
    info.filterWidth === 1 &&
    info.strideHeight === 1 &&
    info.strideWidth === 1 &&
    info.outChannels === info.inChannels &&
    info.padInfo.top === 0 &&
    info.padInfo.left === 0 &&
    info.outHeight === info.inHeight &&
    info.outWidth === info.inWidth
  );
}
