// Types of `import ... from 'retex'` (registry/library.ts). Hand-written (the build emits no declarations);
// spec/registry/library-types.ts makes the build fail when they and the code disagree.

/** A triangle mesh with a UV layout: float32 xyz [V*3], int32 faces [F*3], float32 uv [T*2] in [0,1], int32 uvFaces [F*3]. */
export interface Mesh {
  readonly vertices: Float32Array;
  readonly faces: Int32Array;
  readonly uvs: Float32Array;
  readonly uvFaces: Int32Array;
}

/** Interleaved 8-bit pixels, row-major. */
export interface PixelBuffer {
  readonly pixels: Uint8Array;
  readonly height: number;
  readonly width: number;
  readonly channels: 3 | 4;
}

export type TextureMethod = 'generator' | 'optimize' | 'project';

export interface RunTextureOptions {
  readonly category: string;
  /** Default `project`, as `retex run`. */
  readonly method?: TextureMethod;
  /** `optimize`: its steps (60), Adam learning rate (0.05), anchor weight (1) and start ('project'). */
  readonly optimize?: { readonly steps?: number; readonly learningRate?: number; readonly anchor?: number; readonly start?: 'generator' | 'project' };
  readonly model?: string;
  readonly predictor?: string;
  readonly config?: string;
  readonly backend?: string;
  readonly box?: readonly [number, number, number, number];
}

export interface TextureResult {
  readonly mesh: Mesh;
  readonly texture: PixelBuffer;
  readonly method: TextureMethod;
  readonly metrics: Readonly<Record<string, number | null>>;
}

/** One photo to a textured mesh, as `retex run` does (without writing files). */
export function runTexture(photo: string, options: RunTextureOptions): Promise<TextureResult>;
/** The merged, validated config of a category (as `retex config --print` shows it). */
export function loadRetexConfig(options: { category: string; configPath?: string; cwd?: string; overrides?: Record<string, unknown> }): Promise<Record<string, unknown> & { category: string }>;

export function readObjFile(file: string, options?: { maxBytes?: number }): Promise<Mesh>;
export function parseObj(text: string, source?: string): Mesh;
export function writeGlb(file: string, mesh: Mesh, texture: PixelBuffer, options?: { name?: string }): Promise<void>;
export function encodeGlb(mesh: Mesh, texture: PixelBuffer, options?: { name?: string }): Promise<Uint8Array>;
export function writeTexturedObj(objPath: string, mesh: Mesh, texture: PixelBuffer): Promise<{ obj: string; mtl: string; texture: string }>;
export function renderViews(
  mesh: Mesh,
  texture: PixelBuffer,
  settings?: { views?: number | 'front-side-back'; viewSize?: readonly [number, number]; columns?: number },
): PixelBuffer;
export function readPixels(file: string, options?: { size?: readonly [number, number]; maxPixels?: number; maxBytes?: number }): Promise<PixelBuffer>;
export function decodePixels(buffer: Uint8Array, options?: { size?: readonly [number, number]; name?: string }): Promise<PixelBuffer>;
export function encodePng(pixels: Uint8Array, height: number, width: number, channels: 3 | 4): Promise<Buffer>;
export function writePng(file: string, pixels: Uint8Array, height: number, width: number, channels: 3 | 4): Promise<void>;

/** retex's errors: `message` names the file and says what to do. */
export class FileError extends Error {
  readonly problem: string;
  readonly file?: string;
}
export class ImageError extends Error {
  readonly kind: string;
  readonly file?: string;
}
export class ModelFileError extends Error {
  readonly kind: string;
}
export class MeshError extends Error {}
export class ConfigError extends Error {
  readonly problems: readonly string[];
}
