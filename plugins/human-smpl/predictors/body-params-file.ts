import { readFile } from 'fs/promises';
import * as path from 'path';
import { SMPL_POSE_SIZE } from '../body/smpl-skeleton';

/** Camera of one image in a body-parameters file. */
export type BodyParamsCamera =
  /** HMR/SPIN weak perspective [s, tx, ty] in normalized crop coordinates (see cameraFromWeakPerspective). */
  | { readonly weakPerspective: readonly [number, number, number]; readonly focalLength?: number }
  /** A pinhole camera with no rotation: pixels = f (X + t) / (Z + tz) + principal point. */
  | {
      readonly focalLength: number;
      readonly translation: readonly [number, number, number];
      readonly principalPoint?: readonly [number, number];
    };

/** Body parameters of one image (the root orientation is in camera axes: x right, y down, z forward). */
export interface ImageBodyParams {
  /** Axis-angle, 72 numbers (SMPL). */
  readonly pose: readonly number[];
  /** Shape coefficients, 10 numbers (SMPL). */
  readonly betas: readonly number[];
  readonly camera: BodyParamsCamera;
}

/** Number of shape coefficients the file format carries (SMPL's 10, as HMR-family tools output). */
export const FILE_BETAS = 10;

function isNumbers(x: unknown, n: number): x is number[] {
  return Array.isArray(x) && x.length === n && x.every((v) => typeof v === 'number' && Number.isFinite(v));
}

function describe(x: unknown): string {
  if (Array.isArray(x)) return `an array of ${x.length}`;
  return x === undefined ? 'missing' : typeof x;
}

/**
 * Checks one entry.
 * @throws naming the image, the field, what was expected and what was found
 */
export function validateBodyParams(entry: unknown, where: string): ImageBodyParams {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new Error(`${where}: expected an object { pose, betas, camera }, got ${describe(entry)}`);
  }
  const e = entry as Record<string, unknown>;
  if (!isNumbers(e.pose, SMPL_POSE_SIZE)) {
    throw new Error(`${where}: 'pose' must be ${SMPL_POSE_SIZE} finite numbers (24 axis-angle joints), got ${describe(e.pose)}`);
  }
  if (!isNumbers(e.betas, FILE_BETAS)) {
    throw new Error(`${where}: 'betas' must be ${FILE_BETAS} finite numbers, got ${describe(e.betas)}`);
  }
  const cam = e.camera as Record<string, unknown> | undefined;
  if (typeof cam !== 'object' || cam === null) {
    throw new Error(`${where}: 'camera' must be { weakPerspective: [s, tx, ty] } or { focalLength, translation: [tx, ty, tz] }`);
  }
  let camera: BodyParamsCamera;
  if ('weakPerspective' in cam) {
    if (!isNumbers(cam.weakPerspective, 3) || !((cam.weakPerspective as number[])[0] > 0)) {
      throw new Error(`${where}: 'camera.weakPerspective' must be [s, tx, ty] with s > 0, got ${JSON.stringify(cam.weakPerspective)}`);
    }
    if (cam.focalLength !== undefined && !(typeof cam.focalLength === 'number' && cam.focalLength > 0)) {
      throw new Error(`${where}: 'camera.focalLength' must be a positive number of pixels`);
    }
    camera = { weakPerspective: cam.weakPerspective as [number, number, number], focalLength: cam.focalLength as number | undefined };
  } else {
    if (!(typeof cam.focalLength === 'number' && cam.focalLength > 0)) {
      throw new Error(`${where}: 'camera.focalLength' must be a positive number of pixels, got ${JSON.stringify(cam.focalLength)}`);
    }
    if (!isNumbers(cam.translation, 3) || !((cam.translation as number[])[2] > 0)) {
      throw new Error(`${where}: 'camera.translation' must be [tx, ty, tz] with tz > 0 (in front of the camera), got ${JSON.stringify(cam.translation)}`);
    }
    if (cam.principalPoint !== undefined && !isNumbers(cam.principalPoint, 2)) {
      throw new Error(`${where}: 'camera.principalPoint' must be [cx, cy] in pixels`);
    }
    camera = {
      focalLength: cam.focalLength,
      translation: cam.translation as [number, number, number],
      principalPoint: cam.principalPoint as [number, number] | undefined,
    };
  }
  return { pose: e.pose, betas: e.betas, camera };
}

/**
 * Per-image body parameters, as HMR-family tools produce them, from a JSON file:
 * `{ "images": { "<image file name>": { "pose": [72], "betas": [10], "camera": {...} } } }`
 * (the `images` wrapper may be left out). Every entry is validated on load.
 */
export class BodyParamsFile {
  private constructor(
    readonly file: string,
    private readonly entries: ReadonlyMap<string, ImageBodyParams>,
  ) {}

  /** @throws naming the file and the first bad entry */
  static async load(file: string): Promise<BodyParamsFile> {
    const text = await readFile(file, 'utf8').catch((err: Error) => {
      throw new Error(`cannot read the body-parameters file '${file}': ${err.message}`);
    });
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      throw new Error(`${file}: not valid JSON: ${(err as Error).message}`);
    }
    const root = (doc as Record<string, unknown>)?.images ?? doc;
    if (typeof root !== 'object' || root === null || Array.isArray(root)) {
      throw new Error(`${file}: expected { "images": { "<image name>": { pose, betas, camera } } }`);
    }
    const entries = new Map<string, ImageBodyParams>();
    for (const [id, entry] of Object.entries(root as Record<string, unknown>)) {
      entries.set(id, validateBodyParams(entry, `${file}: image '${id}'`));
    }
    if (entries.size === 0) throw new Error(`${file}: holds no images`);
    return new BodyParamsFile(file, entries);
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * The parameters of an image, looked up by its id, then by its base name.
   * @throws naming the image and the file when it is absent
   */
  get(id: string): ImageBodyParams {
    const found = this.entries.get(id) ?? this.entries.get(path.basename(id));
    if (!found) {
      throw new Error(
        `no body parameters for image '${id}' in '${this.file}' (it has ${this.entries.size} images, e.g. '${this.entries.keys().next().value}')`,
      );
    }
    return found;
  }
}
