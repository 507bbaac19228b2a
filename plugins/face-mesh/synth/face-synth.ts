import * as path from 'path';
import type { SynthContext, SynthSummary, SyntheticDataWriter } from '../../../core/plugin/category-plugin';
import { encodePng } from '../../../core/io/image-io';
import { rasterize } from '../../../core/renderer/rasterizer';
import { WeakPerspectiveCamera } from '../../../core/renderer/weak-perspective-camera';
import { BackgroundPhotos, proceduralBackground } from '../../../core/synth/backgrounds';
import { encodeJpeg, encodeMaskPng } from '../../../core/synth/encode';
import { GROUND_TRUTH_FOLDER } from '../../../core/synth/ground-truth';
import { maskBox } from '../../../core/synth/mask-box';
import { SeededRandom } from '../../../core/synth/random';
import { shadeTextured, type SynthLight } from '../../../core/synth/shade-textured';
import { SYNTH_MANIFEST_FILE, SynthFolder, WriteQueue } from '../../../core/synth/synth-folder';
import { DEFAULT_FACE_TRAIN_SHARE } from '../data/face-folder-dataset';
import { canonicalFaceMesh } from '../mesh/canonical-shape';
import { FRONT_QUATERNION } from '../mesh/face-mesh';
import { drawFaceTraits, paintFace, type FaceTraits } from './face-paint';
import type { Mesh } from '../../../core/interfaces/mesh';
import type { RgbImage } from '../../../core/synth/rgb-image';

/** Ground-truth texture size of the synthetic faces. */
export const FACE_SYNTH_TEXTURE_SIZE: readonly [number, number] = [128, 128];

const pad = (n: number, w: number) => String(n).padStart(w, '0');
const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;

/** Folder name of synthetic person `id` (1-based), LFW style. */
export const personFolder = (id: number) => `Synthetic_Person_${pad(id, 4)}`;

/** Hamilton product a * b of quaternions [w, x, y, z]. */
export function quaternionMultiply(a: readonly number[], b: readonly number[]): [number, number, number, number] {
  const [aw, ax, ay, az] = a;
  const [bw, bx, by, bz] = b;
  return [
    aw * bw - ax * bx - ay * by - az * bz,
    aw * bx + ax * bw + ay * bz - az * by,
    aw * by - ax * bz + ay * bw + az * bx,
    aw * bz + ax * by - ay * bx + az * bw,
  ];
}

/** The quaternion of a head pose: yaw about y, then pitch about x, then roll about z (radians, model axes). */
export function headPoseQuaternion(yaw: number, pitch: number, roll: number): [number, number, number, number] {
  const qy = [Math.cos(yaw / 2), 0, Math.sin(yaw / 2), 0];
  const qx = [Math.cos(pitch / 2), Math.sin(pitch / 2), 0, 0];
  const qz = [Math.cos(roll / 2), 0, 0, Math.sin(roll / 2)];
  return quaternionMultiply(qz, quaternionMultiply(qx, qy));
}

function drawLight(random: SeededRandom): SynthLight {
  const d = [random.range(-0.6, 0.6), random.range(-0.2, 0.6), 1];
  const n = Math.hypot(d[0], d[1], d[2]);
  const warmth = random.range(-0.08, 0.08);
  return { direction: [d[0] / n, d[1] / n, d[2] / n], ambient: random.range(0.45, 0.65), diffuse: random.range(0.35, 0.55), tint: [1 + warmth, 1, 1 - warmth] };
}

/** One rendered synthetic face photo and what it was made with. */
export interface RenderedFace {
  readonly image: RgbImage;
  /** uint8 [H*W] in {0, 255}. */
  readonly mask: Uint8Array;
  readonly texture: RgbImage;
  readonly settings: { readonly scale: number; readonly translation: [number, number]; readonly quaternion: [number, number, number, number] };
  readonly camera: WeakPerspectiveCamera;
  readonly light: SynthLight;
  readonly background: Record<string, unknown>;
  /** Yaw, pitch, roll in radians. */
  readonly pose: readonly [number, number, number];
  /** Silhouette box [x0, y0, x1, y1]. */
  readonly bbox: readonly [number, number, number, number];
}

/** Renders a person's face in a random head pose, framing, light and background (`retex synth`, `bench fit`). */
export async function renderFace(
  mesh: Mesh,
  traits: FaceTraits,
  size: readonly [number, number],
  random: SeededRandom,
  backgrounds?: BackgroundPhotos,
): Promise<RenderedFace> {
  const [h, w] = size;
  const yaw = (random.range(-35, 35) * Math.PI) / 180;
  const pitch = (random.range(-15, 15) * Math.PI) / 180;
  const roll = (random.range(-10, 10) * Math.PI) / 180;
  const quaternion = quaternionMultiply(FRONT_QUATERNION, headPoseQuaternion(yaw, pitch, roll));
  const settings = { scale: random.range(0.58, 0.72), translation: [random.range(-0.06, 0.06), random.range(-0.06, 0.06)] as [number, number], quaternion };
  const camera = new WeakPerspectiveCamera(settings);
  const light = drawLight(random);
  const bg = backgrounds ? await backgrounds.crop(h, w, random) : proceduralBackground(h, w, random);
  const texture = paintFace(traits, FACE_SYNTH_TEXTURE_SIZE, 0);
  const frags = rasterize(mesh, camera, h, w);
  const r = camera.rotation;
  const v = mesh.vertices;
  const rotated = new Float32Array(v.length);
  for (let i = 0; i < v.length; i += 3) for (let a = 0; a < 3; a++) rotated[i + a] = r[3 * a] * v[i] + r[3 * a + 1] * v[i + 1] + r[3 * a + 2] * v[i + 2];
  const mask = shadeTextured(frags, texture, rotated, mesh.faces, light, bg.image);
  const bbox = maskBox(mask, h, w);
  return {
    image: bg.image,
    mask,
    texture,
    settings,
    camera,
    light,
    background: 'kind' in bg ? { kind: bg.kind } : { photo: bg.source },
    pose: [yaw, pitch, roll],
    bbox: [bbox[0], bbox[1], bbox[2], bbox[3]],
  };
}

/** `retex synth --category face`: LFW-layout folders of rendered synthetic people with ground truth. */
export const FACE_SYNTH: SyntheticDataWriter = {
  description:
    'LFW-style set (one folder per person): painted faces (skin, eyes, brows, lips, beard, make-up, moles, fringe) on the canonical face mesh, varied head poses (yaw +-35, pitch +-15, roll +-10 degrees), lights and backgrounds, with ground-truth textures',
  defaults: { subjects: 20, imagesPerSubject: 6, size: [128, 128] },
  async run(context: SynthContext): Promise<SynthSummary> {
    const size = context.size ?? FACE_SYNTH.defaults.size;
    const [h, w] = size;
    if (!(Number.isInteger(h) && Number.isInteger(w) && h >= 32 && w >= 32 && h <= 2048 && w <= 2048)) {
      throw new Error(`--size must be HxW with whole numbers of at least 32 (default 128x128), got ${h}x${w}`);
    }
    if (context.textures) throw new Error('--textures is for --category human; face textures are painted from drawn traits');
    const people = context.subjects ?? FACE_SYNTH.defaults.subjects;
    const perPerson = context.imagesPerSubject ?? FACE_SYNTH.defaults.imagesPerSubject;
    if (!(people >= 2 && perPerson >= 1)) throw new Error('a face set needs at least 2 people and 1 image each');
    const backgrounds = context.backgrounds ? BackgroundPhotos.open(context.backgrounds) : undefined;
    const folder = await SynthFolder.open(context.out, {
      layout: 'face-folder',
      generator: 'retex synth --category face',
      version: 1,
      people,
      images_per_person: perPerson,
      size,
      seed: context.seed,
      backgrounds: backgrounds?.files ?? null,
    }, context.inputs);
    const mesh = canonicalFaceMesh();
    const queue = new WriteQueue(8);
    const total = people * perPerson;
    let done = 0;
    let written = 0;
    let imageBytes = 0;
    context.onProgress?.(0, total);
    for (let p = 1; p <= people; p++) {
      const person = personFolder(p);
      const traits = drawFaceTraits(SeededRandom.of(context.seed, 'person', p));
      const textureFile = path.join(GROUND_TRUTH_FOLDER, 'textures', `${person}.png`);
      for (let k = 1; k <= perPerson; k++) {
        const stem = `${person}_${pad(k, 4)}`;
        const imageFile = path.join(person, `${stem}.jpg`);
        const paramsFile = path.join(GROUND_TRUTH_FOLDER, 'params', person, `${stem}.json`);
        const maskFile = path.join(GROUND_TRUTH_FOLDER, 'masks', person, `${stem}.png`);
        const files = k === 1 ? [textureFile, paramsFile, maskFile, imageFile] : [paramsFile, maskFile, imageFile];
        if (folder.has(files)) {
          imageBytes += folder.size(imageFile);
          context.onProgress?.(++done, total);
          continue;
        }
        const random = SeededRandom.of(context.seed, 'photo', p, k);
        const { image, mask, texture, settings, light, background, pose, bbox } = await renderFace(mesh, traits, [h, w], random, backgrounds);
        const [yaw, pitch, roll] = pose;
        const quaternion = settings.quaternion;
        const [x0, y0, x1, y1] = bbox;
        const truth = {
          image: imageFile.split(path.sep).join('/'),
          person,
          texture: textureFile.split(path.sep).join('/'),
          image_size: [h, w],
          camera: { type: 'weak-perspective', scale: round(settings.scale), translation: settings.translation.map((t) => round(t)), quaternion: quaternion.map((q) => round(q, 6)) },
          head_pose_degrees: { yaw: round((yaw * 180) / Math.PI, 2), pitch: round((pitch * 180) / Math.PI, 2), roll: round((roll * 180) / Math.PI, 2) },
          light: { direction: light.direction.map((d) => round(d)), ambient: round(light.ambient), diffuse: round(light.diffuse), tint: light.tint.map((t) => round(t)) },
          background,
          bbox: [x0, y0, x1 - x0, y1 - y0],
        };
        await queue.add(
          (async () => {
            const [jpeg, png, tex] = await Promise.all([
              encodeJpeg(image),
              encodeMaskPng(mask, h, w),
              k === 1 ? encodePng(texture.pixels, texture.height, texture.width, 3) : Promise.resolve(null),
            ]);
            await folder.write([
              ...(tex ? [{ file: textureFile, data: tex }] : []),
              { file: paramsFile, data: `${JSON.stringify(truth)}\n` },
              { file: maskFile, data: png },
              { file: imageFile, data: jpeg },
            ]);
            imageBytes += jpeg.byteLength;
            written++;
            context.onProgress?.(++done, total);
          })(),
        );
      }
    }
    await queue.drain();
    const nTrain = Math.min(people - 1, Math.max(1, Math.round(people * DEFAULT_FACE_TRAIN_SHARE)));
    const summary: SynthSummary = {
      out: context.out,
      layout: 'face-folder',
      subjects: people,
      images: total,
      written,
      size,
      splits: { train: nTrain * perPerson, test: (people - nTrain) * perPerson },
      imageBytes,
    };
    const { written: _w, out: _o, ...stable } = summary;
    await folder.writeSynced(SYNTH_MANIFEST_FILE, `${JSON.stringify(stable, null, 2)}\n`);
    return summary;
  },
};
