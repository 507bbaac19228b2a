import * as fs from 'fs';
import * as path from 'path';
import { encodePng } from '../../../core/io/image-io';
import type { SynthContext, SynthSummary, SyntheticDataWriter } from '../../../core/plugin/category-plugin';
import { rasterize } from '../../../core/renderer/rasterizer';
import { axisAngleToMatrix, multiplyMatrices } from '../../../core/renderer/rotation';
import { WeakPerspectiveCamera, type WeakPerspectiveCameraSettings } from '../../../core/renderer/weak-perspective-camera';
import { BackgroundPhotos, proceduralBackground } from '../../../core/synth/backgrounds';
import { encodeJpeg, encodeMaskPng } from '../../../core/synth/encode';
import { SeededRandom } from '../../../core/synth/random';
import { shadeTextured, type SynthLight } from '../../../core/synth/shade-textured';
import { SYNTH_MANIFEST_FILE, SynthFolder, WriteQueue } from '../../../core/synth/synth-folder';
import { BIRD_VIEW_ROTATIONS } from '../camera/bird-views';
import { matrixToQuaternion } from '../camera/quaternion';
import { CUB_KEYPOINT_COUNT } from '../keypoints';
import { buildBirdMeanShape, keypointPositions, type BirdMeanShape } from '../shape/mean-shape';
import { drawSpecies, paintPlumage, varyPlumage } from './plumage';
import { maskBox } from '../../../core/synth/mask-box';

/** Folder of the ground truth inside the CUB folder (CUB itself has no such folder, so readers ignore it). */
export const BIRD_GROUND_TRUTH_DIR = 'ground_truth';
/** A keypoint counts as visible when the surface the z-buffer keeps there is no nearer than this (model units). */
const VISIBILITY_TOLERANCE = 0.04;

const round = (x: number, digits = 5): number => Number(x.toFixed(digits));
const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** One image of the plan. */
export interface CubImagePlan {
  /** 1-based image id (images.txt). */
  readonly imageId: number;
  /** 1-based species (class id). */
  readonly species: number;
  /** Index among its species' images. */
  readonly index: number;
  /** `NNN.Species_Name/Species_Name_NNNN.jpg`, relative to images/. */
  readonly name: string;
  readonly isTraining: boolean;
}

/** Class folder name of species `s` (1-based), e.g. `001.Synthetic_Bird_001`. */
export function speciesFolder(s: number): string {
  return `${pad(s, 3)}.Synthetic_Bird_${pad(s, 3)}`;
}

/**
 * Images of each species in id order; the first half (rounded up) of each species' images are training
 * images, the rest test images (CUB splits each class about in half).
 */
export function planCub(species: number, perSpecies: number): CubImagePlan[] {
  if (!Number.isInteger(species) || species < 1 || species > 999) {
    throw new Error(`--species must be a whole number in 1..999 (CUB class folders have 3 digits), got ${species}`);
  }
  if (!Number.isInteger(perSpecies) || perSpecies < 2 || perSpecies > 9999) {
    throw new Error(`--images-per-species must be a whole number in 2..9999 (a train and a test image at least), got ${perSpecies}`);
  }
  const plan: CubImagePlan[] = [];
  for (let s = 1; s <= species; s++) {
    const folder = speciesFolder(s);
    for (let k = 0; k < perSpecies; k++) {
      plan.push({
        imageId: plan.length + 1,
        species: s,
        index: k,
        name: `${folder}/${folder.slice(4)}_${pad(k + 1, 4)}.jpg`,
        isTraining: k < Math.ceil(perSpecies / 2),
      });
    }
  }
  return plan;
}

/** Ground-truth paths of an image: its texture (PNG) and parameters (JSON). */
export function cubTruthPaths(name: string): { texture: string; params: string } {
  const stem = name.replace(/\.jpg$/, '');
  return {
    texture: path.join(BIRD_GROUND_TRUTH_DIR, 'textures', `${stem}.png`),
    params: path.join(BIRD_GROUND_TRUTH_DIR, 'params', `${stem}.json`),
  };
}

/** A camera like a bird photographer's: any heading, mostly from the side and a little above, some roll. */
function drawCamera(random: SeededRandom): WeakPerspectiveCameraSettings & { quaternion: [number, number, number, number] } {
  const heading = axisAngleToMatrix([0, random.range(-Math.PI, Math.PI), 0]);
  const elevation = axisAngleToMatrix([(random.range(-20, 50) * Math.PI) / 180, 0, 0]);
  const roll = axisAngleToMatrix([0, 0, (random.range(-20, 20) * Math.PI) / 180]);
  const r = multiplyMatrices(roll, multiplyMatrices(elevation, multiplyMatrices(Float64Array.from(BIRD_VIEW_ROTATIONS.side), heading)));
  return {
    quaternion: matrixToQuaternion(r),
    scale: random.range(0.55, 0.85),
    translation: [random.range(-0.12, 0.12), random.range(-0.12, 0.12)],
  };
}

function drawLight(random: SeededRandom): SynthLight {
  const d = [random.range(-0.8, 0.8), random.range(-0.1, 0.9), random.range(0.4, 1.0)];
  const n = Math.hypot(d[0], d[1], d[2]);
  const warmth = random.range(-0.08, 0.08);
  return { direction: [d[0] / n, d[1] / n, d[2] / n], ambient: random.range(0.4, 0.6), diffuse: random.range(0.4, 0.7), tint: [1 + warmth, 1, 1 - warmth] };
}

/** Renders one planned bird: image, mask, texture, keypoints and box. */
async function renderBird(shape: BirdMeanShape, modelKeypoints: Float32Array, im: CubImagePlan, size: readonly [number, number], seed: number, backgrounds: BackgroundPhotos | undefined) {
  const [h, w] = size;
  const plumage = varyPlumage(drawSpecies(SeededRandom.of(seed, 'species', im.species)), SeededRandom.of(seed, 'bird', im.imageId));
  const texture = paintPlumage(plumage, shape.textureSize, SeededRandom.of(seed, 'feathers', im.imageId));
  const random = SeededRandom.of(seed, 'photo', im.imageId);
  const settings = drawCamera(random);
  const camera = new WeakPerspectiveCamera(settings);
  const light = drawLight(random);
  const bg = backgrounds ? await backgrounds.crop(h, w, random) : proceduralBackground(h, w, random);
  const frags = rasterize(shape.mesh, camera, h, w);
  // Camera-axis vertices for shading: the rotation only (the weak-perspective scale and shift keep normals).
  const v = shape.mesh.vertices;
  const r = camera.rotation;
  const rotated = new Float32Array(v.length);
  for (let i = 0; i < v.length; i += 3) {
    for (let k = 0; k < 3; k++) rotated[i + k] = r[3 * k] * v[i] + r[3 * k + 1] * v[i + 1] + r[3 * k + 2] * v[i + 2];
  }
  const mask = shadeTextured(frags, texture, rotated, shape.mesh.faces, light, bg.image);
  const [x0, y0, x1, y1] = maskBox(mask, h, w);
  if (x1 <= x0) throw new Error(`bird ${im.name} fell outside the ${h}x${w} image (seed ${seed}); this is a bug in the camera draw`);
  const projected = camera.project(modelKeypoints, h, w);
  const keypoints: number[] = [];
  const visible: number[] = [];
  for (let i = 0; i < CUB_KEYPOINT_COUNT; i++) {
    const px = projected[3 * i];
    const py = projected[3 * i + 1];
    const inside = px >= 0 && py >= 0 && px < w && py < h;
    const pixel = inside ? Math.floor(py) * w + Math.floor(px) : -1;
    const seen = inside && frags.faceIds[pixel] >= 0 && projected[3 * i + 2] <= frags.depth[pixel] + VISIBILITY_TOLERANCE;
    visible.push(seen ? 1 : 0);
    keypoints.push(seen ? round(px, 2) : 0, seen ? round(py, 2) : 0);
  }
  const truth = {
    image: `images/${im.name}`,
    species: im.species,
    texture: cubTruthPaths(im.name).texture.split(path.sep).join('/'),
    image_size: [h, w],
    camera: { type: 'weak-perspective', scale: round(settings.scale), translation: settings.translation.map((t) => round(t)), quaternion: settings.quaternion.map((q) => round(q, 6)) },
    light: { direction: light.direction.map((d) => round(d)), ambient: round(light.ambient), diffuse: round(light.diffuse), tint: light.tint.map((t) => round(t)) },
    background: 'kind' in bg ? { kind: bg.kind } : { photo: bg.source },
    bbox: [x0, y0, x1 - x0, y1 - y0],
    keypoints,
    visible,
    plumage: { wing_bars: plumage.wingBars, breast_pattern: plumage.breastPattern, eye_stripe: plumage.eyeStripe !== null },
  };
  return { image: bg.image, mask, texture, truth };
}

/** `retex synth --category bird`: a CUB-200-2011-style folder with ground-truth textures. */
export const BIRD_SYNTH: SyntheticDataWriter = {
  description:
    'CUB-200-2011-style set: plumage families (crown, eye stripe, wing bars, breast colour and marks) on the bird mean shape, per-bird variation, varied cameras, lights and backgrounds, with ground-truth textures',
  defaults: { subjects: 10, imagesPerSubject: 10, size: [256, 256] },
  async run(context: SynthContext): Promise<SynthSummary> {
    const size = context.size ?? BIRD_SYNTH.defaults.size;
    if (!(Number.isInteger(size[0]) && Number.isInteger(size[1]) && size[0] >= 32 && size[1] >= 32 && size[0] <= 4096 && size[1] <= 4096)) {
      throw new Error(`--size must be HxW with whole numbers, at least 32x32 (default 256x256), got ${size[0]}x${size[1]}`);
    }
    if (context.textures) throw new Error('--textures is for --category human; bird textures are drawn from plumage families');
    const species = context.subjects ?? BIRD_SYNTH.defaults.subjects;
    const perSpecies = context.imagesPerSubject ?? BIRD_SYNTH.defaults.imagesPerSubject;
    const plan = planCub(species, perSpecies);
    const backgrounds = context.backgrounds ? BackgroundPhotos.open(context.backgrounds) : undefined;
    const folder = await SynthFolder.open(context.out, {
      layout: 'cub200',
      generator: 'retex synth --category bird',
      version: 1,
      species,
      images_per_species: perSpecies,
      size,
      seed: context.seed,
      backgrounds: backgrounds?.files ?? null,
    }, context.inputs);
    const shape = buildBirdMeanShape();
    const modelKeypoints = keypointPositions(shape);
    const queue = new WriteQueue(8);
    let done = 0;
    let written = 0;
    const records = new Map<number, { bbox: number[]; keypoints: number[]; visible: number[] }>();
    context.onProgress?.(0, plan.length);
    for (const im of plan) {
      const truthFiles = cubTruthPaths(im.name);
      const imageFile = path.join('images', im.name);
      const segFile = path.join('segmentations', im.name.replace(/\.jpg$/, '.png'));
      if (folder.has([truthFiles.params, truthFiles.texture, segFile, imageFile])) {
        context.onProgress?.(++done, plan.length);
        continue;
      }
      const r = await renderBird(shape, modelKeypoints, im, size, context.seed, backgrounds);
      await queue.add(
        (async () => {
          const [jpeg, seg, tex] = await Promise.all([
            encodeJpeg(r.image),
            encodeMaskPng(r.mask, size[0], size[1]),
            encodePng(r.texture.pixels, r.texture.height, r.texture.width, 3),
          ]);
          await folder.write([
            { file: truthFiles.params, data: `${JSON.stringify(r.truth)}\n` },
            { file: truthFiles.texture, data: tex },
            { file: segFile, data: seg },
            { file: imageFile, data: jpeg },
          ]);
          written++;
          context.onProgress?.(++done, plan.length);
        })(),
      );
    }
    await queue.drain();
    // The annotation tables come from the ground truth of every image (the files of earlier runs too).
    for (const im of plan) {
      const t = JSON.parse(fs.readFileSync(folder.resolve(cubTruthPaths(im.name).params), 'utf8')) as { bbox: number[]; keypoints: number[]; visible: number[] };
      records.set(im.imageId, t);
    }
    const lines = (f: (im: CubImagePlan) => string) => `${plan.map(f).join('\n')}\n`;
    await folder.writeSynced('images.txt', lines((im) => `${im.imageId} ${im.name}`));
    await folder.writeSynced('image_class_labels.txt', lines((im) => `${im.imageId} ${im.species}`));
    await folder.writeSynced('train_test_split.txt', lines((im) => `${im.imageId} ${im.isTraining ? 1 : 0}`));
    await folder.writeSynced('classes.txt', `${Array.from({ length: species }, (_, i) => `${i + 1} ${speciesFolder(i + 1)}`).join('\n')}\n`);
    await folder.writeSynced('bounding_boxes.txt', lines((im) => `${im.imageId} ${(records.get(im.imageId)?.bbox ?? []).map((v) => v.toFixed(1)).join(' ')}`));
    const parts = plan.flatMap((im) => {
      const t = records.get(im.imageId)!;
      return Array.from({ length: CUB_KEYPOINT_COUNT }, (_, i) => `${im.imageId} ${i + 1} ${t.keypoints[2 * i].toFixed(1)} ${t.keypoints[2 * i + 1].toFixed(1)} ${t.visible[i]}`);
    });
    await folder.writeSynced(path.join('parts', 'part_locs.txt'), `${parts.join('\n')}\n`);
    let imageBytes = 0;
    for (const im of plan) imageBytes += folder.size(path.join('images', im.name));
    const train = plan.filter((im) => im.isTraining).length;
    const summary: SynthSummary = {
      out: context.out,
      layout: 'cub200',
      subjects: species,
      images: plan.length,
      written,
      size,
      splits: { train, test: plan.length - train },
      imageBytes,
    };
    const { written: _w, out: _o, ...stable } = summary;
    await folder.writeSynced(SYNTH_MANIFEST_FILE, `${JSON.stringify(stable, null, 2)}\n`);
    return summary;
  },
};
