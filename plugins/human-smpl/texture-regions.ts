import * as fs from 'fs';
import * as path from 'path';
import { readPixels } from '../../core/io/image-decode';
import type { RetexConfig, TextureRegions } from '../../core/plugin';
import { BUILTIN_BODY, loadBodyModel, type BodyModelOptions } from './body/load-body-model';
import { uvRegionMask } from './body/uv-region-mask';
import { areaResize } from '../../core/io/area-resize';

/** The shipped reference textures, relative to the package root (made by scripts/make-reference-textures.js). */
export const REFERENCE_TEXTURES_DIR = path.join('plugins', 'human-smpl', 'reference-textures');

/** Region names that stand for several of the body's own regions. */
export const HUMAN_REGION_ALIASES: Readonly<Record<string, readonly string[]>> = { hands: ['leftHand', 'rightHand'] };

/** Every region name the human plugin accepts: the body's own (`face`, `leftHand`, `rightHand`) and `hands`. */
export const HUMAN_REGION_NAMES: readonly string[] = ['face', 'hands', 'leftHand', 'rightHand'];

const TEXTURE_FILE = /\.png$/i;

function bodyOptions(config: RetexConfig): BodyModelOptions {
  const o = config.pluginOptions;
  return {
    bodyModel: typeof o.bodyModel === 'string' ? o.bodyModel : undefined,
    bodyUvLayout: typeof o.bodyUvLayout === 'string' ? o.bodyUvLayout : undefined,
  };
}

/**
 * The body's region names for `regions` (aliases expanded, duplicates dropped).
 * @throws naming the known regions when one is unknown, or when none is given
 */
export function expandRegionNames(regions: readonly string[]): string[] {
  if (regions.length === 0) throw new Error(`no UV region given: choose from ${HUMAN_REGION_NAMES.join(', ')}`);
  const out = new Set<string>();
  for (const name of regions) {
    if (!HUMAN_REGION_NAMES.includes(name)) {
      throw new Error(`unknown UV region '${name}' for the human category: known regions are ${HUMAN_REGION_NAMES.join(', ')}`);
    }
    for (const n of HUMAN_REGION_ALIASES[name] ?? [name]) out.add(n);
  }
  return [...out];
}

/**
 * The folder of shipped reference textures: `plugins/human-smpl/reference-textures` above this file
 * (from the sources or from a build under dist/), else above the working directory.
 * @throws naming where it looked
 */
export function findReferenceTexturesDir(): string {
  const starts = [__dirname, process.cwd()];
  for (const start of starts) {
    for (let dir = start; ; dir = path.dirname(dir)) {
      const candidate = path.join(dir, REFERENCE_TEXTURES_DIR);
      if (fs.existsSync(candidate) && fs.statSync(candidate).isDirectory()) return candidate;
      if (path.dirname(dir) === dir) break;
    }
  }
  throw new Error(
    `the human plugin's reference textures (${REFERENCE_TEXTURES_DIR}) were not found above ${starts.join(' or ')}: ` +
      'run retex from its package checkout, or pass --reference-textures DIR',
  );
}

/**
 * Reads the shipped reference textures (sorted by name), each area-resized to `textureSize`.
 * @returns float32 [Th*Tw*3] per texture, RGB in [-1,1], row-major
 */
export async function readShippedReferenceTextures(textureSize: readonly [number, number]): Promise<Float32Array[]> {
  const dir = findReferenceTexturesDir();
  const files = fs.readdirSync(dir).filter((f) => TEXTURE_FILE.test(f)).sort();
  if (files.length === 0) throw new Error(`${dir} holds no reference texture PNG: regenerate them with node scripts/make-reference-textures.js`);
  const out: Float32Array[] = [];
  for (const f of files) {
    const { pixels, height, width, channels } = await readPixels(path.join(dir, f), { alpha: 'drop' });
    const resized = areaResize(pixels, [height, width], channels, textureSize);
    const values = new Float32Array(textureSize[0] * textureSize[1] * 3);
    for (let i = 0; i < values.length / 3; i++) {
      for (let c = 0; c < 3; c++) values[3 * i + c] = Math.max(-1, Math.min(1, resized[channels * i + c] / 127.5 - 1));
    }
    out.push(values);
  }
  return out;
}

/**
 * The human plugin's UV regions for the face/hand term: `face`, `leftHand`, `rightHand` of the configured
 * body (built-in or licensed SMPL) and `hands` for both hands; by default face and hands. Reference
 * textures: the 16 shipped atlases painted by synth's face painter, which fit the built-in body only.
 */
export const HUMAN_TEXTURE_REGIONS: TextureRegions = {
  names: HUMAN_REGION_NAMES,
  defaultRegions: ['face', 'hands'],
  async mask(config, regions, textureSize) {
    const names = expandRegionNames(regions);
    const body = await loadBodyModel(bodyOptions(config));
    try {
      return uvRegionMask(body.data, names, textureSize);
    } finally {
      body.dispose();
    }
  },
  async referenceTextures(config, textureSize) {
    const which = bodyOptions(config).bodyModel ?? BUILTIN_BODY;
    if (which !== BUILTIN_BODY) {
      throw new Error(
        `the human plugin's shipped reference textures are in the built-in body's UV layout and do not fit the ` +
          `licensed body '${which}': pass --reference-textures DIR with textures in that body's UV layout ` +
          "(e.g. SURREAL's SMPL textures)",
      );
    }
    return readShippedReferenceTextures(textureSize);
  },
};
