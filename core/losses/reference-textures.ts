import * as fs from 'fs';
import * as path from 'path';
import { readPixels } from '../io/image-decode';

const TEXTURE_FILE = /\.(png|jpe?g|webp)$/i;

/** Most reference textures read from a folder (the authors drew from SURREAL's ~900). */
export const MAX_REFERENCE_TEXTURES = 1000;

/**
 * Reads a folder of texture images (PNG, JPEG, WebP; sorted by name), each resized to `textureSize`.
 * Files that resolve outside the folder (symlinks) are refused.
 * @returns float32 [Th*Tw*3] per file, RGB in [-1,1]
 * @throws naming the folder when it is missing or holds no image, and the file when one cannot be read
 */
export async function loadReferenceTextures(dir: string, textureSize: readonly [number, number]): Promise<Float32Array[]> {
  let root: string;
  try {
    root = fs.realpathSync(dir);
    if (!fs.statSync(root).isDirectory()) throw new Error('not a folder');
  } catch {
    throw new Error(`reference textures folder ${dir} does not exist or is not a folder: give a folder of texture PNGs`);
  }
  const files = fs
    .readdirSync(root)
    .filter((f) => TEXTURE_FILE.test(f))
    .sort();
  if (files.length === 0) throw new Error(`reference textures folder ${dir} holds no .png, .jpg or .webp file`);
  if (files.length > MAX_REFERENCE_TEXTURES) {
    throw new Error(`reference textures folder ${dir} holds ${files.length} images; at most ${MAX_REFERENCE_TEXTURES} are read: use a smaller folder`);
  }
  const [th, tw] = textureSize;
  const out: Float32Array[] = [];
  for (const f of files) {
    const file = path.join(root, f);
    const real = fs.realpathSync(file);
    if (path.relative(root, real).startsWith('..')) {
      throw new Error(`reference texture ${file} links outside ${dir}: copy the file into the folder instead`);
    }
    const { pixels, channels } = await readPixels(real, { size: [th, tw], alpha: 'drop' });
    const values = new Float32Array(th * tw * 3);
    for (let i = 0; i < th * tw; i++) {
      for (let c = 0; c < 3; c++) values[3 * i + c] = pixels[channels * i + c] / 127.5 - 1;
    }
    out.push(values);
  }
  return out;
}
