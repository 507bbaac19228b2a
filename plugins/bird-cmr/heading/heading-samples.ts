import type { Mesh } from '../../../core/interfaces/mesh';
import type { CropWindow } from '../../../core/photo/crop-window';
import { rasterize } from '../../../core/renderer/rasterizer';
import { axisAngleToMatrix, multiplyMatrices, type Mat3 } from '../../../core/renderer/rotation';
import { WeakPerspectiveCamera } from '../../../core/renderer/weak-perspective-camera';
import { proceduralBackground } from '../../../core/synth/backgrounds';
import { hsv, mix, scaleColour, type Colour } from '../../../core/synth/colour';
import type { SeededRandom } from '../../../core/synth/random';
import type { RgbImage } from '../../../core/synth/rgb-image';
import { shadeTextured } from '../../../core/synth/shade-textured';
import { BIRD_VIEW_ROTATIONS } from '../camera/bird-views';
import { matrixToQuaternion } from '../camera/quaternion';
import { CUB_KEYPOINT_NAMES } from '../keypoints';
import { HEAD } from '../shape/bird-profile';
import { keypointPositions, type BirdMeanShape } from '../shape/mean-shape';
import { drawSpecies, paintPlumage, varyPlumage, type Plumage } from '../synth/plumage';
import { cropPixels, headingWindow } from './heading-window';

/**
 * Training crops for the heading network: the bird mean shape, deformed (longer or shorter tail and
 * beak, bigger head, fatter or slimmer, raised neck, upright or level posture, sometimes spread wings),
 * painted with plumage from realistic to arbitrary, lit at random, seen from any heading, over cluttered
 * procedural scenes (foliage, sky, branches, distractor blobs, occluding twigs), blurred, noised and
 * colour-shifted, then cropped around its box with the jitter of a detector's box. Labels are where the
 * beak and tail keypoints project (whether or not they are hidden) and which way the bird faces in depth.
 */

/** CUB indices of the two keypoints the network finds. */
export const HEADING_KEYPOINTS = {
  beak: CUB_KEYPOINT_NAMES.indexOf('beak'),
  tail: CUB_KEYPOINT_NAMES.indexOf('tail'),
} as const;

/** One training crop. */
export interface HeadingSample {
  /** uint8 [S*S*3] RGB crop. */
  readonly pixels: Uint8Array;
  /** float [4]: beak x, y, tail x, y in the crop's normalised coordinates (-1..1, x right, y down). */
  readonly points: Float32Array;
  /** z of the unit tail-to-beak direction in camera axes (z away from the viewer): < 0 faces the viewer. */
  readonly forwardZ: number;
  /** z of the bird's unit up direction (its back) in camera axes: < 0 is seen from above. */
  readonly upZ: number;
  /**
   * uint8 [(S/4)^2]: how much of each map cell the bird's body covers, 0..255, amodal (behind spread wings
   * and twigs too) and without spread wings: the outline the mean shape is fitted to.
   */
  readonly body: Uint8Array;
}

/** Size of the canvas the bird is rendered on before cropping. */
const CANVAS = 128;
/** Texture size of the plumage (smaller than the data set's: the crop is small). */
const TEXTURE: readonly [number, number] = [64, 128];

type Vec3 = [number, number, number];

function smoothstep(e0: number, e1: number, v: number): number {
  const t = Math.max(0, Math.min(1, (v - e0) / (e1 - e0)));
  return t * t * (3 - 2 * t);
}

/** A random shape change of the bird as a point map of model space (applied to vertices and keypoints alike). */
function drawDeformation(random: SeededRandom): (p: Vec3) => Vec3 {
  const tail = random.range(0.6, 2.4);
  const droop = random.range(-0.2, 0.7);
  const beak = random.range(0.6, 1.8);
  const hook = random.chance(0.2) ? random.range(0.5, 2.5) : 0;
  const head = random.range(0.8, 1.45);
  const neck = random.range(-0.15, 0.5);
  const [kx, ky, kz] = [random.range(0.75, 1.35), random.range(0.8, 1.4), random.range(0.8, 1.2)];
  const pitch = ((random.chance(0.5) ? random.range(-15, 15) : random.range(15, 75)) * Math.PI) / 180;
  const c = Math.cos(pitch);
  const s = Math.sin(pitch);
  return ([x, y, z]) => {
    // Head (with the beak) scaled about its centre, fading out towards the neck.
    const w = smoothstep(HEAD.z - 0.3, HEAD.z - 0.05, z);
    const k = 1 + (head - 1) * w;
    [x, y, z] = [x * (1 + (k - 1) * 0.8), HEAD.y + (y - HEAD.y) * k, HEAD.z + (z - HEAD.z) * k];
    if (z > 0.6 * k) {
      const d = (z - 0.6 * k) * beak;
      z = 0.6 * k + d;
      y -= hook * d * d;
    }
    if (z < -0.35) {
      const d = (-0.35 - z) * tail;
      z = -0.35 - d;
      y -= droop * d;
    }
    if (z > 0.2) y += neck * (z - 0.2);
    [x, y, z] = [x * kx, y * ky, z * kz];
    // Posture: head raised by `pitch` about the bird's left axis.
    return [x, c * y + s * z, -s * y + c * z];
  };
}

/** Spread wings: two flat fans from the shoulders, any dihedral and sweep (flying or displaying birds). */
function drawWings(random: SeededRandom, deform: (p: Vec3) => Vec3): { mesh: Mesh; tipShade: number } {
  const span = random.range(0.7, 1.7);
  const dihedral = (random.range(-35, 70) * Math.PI) / 180;
  const sweep = random.range(-0.3, 0.35);
  const chord = random.range(0.35, 0.6);
  const verts: number[] = [];
  for (const side of [1, -1]) {
    const at = (d: number, z: number): Vec3 => deform([side * (0.12 + d * Math.cos(dihedral)), 0.12 + d * Math.sin(dihedral), z]);
    const points = [at(0, 0.2), at(0.45 * span, 0.2 - 0.3 * sweep), at(span, -0.05 - sweep), at(0.7 * span, -chord - 0.5 * sweep), at(0, -chord)];
    for (const p of points) verts.push(...p);
  }
  const faces: number[] = [];
  for (const base of [0, 5]) faces.push(base, base + 1, base + 2, base, base + 2, base + 3, base, base + 3, base + 4);
  return {
    mesh: { vertices: Float32Array.from(verts), faces: Int32Array.from(faces), uvs: new Float32Array(2), uvFaces: new Int32Array(faces.length) },
    tipShade: random.chance(0.5) ? random.range(0.1, 0.5) : 1,
  };
}

/** Plumage from the synth's species families, or a one-colour bird, or every part a random colour. */
function drawPlumage(random: SeededRandom): Plumage {
  const family = varyPlumage(drawSpecies(random), random);
  const kind = random.next();
  if (kind < 0.6) return family;
  const any = (): Colour => hsv(random.next(), random.range(0, 1), random.range(0.05, 1));
  if (kind < 0.8) {
    const c = any();
    const near = (): Colour => scaleColour(c, random.range(0.8, 1.2));
    return { ...family, back: near(), head: near(), crown: near(), eyeStripe: null, throat: near(), breast: near(), breastMark: near(), belly: near(), wing: near(), wingBar: near(), tail: near(), wingBars: 0, beak: random.chance(0.5) ? any() : c };
  }
  return { ...family, back: any(), head: any(), crown: any(), throat: any(), breast: any(), belly: any(), wing: any(), wingBar: any(), tail: any(), beak: any() };
}

/** Paints filled discs, lines and blobs into a float RGB canvas. */
class Painter {
  constructor(
    readonly rgb: Float32Array,
    readonly size: number,
  ) {}

  disc(cx: number, cy: number, rx: number, ry: number, angle: number, colour: Colour, alpha = 1, skip?: Uint8Array): void {
    const c = Math.cos(angle);
    const s = Math.sin(angle);
    const r = Math.max(rx, ry);
    for (let y = Math.max(0, Math.floor(cy - r)); y < Math.min(this.size, Math.ceil(cy + r)); y++) {
      for (let x = Math.max(0, Math.floor(cx - r)); x < Math.min(this.size, Math.ceil(cx + r)); x++) {
        const dx = x + 0.5 - cx;
        const dy = y + 0.5 - cy;
        const u = (c * dx + s * dy) / rx;
        const v = (-s * dx + c * dy) / ry;
        if (u * u + v * v > 1) continue;
        const p = y * this.size + x;
        if (skip && skip[p]) continue;
        for (let k = 0; k < 3; k++) this.rgb[3 * p + k] = this.rgb[3 * p + k] * (1 - alpha) + colour[k] * alpha;
      }
    }
  }

  /** A slightly bent stroke of varying width (a branch or twig). */
  stroke(random: SeededRandom, colour: Colour, width: number): void {
    let x = random.range(-0.2, 1.2) * this.size;
    let y = random.range(-0.2, 1.2) * this.size;
    let angle = random.range(0, 2 * Math.PI);
    const steps = 40;
    const length = random.range(0.4, 1.5) * this.size;
    for (let i = 0; i < steps; i++) {
      const w = width * (1 - (0.5 * i) / steps);
      this.disc(x, y, w, w, 0, scaleColour(colour, random.range(0.9, 1.1)));
      x += (Math.cos(angle) * length) / steps;
      y += (Math.sin(angle) * length) / steps;
      angle += random.range(-0.12, 0.12);
    }
  }
}

const natural = (random: SeededRandom): Colour =>
  random.chance(0.6) ? hsv(random.range(0.15, 0.4), random.range(0.2, 0.8), random.range(0.15, 0.8)) : hsv(random.range(0.03, 0.12), random.range(0.2, 0.6), random.range(0.15, 0.7));

/** A cluttered scene: the synth's procedural backgrounds, or foliage with bokeh, or sky; then branches and blobs. */
function drawBackground(random: SeededRandom, size: number): Float32Array {
  const rgb = new Float32Array(size * size * 3);
  const kind = random.next();
  if (kind < 0.35) {
    const bg = proceduralBackground(size, size, random).image.pixels;
    for (let i = 0; i < rgb.length; i++) rgb[i] = bg[i] / 255;
  } else {
    const top = kind < 0.65 ? natural(random) : hsv(random.range(0.5, 0.65), random.range(0.1, 0.7), random.range(0.5, 1));
    const bottom = random.chance(0.5) ? natural(random) : top;
    for (let y = 0; y < size; y++) {
      const c = mix(top, bottom, y / size);
      for (let x = 0; x < size; x++) rgb.set(c, 3 * (y * size + x));
    }
  }
  const paint = new Painter(rgb, size);
  if (kind >= 0.35 && kind < 0.65) {
    // Foliage and bokeh: many soft discs of natural colours.
    const n = 10 + random.int(40);
    for (let i = 0; i < n; i++) {
      const r = random.range(0.03, 0.2) * size;
      paint.disc(random.range(0, size), random.range(0, size), r, r * random.range(0.4, 1), random.range(0, Math.PI), natural(random), random.range(0.4, 1));
    }
  }
  const branches = random.chance(0.6) ? 1 + random.int(5) : 0;
  for (let i = 0; i < branches; i++) paint.stroke(random, hsv(random.range(0.02, 0.12), random.range(0, 0.5), random.range(0.08, 0.6)), random.range(0.5, 5));
  const blobs = random.chance(0.4) ? 1 + random.int(4) : 0;
  for (let i = 0; i < blobs; i++) {
    const r = random.range(0.04, 0.15) * size;
    paint.disc(random.range(0, size), random.range(0, size), r, r * random.range(0.3, 1), random.range(0, Math.PI), hsv(random.next(), random.next(), random.next()));
  }
  boxBlur(rgb, size, random.int(4));
  return rgb;
}

/** Separable box blur of radius r (in place); r = 0 does nothing. */
function boxBlur(rgb: Float32Array, size: number, r: number): void {
  if (r <= 0) return;
  const tmp = new Float32Array(rgb.length);
  for (const horizontal of [true, false]) {
    const src = horizontal ? rgb : tmp;
    const dst = horizontal ? tmp : rgb;
    for (let a = 0; a < size; a++) {
      for (let b = 0; b < size; b++) {
        for (let k = 0; k < 3; k++) {
          let sum = 0;
          let n = 0;
          for (let d = -r; d <= r; d++) {
            const bb = b + d;
            if (bb < 0 || bb >= size) continue;
            const p = horizontal ? a * size + bb : bb * size + a;
            sum += src[3 * p + k];
            n++;
          }
          dst[3 * (horizontal ? a * size + b : b * size + a) + k] = sum / n;
        }
      }
    }
  }
}

/** A camera as a bird photographer's, but wider: any heading, from below to high above, some roll. */
function drawRotation(random: SeededRandom): Mat3 {
  const heading = axisAngleToMatrix([0, random.range(-Math.PI, Math.PI), 0]);
  const elevation = axisAngleToMatrix([(random.range(-35, 75) * Math.PI) / 180, 0, 0]);
  const rollDeg = random.chance(0.1) ? random.range(-90, 90) : random.range(-25, 25);
  const roll = axisAngleToMatrix([0, 0, (rollDeg * Math.PI) / 180]);
  return multiplyMatrices(roll, multiplyMatrices(elevation, multiplyMatrices(Float64Array.from(BIRD_VIEW_ROTATIONS.side) as unknown as Mat3, heading)));
}

/** Renders one training crop (see the module comment) of `size` x `size` pixels. */
export function renderHeadingSample(shape: BirdMeanShape, modelKeypoints: Float32Array, random: SeededRandom, size = 64): HeadingSample {
  const deform = drawDeformation(random);
  const v = shape.mesh.vertices;
  const vertices = new Float32Array(v.length);
  for (let i = 0; i < v.length; i += 3) vertices.set(deform([v[i], v[i + 1], v[i + 2]]), i);
  const body: Mesh = { ...shape.mesh, vertices };
  const at = (i: number): Vec3 => deform([modelKeypoints[3 * i], modelKeypoints[3 * i + 1], modelKeypoints[3 * i + 2]]);
  const keypoints = Float32Array.from([...at(HEADING_KEYPOINTS.beak), ...at(HEADING_KEYPOINTS.tail)]);
  const wings = random.chance(0.25) ? drawWings(random, deform) : null;

  // Scale and place the bird (with its wings) so its projection fills 40-85 % of the canvas.
  const rotation = drawRotation(random);
  const quaternion = matrixToQuaternion(rotation);
  const probe = new WeakPerspectiveCamera({ scale: 1, translation: [0, 0], quaternion });
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const pts of [probe.project(vertices, 2, 2), wings ? probe.project(wings.mesh.vertices, 2, 2) : new Float32Array(0)]) {
    for (let i = 0; i < pts.length; i += 3) {
      x0 = Math.min(x0, pts[i] - 1);
      x1 = Math.max(x1, pts[i] - 1);
      y0 = Math.min(y0, pts[i + 1] - 1);
      y1 = Math.max(y1, pts[i + 1] - 1);
    }
  }
  const scale = (2 * random.range(0.4, 0.85)) / Math.max(x1 - x0, y1 - y0);
  const translation: [number, number] = [-scale * (x0 + x1) / 2 + random.range(-0.15, 0.15), -scale * (y0 + y1) / 2 + random.range(-0.15, 0.15)];
  const camera = new WeakPerspectiveCamera({ scale, translation, quaternion });

  const rgb = drawBackground(random, CANVAS);
  const background: RgbImage = { height: CANVAS, width: CANVAS, pixels: new Uint8Array(rgb.length) };
  for (let i = 0; i < rgb.length; i++) background.pixels[i] = toByte(rgb[i]);
  const plumage = drawPlumage(random);
  const texture = paintPlumage(plumage, TEXTURE, random);
  const frags = rasterize(body, camera, CANVAS, CANVAS);
  const bodyCover = Uint8Array.from(frags.faceIds, (f) => (f >= 0 ? 1 : 0));
  const cameraVertices = new Float32Array(vertices.length);
  const r = camera.rotation;
  for (let i = 0; i < vertices.length; i += 3) {
    for (let k = 0; k < 3; k++) cameraVertices[i + k] = r[3 * k] * vertices[i] + r[3 * k + 1] * vertices[i + 1] + r[3 * k + 2] * vertices[i + 2];
  }
  const d = [random.range(-0.8, 0.8), random.range(-0.2, 0.9), random.range(0.3, 1.0)];
  const dn = Math.hypot(d[0], d[1], d[2]);
  const warmth = random.range(-0.1, 0.1);
  const light = { direction: [d[0] / dn, d[1] / dn, d[2] / dn] as Vec3, ambient: random.range(0.3, 0.7), diffuse: random.range(0.3, 0.8), tint: [1 + warmth, 1, 1 - warmth] as Vec3 };
  const mask = shadeTextured(frags, texture, cameraVertices, body.faces, light, background);
  if (wings) {
    const wf = rasterize(wings.mesh, camera, CANVAS, CANVAS);
    const wingColour = random.chance(0.7) ? plumage.wing : plumage.back;
    const wv = camera.project(wings.mesh.vertices, CANVAS, CANVAS);
    for (let p = 0; p < CANVAS * CANVAS; p++) {
      const f = wf.faceIds[p];
      if (f < 0 || (frags.faceIds[p] >= 0 && frags.depth[p] < wf.depth[p])) continue;
      // Darker towards the tip (gulls, many raptors), a little grain.
      const tipX = wv[3 * wings.mesh.faces[3 * f + 2]];
      const rootX = wv[3 * wings.mesh.faces[3 * f]];
      const t = Math.min(1, Math.abs((p % CANVAS) - rootX) / (Math.abs(tipX - rootX) + 1e-6));
      const shade = (light.ambient + light.diffuse * 0.6) * (1 - (1 - wings.tipShade) * smoothstep(0.5, 1, t)) * random.range(0.92, 1.08);
      for (let k = 0; k < 3; k++) background.pixels[3 * p + k] = Math.min(255, Math.round(255 * wingColour[k] * shade));
      mask[p] = 255;
    }
  }
  for (let i = 0; i < rgb.length; i++) rgb[i] = background.pixels[i] / 255;

  // Occluding twigs and leaves in front of the bird now and then.
  const paint = new Painter(rgb, CANVAS);
  if (random.chance(0.25)) {
    for (let i = 0, n = 1 + random.int(2); i < n; i++) paint.stroke(random, hsv(random.range(0.02, 0.12), random.range(0, 0.5), random.range(0.1, 0.6)), random.range(0.5, 2.5));
  }
  if (random.chance(0.15)) {
    for (let i = 0, n = 1 + random.int(3); i < n; i++) {
      const rr = random.range(0.04, 0.1) * CANVAS;
      paint.disc(random.range(0, CANVAS), random.range(0, CANVAS), rr, rr * 0.5, random.range(0, Math.PI), natural(random));
    }
  }

  // The detector's box: the bird's box with each side moved by -8 % .. +12 % of its size.
  let [bx0, by0, bx1, by1] = [CANVAS, CANVAS, 0, 0];
  for (let y = 0; y < CANVAS; y++) {
    for (let x = 0; x < CANVAS; x++) {
      if (!mask[y * CANVAS + x]) continue;
      if (x < bx0) bx0 = x;
      if (x + 1 > bx1) bx1 = x + 1;
      if (y < by0) by0 = y;
      if (y + 1 > by1) by1 = y + 1;
    }
  }
  const bw = bx1 - bx0;
  const bh = by1 - by0;
  const jitter = () => random.range(-0.08, 0.12);
  const box: [number, number, number, number] = [bx0 - jitter() * bw, by0 - jitter() * bh, 0, 0];
  box[2] = bx1 + jitter() * bw - box[0];
  box[3] = by1 + jitter() * bh - box[1];
  const window = headingWindow(box);
  const pixels = photometric(cropPixels(rgb, CANVAS, CANVAS, window, size), size, random);
  const projected = camera.project(keypoints, CANVAS, CANVAS);
  const points = new Float32Array(4);
  for (let i = 0; i < 2; i++) {
    points[2 * i] = (2 * (projected[3 * i] - window.x)) / window.width - 1;
    points[2 * i + 1] = (2 * (projected[3 * i + 1] - window.y)) / window.height - 1;
  }
  // The tail-to-beak direction in camera axes (rows of R times the model-space difference).
  const diff = [keypoints[0] - keypoints[3], keypoints[1] - keypoints[4], keypoints[2] - keypoints[5]];
  const dir = [0, 1, 2].map((k) => r[3 * k] * diff[0] + r[3 * k + 1] * diff[1] + r[3 * k + 2] * diff[2]);
  // The up direction through the body's middle (head, tail and neck changes do not reach it).
  const [lo, hi] = [deform([0, -0.2, -0.1]), deform([0, 0.2, -0.1])];
  const upModel = [hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]];
  const up = [0, 1, 2].map((k) => r[3 * k] * upModel[0] + r[3 * k + 1] * upModel[1] + r[3 * k + 2] * upModel[2]);
  return {
    pixels,
    points,
    body: coverCells(bodyCover, CANVAS, window, size / 4),
    forwardZ: dir[2] / (Math.hypot(dir[0], dir[1], dir[2]) || 1),
    upZ: up[2] / (Math.hypot(up[0], up[1], up[2]) || 1),
  };
}

/**
 * Share of each of m x m cells of `window` that a canvas mask covers (4 x 4 samples per cell, nothing
 * outside the canvas), 0..255.
 */
function coverCells(mask: Uint8Array, canvas: number, window: CropWindow, m: number): Uint8Array {
  const out = new Uint8Array(m * m);
  const n = 4;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      let hits = 0;
      for (let a = 0; a < n; a++) {
        const y = Math.floor(window.y + ((i + (a + 0.5) / n) * window.height) / m);
        for (let b = 0; b < n; b++) {
          const x = Math.floor(window.x + ((j + (b + 0.5) / n) * window.width) / m);
          if (x >= 0 && y >= 0 && x < canvas && y < canvas) hits += mask[y * canvas + x];
        }
      }
      out[i * m + j] = Math.round((255 * hits) / (n * n));
    }
  }
  return out;
}

/** A value in [0,1] to 0..255, rounded and clamped (a Uint8Array wraps instead of clamping). */
function toByte(v: number): number {
  const b = 255 * v + 0.5;
  return b < 0 ? 0 : b > 255 ? 255 : b;
}

/** Brightness, contrast, gamma, saturation and colour cast, blur and sensor noise; to 8 bits. */
function photometric(rgb: Float32Array, size: number, random: SeededRandom): Uint8Array {
  boxBlur(rgb, size, random.chance(0.3) ? 1 : 0);
  const gain = [0, 1, 2].map(() => random.range(0.85, 1.15));
  const brightness = random.range(0.6, 1.4);
  const contrast = random.range(0.6, 1.4);
  const gamma = random.range(0.7, 1.4);
  const saturation = random.chance(0.05) ? 0 : random.range(0.5, 1.5);
  const noise = random.range(0, 0.06);
  const out = new Uint8Array(rgb.length);
  const c = [0, 0, 0];
  for (let p = 0; p < size * size; p++) {
    for (let k = 0; k < 3; k++) c[k] = Math.max(0, rgb[3 * p + k] * gain[k] * brightness);
    const grey = (c[0] + c[1] + c[2]) / 3;
    for (let k = 0; k < 3; k++) {
      let value = grey + (c[k] - grey) * saturation;
      value = 0.5 + (value - 0.5) * contrast;
      // Uniform noise with the standard deviation `noise` (cheaper than Gaussian, as good here).
      value = Math.max(0, value) ** gamma + noise * 3.46 * (random.next() - 0.5);
      out[3 * p + k] = toByte(value);
    }
  }
  return out;
}

/** The mean shape's keypoints, once per shape (a convenience for callers rendering many samples). */
export function headingModelKeypoints(shape: BirdMeanShape): Float32Array {
  return keypointPositions(shape);
}
