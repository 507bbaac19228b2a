import * as fs from 'fs';
import * as path from 'path';

/** Folder of a `retex synth` set that holds its ground truth (params, textures, masks). */
export const GROUND_TRUTH_FOLDER = 'ground_truth';

/** Resolves a path a data set names inside its root (symlinks included); see core/io/file-guard. */
export { resolveInside } from '../io/file-guard';
import { resolveInside } from '../io/file-guard';

/**
 * The ground-truth parameters file of an image of a synthetic set: `ground_truth/params/<the image's
 * path inside the set (or below its first folder), with .json>`, or null when the set has none (a real data set).
 */
export function groundTruthParamsFile(root: string, imagePath: string): string | null {
  const rel = path.relative(path.resolve(root), path.resolve(imagePath));
  if (rel.startsWith('..') || path.isAbsolute(rel)) return null;
  const json = rel.replace(/\.[^./\\]+$/, '.json');
  // Market-style sets mirror the image path; CUB-style sets mirror the path below their images/ folder.
  const candidates = [json, json.split(path.sep).slice(1).join(path.sep)];
  for (const c of candidates) {
    const file = path.join(root, GROUND_TRUTH_FOLDER, 'params', c);
    if (c !== '' && fs.existsSync(file)) return file;
  }
  return null;
}

/**
 * Reads an image's ground-truth parameters (a JSON object written by `retex synth`).
 * @throws naming the file when it is missing or not a JSON object (never quoting its content)
 */
export function readGroundTruthParams(root: string, imagePath: string): Record<string, unknown> {
  const file = groundTruthParamsFile(root, imagePath);
  if (file == null) {
    throw new Error(
      `${imagePath} has no ground truth (${GROUND_TRUTH_FOLDER}/params/...json): ground-truth meshes exist only for sets made by retex synth`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    throw new Error(`ground-truth file ${file} is not valid JSON: rerun retex synth into a new folder`);
  }
  if (value == null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`ground-truth file ${file} does not hold a JSON object: rerun retex synth into a new folder`);
  }
  return value as Record<string, unknown>;
}

/** The absolute path of an image's ground-truth texture, or null when the set has none. */
export function groundTruthTexture(root: string, imagePath: string): string | null {
  if (groundTruthParamsFile(root, imagePath) == null) return null;
  const texture = readGroundTruthParams(root, imagePath).texture;
  if (typeof texture !== 'string') return null;
  return resolveInside(root, texture, 'ground-truth texture');
}

/** The weak-perspective camera a synthetic image was rendered with, and the image's size. */
export interface WeakPerspectiveTruth {
  readonly scale: number;
  readonly translation: [number, number];
  readonly quaternion: [number, number, number, number];
  /** [height, width] of the rendered image. */
  readonly imageSize: [number, number];
}

/**
 * Reads `camera { scale, translation [2], quaternion [4] }` and `image_size` from a synthetic image's
 * ground truth (the bird and face synth writers' record).
 * @throws naming the image when a field is missing or malformed
 */
export function readWeakPerspectiveTruth(root: string, imagePath: string): WeakPerspectiveTruth {
  const p = readGroundTruthParams(root, imagePath);
  const cam = (p.camera ?? {}) as { scale?: unknown; translation?: unknown; quaternion?: unknown };
  const size = p.image_size as unknown;
  const ok =
    typeof cam.scale === 'number' &&
    Array.isArray(cam.translation) && cam.translation.length === 2 &&
    Array.isArray(cam.quaternion) && cam.quaternion.length === 4 &&
    Array.isArray(size) && size.length === 2;
  if (!ok) throw new Error(`ground truth of ${imagePath}: expected camera { scale, translation [2], quaternion [4] } and image_size`);
  return {
    scale: cam.scale as number,
    translation: cam.translation as [number, number],
    quaternion: cam.quaternion as [number, number, number, number],
    imageSize: size as [number, number],
  };
}
