// The entry point of `import ... from 'retex'`. It lives in registry/ (which may import the plugins);
// its types are in ../index.d.ts (the build emits no declarations).
import 'reflect-metadata';
import { loadRunParts } from '../core/cli/run-parts';
import { tensorToPixels, type PixelBuffer } from '../core/io/image-io';
import type { Mesh } from '../core/interfaces/mesh';
import type { RetexConfig } from '../core/plugin';
import { disposeRun, runPhoto } from '../core/run/photo-runner';
import {
  DEFAULT_OPTIMIZE_ANCHOR,
  DEFAULT_OPTIMIZE_LEARNING_RATE,
  DEFAULT_OPTIMIZE_STEPS,
  DEFAULT_TEXTURE_METHOD,
  type OptimizeStart,
  type TextureMethod,
} from '../core/run/texture-methods';
import { cliServices } from './cli-main';
import { loadConfig } from './config/load-config';
import { PluginRegistry } from './plugin-registry';
import { ALL_PLUGINS } from './plugins';

export { readObjFile, parseObj } from '../core/export/obj-reader';
export { writeGlb, encodeGlb } from '../core/export/gltf-writer';
export { writeTexturedObj } from '../core/export/obj-writer';
export { renderViews } from '../core/renderer/views';
export { readPixels, decodePixels } from '../core/io/image-decode';
export { encodePng, writePng } from '../core/io/image-io';
export { FileError } from '../core/io/file-guard';
export { ImageError } from '../core/io/image-error';
export { ModelFileError } from '../core/io/model-file-error';
export { MeshError } from '../core/renderer/mesh-validation';
export { ConfigError } from './config/validate';

let registry: PluginRegistry | undefined;
const services = () => cliServices((registry ??= new PluginRegistry(ALL_PLUGINS)));

/** Loads and validates a category's config as `retex config --print` shows it. */
export async function loadRetexConfig(options: { category: string; configPath?: string; cwd?: string; overrides?: Record<string, unknown> }): Promise<RetexConfig> {
  return (await loadConfig((registry ??= new PluginRegistry(ALL_PLUGINS)), options)).config;
}

/** Options of {@link runTexture}. */
export interface RunTextureOptions {
  readonly category: string;
  /** Default `project`, as `retex run`. */
  readonly method?: TextureMethod;
  /** `optimize`: its steps, Adam learning rate, anchor weight and start (the defaults of `retex run`). */
  readonly optimize?: { readonly steps?: number; readonly learningRate?: number; readonly anchor?: number; readonly start?: OptimizeStart };
  /** A generator folder (`<run>/model` of retex train); default the shipped one. */
  readonly model?: string;
  readonly predictor?: string;
  readonly config?: string;
  readonly backend?: string;
  /** The subject's box [x, y, w, h] in photo pixels (skips the detector). */
  readonly box?: readonly [number, number, number, number];
}

/** What {@link runTexture} returns: plain arrays, nothing to dispose. */
export interface TextureResult {
  readonly mesh: Mesh;
  /** 8-bit RGB texture, row 0 at v = 1. */
  readonly texture: PixelBuffer;
  readonly method: TextureMethod;
  readonly metrics: Readonly<Record<string, number | null>>;
}

/** One photo to a textured mesh, as `retex run` does (without writing files). */
export async function runTexture(photo: string, options: RunTextureOptions): Promise<TextureResult> {
  const method = options.method ?? DEFAULT_TEXTURE_METHOD;
  const o = options.optimize ?? {};
  const optimize = {
    steps: o.steps ?? DEFAULT_OPTIMIZE_STEPS,
    learningRate: o.learningRate ?? DEFAULT_OPTIMIZE_LEARNING_RATE,
    anchor: o.anchor ?? DEFAULT_OPTIMIZE_ANCHOR,
    start: o.start ?? 'project',
  };
  const parts = await loadRunParts(services(), { ...options, method, start: optimize.start, cossim: false, quiet: true });
  try {
    const run = await runPhoto(parts, photo, { method, box: options.box, optimize: method === 'optimize' ? optimize : undefined });
    try {
      const texture = await tensorToPixels(run.texture, '[-1,1]');
      return { mesh: run.aligned.mesh, texture, method: run.method, metrics: { ...(run.metrics as unknown as Record<string, number | null>) } };
    } finally {
      disposeRun(run);
    }
  } finally {
    parts.dispose();
  }
}
