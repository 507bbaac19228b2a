/** An 8-bit RGB image, row-major, 3 bytes per pixel (the layout sharp's raw input takes). */
export interface RgbImage {
  readonly height: number;
  readonly width: number;
  /** uint8 [H*W*3]. */
  readonly pixels: Uint8Array;
}

/** A blank image of one colour (channels 0..255). */
export function solidImage(height: number, width: number, rgb: readonly [number, number, number] = [0, 0, 0]): RgbImage {
  const pixels = new Uint8Array(height * width * 3);
  for (let i = 0; i < pixels.length; i += 3) {
    pixels[i] = rgb[0];
    pixels[i + 1] = rgb[1];
    pixels[i + 2] = rgb[2];
  }
  return { height, width, pixels };
}
