import type { PixelBuffer } from '../../../core/io/image-io';
import type { Mesh } from '../../../core/interfaces/mesh';
import { PerspectiveCamera } from '../../../core/renderer/perspective-camera';
import { rasterize } from '../../../core/renderer/rasterizer';
import type { BodyModelData } from '../body/body-model-types';

/** Colours of the overlay (RGB 0..255): the body's front half, its back half, the face. */
const FRONT = [255, 150, 40];
const BACK = [40, 150, 255];
const FACE = [230, 30, 30];
/** Keypoint dots: the person's left side, right side, midline (as labelled in the observation). */
const LEFT = [40, 220, 40];
const RIGHT = [230, 40, 230];
const MIDDLE = [255, 255, 255];
/** Share of the body's colour in an overlay pixel. */
const ALPHA = 0.55;

/**
 * Which faces of a body lie on its front half: the rest-pose face normal points forward (+z, the SMPL
 * convention), so a fit facing the camera shows mostly front faces and one facing away mostly back faces.
 * @returns uint8 [F]: 2 face region, 1 front, 0 back
 */
export function frontBackFaces(data: BodyModelData): Uint8Array {
  const f = data.faces;
  const v = data.vTemplate;
  const out = new Uint8Array(f.length / 3);
  const face = data.regions.face;
  for (let i = 0; i < out.length; i++) {
    const [a, b, c] = [f[3 * i], f[3 * i + 1], f[3 * i + 2]];
    const e1 = [0, 1, 2].map((k) => v[3 * b + k] - v[3 * a + k]);
    const e2 = [0, 1, 2].map((k) => v[3 * c + k] - v[3 * a + k]);
    const nz = e1[0] * e2[1] - e1[1] * e2[0];
    out[i] = face && face[i] ? 2 : nz > 0 ? 1 : 0;
  }
  return out;
}

/**
 * A photo with a fitted body drawn over it, `scale` times larger (nearest-neighbour): the body's front
 * half orange, its back half blue, the face red, half transparent, so the fitted facing reads at a glance;
 * optional keypoint dots (left green, right magenta, midline white).
 * @param photo 8-bit RGB of the image the body was fitted to
 * @param keypoints float32 [K*2] pixels of the photo, with names telling the side (`left_*`, `right_*`)
 */
export function renderFitOverlay(
  photo: PixelBuffer,
  mesh: Mesh,
  camera: PerspectiveCamera,
  data: BodyModelData,
  scale = 4,
  keypoints?: { readonly xy: Float32Array; readonly names: readonly string[]; readonly confidence?: Float32Array },
): PixelBuffer {
  const [h, w] = [photo.height, photo.width];
  const [H, W] = [h * scale, w * scale];
  const [cx, cy] = camera.principalPoint ?? [w / 2, h / 2];
  const big = new PerspectiveCamera({
    focalLength: [camera.fx * scale, camera.fy * scale],
    principalPoint: [cx * scale, cy * scale],
    rotation: camera.rotation,
    translation: camera.translation,
  });
  const frag = rasterize(mesh, big, H, W);
  const kind = frontBackFaces(data);
  const out = new Uint8Array(H * W * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const p = y * W + x;
      const src = (Math.floor(y / scale) * w + Math.floor(x / scale)) * photo.channels;
      const f = frag.faceIds[p];
      for (let k = 0; k < 3; k++) {
        const base = photo.pixels[src + k];
        if (f < 0) out[3 * p + k] = base;
        else {
          const c = kind[f] === 2 ? FACE : kind[f] === 1 ? FRONT : BACK;
          out[3 * p + k] = Math.round(ALPHA * c[k] + (1 - ALPHA) * base);
        }
      }
    }
  }
  if (keypoints) {
    keypoints.names.forEach((name, i) => {
      if (keypoints.confidence && !(keypoints.confidence[i] > 0)) return;
      const c = name.startsWith('left_') ? LEFT : name.startsWith('right_') ? RIGHT : MIDDLE;
      const px = Math.round(keypoints.xy[2 * i] * scale);
      const py = Math.round(keypoints.xy[2 * i + 1] * scale);
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const [x, y] = [px + dx, py + dy];
          if (x >= 0 && x < W && y >= 0 && y < H) out.set(c, 3 * (y * W + x));
        }
      }
    });
  }
  return { pixels: out, height: H, width: W, channels: 3 };
}
