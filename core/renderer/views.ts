import type { Mesh } from '../interfaces/mesh';
import type { TextureSampling } from '../interfaces/renderer';
import { writePng, type PixelBuffer } from '../io/image-io';
import { PerspectiveCamera } from './perspective-camera';
import { rasterize } from './rasterizer';
import { axisAngleToMatrix, multiplyMatrices } from './rotation';
import { computeTexelTaps } from './texel-taps';
import { faceNormals } from './normals';

/** Which views to render: `N` views turning about the model's up axis (+y), or front, side and back. */
export type ViewSet = number | 'front-side-back';

/** Settings for {@link renderViews}. */
export interface ViewSettings {
  /** Default `front-side-back`. */
  readonly views?: ViewSet;
  /** Size of each view [H, W]; default [256, 192]. */
  readonly viewSize?: readonly [number, number];
  /** Views per grid row; default all views in one row up to 4. */
  readonly columns?: number;
  /** Vertical field of view in degrees; default 30. The mesh is framed to fill each view. */
  readonly fovDegrees?: number;
  /** Background RGB 0..255; default light grey. */
  readonly background?: readonly [number, number, number];
  /** Default `bilinear`. */
  readonly sampling?: TextureSampling;
  /** Light from the camera's side: fraction of unlit brightness; default 0.35. */
  readonly ambient?: number;
}

/** Angles (radians, about +y) of a view set; angle 0 looks at the model's front (+z). */
export function viewAngles(views: ViewSet): number[] {
  if (views === 'front-side-back') return [0, Math.PI / 2, Math.PI];
  if (!Number.isInteger(views) || views < 1 || views > 64) {
    throw new Error(`views must be 'front-side-back' or a turntable of 1..64 views, got ${String(views)}`);
  }
  return Array.from({ length: views }, (_, i) => (2 * Math.PI * i) / views);
}

/**
 * Renders a textured mesh from several views into one RGB image grid, with Lambert shading from face
 * normals (a light above-left of the camera; both sides lit, since back faces render too). Each view's
 * camera looks at the mesh's bounding-box centre from far enough for the mesh to fit at every angle.
 * @param mesh y up, front facing +z (SMPL's convention)
 * @param texture 8-bit RGB or RGBA texture image (row 0 is v = 1)
 */
export function renderViews(mesh: Mesh, texture: PixelBuffer, settings: ViewSettings = {}): PixelBuffer {
  const angles = viewAngles(settings.views ?? 'front-side-back');
  const [vh, vw] = settings.viewSize ?? [256, 192];
  const columns = Math.min(angles.length, settings.columns ?? 4);
  const rows = Math.ceil(angles.length / columns);
  const background = settings.background ?? [235, 235, 235];
  const ambient = settings.ambient ?? 0.35;
  const fov = ((settings.fovDegrees ?? 30) * Math.PI) / 180;
  const { pixels: tex, height: th, width: tw, channels: tc } = texture;
  if (tex.length !== th * tw * tc) throw new Error(`texture has ${tex.length} bytes, expected ${th}x${tw}x${tc}`);

  const v = mesh.vertices;
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < v.length; i++) {
    lo[i % 3] = Math.min(lo[i % 3], v[i]);
    hi[i % 3] = Math.max(hi[i % 3], v[i]);
  }
  const centre = [0, 1, 2].map((k) => (lo[k] + hi[k]) / 2);
  // Fit a vertical cylinder around the mesh (it turns about y): its half height must fit the view's
  // height and its radius the view's width, from the cylinder's nearest point.
  let radial = 1e-9;
  for (let i = 0; i < v.length; i += 3) radial = Math.max(radial, Math.hypot(v[i] - centre[0], v[i + 2] - centre[2]));
  const halfHeight = Math.max(1e-9, (hi[1] - lo[1]) / 2);
  const focal = vh / 2 / Math.tan(fov / 2);
  const distance = radial + 1.08 * Math.max(halfHeight / Math.tan(fov / 2), (radial * focal) / (vw / 2));
  const normals = faceNormals(mesh);
  // Light direction in camera coordinates (x right, y down, z forward), pointing towards the light.
  const light = normalise([-0.4, -0.6, -1]);

  const height = rows * vh;
  const width = columns * vw;
  const out = new Uint8Array(height * width * 3);
  for (let p = 0; p < height * width; p++) out.set(background, 3 * p);
  // Model y-up/z-front to camera y-down/z-forward, after turning the model by -angle about y.
  const flip = Float64Array.of(1, 0, 0, 0, -1, 0, 0, 0, -1);
  angles.forEach((angle, view) => {
    const rotation = multiplyMatrices(flip, axisAngleToMatrix([0, -angle, 0]));
    const rc = [0, 1, 2].map((r) => rotation[3 * r] * centre[0] + rotation[3 * r + 1] * centre[1] + rotation[3 * r + 2] * centre[2]);
    const camera = new PerspectiveCamera({
      focalLength: focal,
      rotation,
      translation: [-rc[0], -rc[1], distance - rc[2]],
    });
    const frag = rasterize(mesh, camera, vh, vw);
    const taps = computeTexelTaps(frag, [th, tw], settings.sampling ?? 'bilinear');
    const k = taps.tapsPerPixel;
    const x0 = (view % columns) * vw;
    const y0 = Math.floor(view / columns) * vh;
    for (let n = 0; n < taps.pixels.length; n++) {
      const p = taps.pixels[n];
      const f = frag.faceIds[p];
      const nx = normals[3 * f];
      const ny = normals[3 * f + 1];
      const nz = normals[3 * f + 2];
      const cx = rotation[0] * nx + rotation[1] * ny + rotation[2] * nz;
      const cy = rotation[3] * nx + rotation[4] * ny + rotation[5] * nz;
      const cz = rotation[6] * nx + rotation[7] * ny + rotation[8] * nz;
      const shade = ambient + (1 - ambient) * Math.abs(cx * light[0] + cy * light[1] + cz * light[2]);
      const o = 3 * ((y0 + Math.floor(p / vw)) * width + x0 + (p % vw));
      for (let ch = 0; ch < 3; ch++) {
        let s = 0;
        for (let j = 0; j < k; j++) s += taps.weights[n * k + j] * tex[taps.taps[n * k + j] * tc + ch];
        out[o + ch] = Math.max(0, Math.min(255, Math.round(s * shade)));
      }
    }
  });
  return { pixels: out, height, width, channels: 3 };
}

/** Renders {@link renderViews} and writes the grid as a PNG (atomically). */
export async function writeViews(file: string, mesh: Mesh, texture: PixelBuffer, settings: ViewSettings = {}): Promise<PixelBuffer> {
  const grid = renderViews(mesh, texture, settings);
  await writePng(file, grid.pixels, grid.height, grid.width, 3);
  return grid;
}

function normalise(a: number[]): number[] {
  const n = Math.hypot(a[0], a[1], a[2]);
  return a.map((x) => x / n);
}
