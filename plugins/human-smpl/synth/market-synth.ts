import * as fs from 'fs';
import * as path from 'path';
import { readPixels } from '../../../core/io/image-decode';
import { encodePng } from '../../../core/io/image-io';
import type { SynthContext, SynthSummary, SyntheticDataWriter } from '../../../core/plugin/category-plugin';
import { PerspectiveCamera } from '../../../core/renderer/perspective-camera';
import { rasterize } from '../../../core/renderer/rasterizer';
import { BackgroundPhotos, proceduralBackground } from '../../../core/synth/backgrounds';
import { encodeJpeg, encodeMaskPng } from '../../../core/synth/encode';
import { SeededRandom } from '../../../core/synth/random';
import type { RgbImage } from '../../../core/synth/rgb-image';
import { shadeTextured, type SynthLight } from '../../../core/synth/shade-textured';
import { SYNTH_MANIFEST_FILE, SynthFolder, WriteQueue } from '../../../core/synth/synth-folder';
import { BodyModel } from '../body/body-model';
import { builtinBodyData } from '../builtin-body/builtin-body';
import { standingPose, walkingPose } from '../poses/pose-set';
import { compose, matrixToAxisAngle, rotationX, rotationY } from '../poses/rotation-math';
import { framingCamera } from '../predictors/body-camera';
import { PlainBodyPoser } from '../body/plain-body-poser';
import { planMarket, type MarketImagePlan } from './market-plan';
import { drawOutfit, type Outfit } from './outfit';
import { paintOutfit } from './paint-outfit';
import { texelSurface } from './texel-surface';
import { maskBox } from '../../../core/synth/mask-box';

/** Size [Th, Tw] of the procedural outfit textures (finer than the method's 64x64 so patterns stay crisp). */
export const HUMAN_SYNTH_TEXTURE_SIZE: readonly [number, number] = [128, 128];
/** Folder of the ground truth, beside the Market folders. */
export const GROUND_TRUTH_DIR = 'ground_truth';
/** Built-in body shape coefficients are drawn from N(0, this) and clipped to +-2. */
const BETA_SPREAD = 0.7;

const round = (x: number, digits = 5): number => Number(x.toFixed(digits));

/** Ground-truth paths of an image: its parameters (JSON) and silhouette (PNG). */
export function marketTruthPaths(image: Pick<MarketImagePlan, 'folder' | 'name'>): { params: string; mask: string } {
  const stem = image.name.replace(/\.jpg$/, '');
  return {
    params: path.join(GROUND_TRUTH_DIR, 'params', image.folder, `${stem}.json`),
    mask: path.join(GROUND_TRUTH_DIR, 'masks', image.folder, `${stem}.png`),
  };
}

/** Ground-truth texture of an identity. */
export function marketTexturePath(identity: number): string {
  return path.join(GROUND_TRUTH_DIR, 'textures', `${String(identity).padStart(4, '0')}.png`);
}

function checkSize(size: readonly [number, number]): void {
  const [h, w] = size;
  if (!(Number.isInteger(h) && Number.isInteger(w) && h >= 16 && w >= 8 && h <= 4096 && w <= 4096)) {
    throw new Error(`--size must be HxW with whole numbers, at least 16x8 (Market-1501: 128x64), got ${h}x${w}`);
  }
}

/** Texture PNGs of a --textures folder, sorted by name: one identity per file. */
function listTextures(folder: string): string[] {
  if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory()) {
    throw new Error(`--textures '${folder}' is not a folder: give a folder of UV texture images (PNG or JPEG), one identity per file`);
  }
  const files = fs.readdirSync(folder).filter((n) => /\.(png|jpe?g)$/i.test(n)).sort();
  if (files.length < 2) throw new Error(`--textures '${folder}' needs at least 2 texture images (.png or .jpg), found ${files.length}`);
  return files.map((f) => path.join(folder, f));
}

/**
 * The two opposite corners of the points' axis-aligned box: all `framingCamera` reads of a body, found
 * in one pass (its own generic scan cost more than the rasterizer at 128x64).
 * @param vertices float32 [V*3]
 * @returns float32 [2*3]: min corner, max corner
 */
function boundingCorners(vertices: Float32Array): Float32Array {
  let x0 = Infinity, y0 = Infinity, z0 = Infinity, x1 = -Infinity, y1 = -Infinity, z1 = -Infinity;
  for (let i = 0; i < vertices.length; i += 3) {
    const x = vertices[i], y = vertices[i + 1], z = vertices[i + 2];
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
    if (z < z0) z0 = z;
    if (z > z1) z1 = z;
  }
  return Float32Array.of(x0, y0, z0, x1, y1, z1);
}

function roundOutfit(outfit: Outfit): unknown {
  return JSON.parse(JSON.stringify(outfit, (_k, v: unknown) => (typeof v === 'number' ? round(v, 3) : v)));
}

function drawLight(random: SeededRandom): SynthLight {
  const d = [random.range(-0.8, 0.8), random.range(-0.1, 0.9), random.range(0.4, 1.0)];
  const n = Math.hypot(d[0], d[1], d[2]);
  const warmth = random.range(-0.08, 0.08);
  return {
    direction: [d[0] / n, d[1] / n, d[2] / n],
    ambient: random.range(0.35, 0.6),
    diffuse: random.range(0.4, 0.75),
    tint: [1 + warmth, 1, 1 - warmth],
  };
}

/** What one identity is drawn with. */
interface IdentityLook {
  readonly texture: RgbImage;
  readonly outfit: Outfit | null;
  readonly betas: number[];
}

/**
 * Synthetic Market-1501: identities are procedural outfits (or the user's textures) on the built-in
 * body, photographed by six "cameras" in varied poses, headings, framings, lights and backgrounds.
 */
export class MarketSynthesizer {
  private readonly model = BodyModel.create(builtinBodyData());
  private readonly poser = new PlainBodyPoser(this.model.data);
  private surface: ReturnType<typeof texelSurface> | undefined;

  /** Texture, outfit and body shape of identity `id` (1-based). */
  async look(id: number, seed: number, textures: readonly string[] | undefined): Promise<IdentityLook> {
    const shape = SeededRandom.of(seed, 'body', id);
    const betas = Array.from({ length: this.model.shapeCount }, () => round(Math.max(-2, Math.min(2, BETA_SPREAD * shape.gaussian()))));
    if (textures) {
      const p = await readPixels(textures[id - 1]);
      return { texture: { height: p.height, width: p.width, pixels: p.pixels }, outfit: null, betas };
    }
    this.surface ??= texelSurface(this.model.data, HUMAN_SYNTH_TEXTURE_SIZE);
    const outfit = drawOutfit(SeededRandom.of(seed, 'outfit', id));
    const texture = paintOutfit(outfit, this.surface, this.model.data.jointNames, SeededRandom.of(seed, 'grain', id));
    return { texture, outfit, betas };
  }

  /**
   * Poses the identity's body for each of `images` (one batched forward pass) and renders them.
   * @returns per image: the JPEG pixels, the silhouette (uint8 {0,255}) and the ground-truth record
   */
  async render(
    images: readonly MarketImagePlan[],
    look: IdentityLook,
    size: readonly [number, number],
    seed: number,
    backgrounds: BackgroundPhotos | undefined,
  ): Promise<{ image: RgbImage; mask: Uint8Array; truth: Record<string, unknown> }[]> {
    const [h, w] = size;
    const draws = images.map((im) => {
      const random = SeededRandom.of(seed, 'image', im.identity, im.index);
      // Mostly walking (Market's pedestrians) at any gait phase and a range of strides, else standing.
      const walking = random.chance(0.75);
      const gait = { phase: round(random.next(), 4), stride: round(random.range(0.5, 1.2), 3) };
      const variant = random.int(4);
      const poseKind = walking ? { kind: 'walk', ...gait } : { kind: 'stand', variant };
      const heading = random.range(-Math.PI, Math.PI);
      const pose = walking ? walkingPose(gait.phase, gait.stride) : standingPose(variant);
      // Body frame (y up, facing +z) to camera axes (y down, z away): a half turn about x after the heading.
      pose.set(matrixToAxisAngle(compose(rotationX(Math.PI), rotationY(heading))), 0);
      return { random, poseKind, heading, pose };
    });
    const results = [];
    for (let i = 0; i < draws.length; i++) {
      const { random, poseKind, heading, pose } = draws[i];
      const verts = this.poser.pose(pose, look.betas).vertices;
      const fill = random.range(0.72, 0.95);
      const framed = framingCamera(boundingCorners(verts), h, w, fill);
      const shift = [random.range(-0.08, 0.08) * w, random.range(-0.05, 0.05) * h];
      const principalPoint: [number, number] = [w / 2 + shift[0], h / 2 + shift[1]];
      const camera = new PerspectiveCamera({ focalLength: framed.fx, principalPoint, translation: [...framed.translation] });
      const light = drawLight(random);
      const bg = backgrounds ? await backgrounds.crop(h, w, random) : proceduralBackground(h, w, random);
      const image = bg.image;
      const frags = rasterize(this.model.meshFromVertices(verts), camera, h, w);
      const mask = shadeTextured(frags, look.texture, verts, this.model.data.faces, light, image);
      const [x0, y0, x1, y1] = maskBox(mask, h, w);
      const truth = {
        image: path.posix.join(images[i].folder, images[i].name),
        identity: images[i].identity,
        camera_id: images[i].camera,
        texture: marketTexturePath(images[i].identity).split(path.sep).join('/'),
        image_size: [h, w],
        pose: Array.from(pose, (v) => round(v, 6)),
        betas: look.betas,
        body_model: 'builtin',
        pose_source: poseKind,
        heading_deg: round((heading * 180) / Math.PI, 3),
        camera: {
          type: 'perspective',
          focal_length: round(camera.fx, 4),
          principal_point: principalPoint.map((v) => round(v, 4)),
          rotation: [1, 0, 0, 0, 1, 0, 0, 0, 1],
          translation: camera.translation.map((v) => round(v, 6)),
        },
        light: { direction: light.direction.map((v) => round(v)), ambient: round(light.ambient), diffuse: round(light.diffuse), tint: light.tint.map((v) => round(v)) },
        background: 'kind' in bg ? { kind: bg.kind } : { photo: bg.source },
        bbox: x1 > x0 ? [x0, y0, x1 - x0, y1 - y0] : [0, 0, 0, 0],
      };
      results.push({ image, mask, truth });
    }
    return results;
  }

  dispose(): void {
    this.model.dispose();
  }
}

/** `retex synth --category human`: a Market-1501-style folder with ground truth. */
export const HUMAN_SYNTH: SyntheticDataWriter = {
  description:
    'Market-1501-style re-ID set: procedural outfits (or given textures) on the built-in body in varied poses, views, framings, lights and backgrounds, with ground-truth textures, body parameters, cameras and masks',
  defaults: { subjects: 20, imagesPerSubject: 8, size: [128, 64] },
  async run(context: SynthContext): Promise<SynthSummary> {
    const size = context.size ?? HUMAN_SYNTH.defaults.size;
    checkSize(size);
    const textures = context.textures ? listTextures(context.textures) : undefined;
    const subjects = context.subjects ?? (textures ? textures.length : HUMAN_SYNTH.defaults.subjects);
    if (textures && subjects > textures.length) {
      throw new Error(`--identities ${subjects} but --textures '${context.textures}' has only ${textures.length} texture images: ask for at most ${textures.length}`);
    }
    const perSubject = context.imagesPerSubject ?? HUMAN_SYNTH.defaults.imagesPerSubject;
    const plan = planMarket(subjects, perSubject, context.seed);
    const backgrounds = context.backgrounds ? BackgroundPhotos.open(context.backgrounds) : undefined;
    const folder = await SynthFolder.open(context.out, {
      layout: 'market1501',
      generator: 'retex synth --category human',
      // 2: faces (eyes, brows, nose, lips, ears, hairline) and shaded hands in the procedural textures.
      version: 2,
      identities: subjects,
      images_per_identity: perSubject,
      size,
      seed: context.seed,
      textures: textures?.map((t) => path.basename(t)) ?? null,
      backgrounds: backgrounds?.files ?? null,
    }, context.inputs);
    const synth = new MarketSynthesizer();
    const queue = new WriteQueue(16);
    let done = 0;
    let written = 0;
    context.onProgress?.(0, plan.length);
    try {
      for (let id = 1; id <= subjects; id++) {
        const images = plan.filter((im) => im.identity === id);
        const missing = images.filter((im) => {
          const t = marketTruthPaths(im);
          return !folder.has([t.params, t.mask, path.join(im.folder, im.name)]);
        });
        const textureFile = marketTexturePath(id);
        if (missing.length === 0 && folder.has([textureFile])) {
          done += images.length;
          context.onProgress?.(done, plan.length);
          continue;
        }
        const look = await synth.look(id, context.seed, textures);
        if (!folder.has([textureFile])) {
          const png = await encodePng(look.texture.pixels, look.texture.height, look.texture.width, 3);
          await folder.write([{ file: textureFile, data: png }]);
        }
        done += images.length - missing.length;
        const rendered = await synth.render(missing, look, size, context.seed, backgrounds);
        for (let i = 0; i < missing.length; i++) {
          const im = missing[i];
          const r = rendered[i];
          const t = marketTruthPaths(im);
          await queue.add(
            (async () => {
              const [jpeg, mask] = await Promise.all([encodeJpeg(r.image), encodeMaskPng(r.mask, size[0], size[1])]);
              // The image is written last: its presence (with the rest) marks the item as done.
              await folder.write([
                { file: t.params, data: `${JSON.stringify(r.truth)}\n` },
                { file: t.mask, data: mask },
                { file: path.join(im.folder, im.name), data: jpeg },
              ]);
              written++;
              context.onProgress?.(++done, plan.length);
            })(),
          );
        }
      }
      await queue.drain();
    } finally {
      synth.dispose();
    }
    const splits: Record<string, number> = { bounding_box_train: 0, bounding_box_test: 0, query: 0 };
    let imageBytes = 0;
    for (const im of plan) {
      splits[im.folder]++;
      imageBytes += folder.size(path.join(im.folder, im.name));
    }
    const summary: SynthSummary = { out: context.out, layout: 'market1501', subjects, images: plan.length, written, size, splits, imageBytes };
    const identities = Array.from({ length: subjects }, (_, i) => ({
      identity: i + 1,
      split: i + 1 <= Math.ceil(subjects / 2) ? 'train' : 'test',
      texture: marketTexturePath(i + 1).split(path.sep).join('/'),
      source: textures ? path.basename(textures[i]) : 'procedural',
      // The outfit a texture was painted from (colours as RGB in 0..1), for analyses by garment.
      outfit: textures ? null : roundOutfit(drawOutfit(SeededRandom.of(context.seed, 'outfit', i + 1))),
    }));
    await folder.writeSynced(path.join(GROUND_TRUTH_DIR, 'identities.json'), `[\n${identities.map((e) => JSON.stringify(e)).join(',\n')}\n]\n`);
    const { written: _w, out: _o, ...stable } = summary;
    await folder.writeSynced(SYNTH_MANIFEST_FILE, `${JSON.stringify(stable, null, 2)}\n`);
    return summary;
  },
};
