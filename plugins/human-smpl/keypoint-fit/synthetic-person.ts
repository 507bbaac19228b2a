import { tf } from '../../../core/backend/tf';
import type { Camera, Mesh } from '../../../core/interfaces/mesh';
import { rasterize } from '../../../core/renderer/rasterizer';
import type { BodyModelData } from '../body/body-model-types';

const SKIN = [0.86, 0.66, 0.52];
const SHIRT = [0.75, 0.18, 0.16];
const TROUSERS = [0.16, 0.2, 0.42];
const SHOES = [0.12, 0.1, 0.08];
const HAIR = [0.2, 0.13, 0.08];
const BACKGROUND = 0.5;

/**
 * Renders a posed body as a plainly dressed person (skin on the face and hand regions, hair on the rest of
 * the head, a shirt above the waist, trousers, shoes; Lambert shading from the camera) over a grey background: test and benchmark
 * input with known body parameters.
 * @param posedVertices float32 [V*3] of `data`'s body
 * @returns image float32 [H,W,3] in [-1,1] (caller disposes) and the silhouette float32 [H*W] in {0,1}
 */
export function renderSyntheticPerson(
  data: BodyModelData,
  posedVertices: Float32Array,
  camera: Camera,
  height: number,
  width: number,
): { image: tf.Tensor3D; silhouette: Float32Array } {
  const mesh: Mesh = { vertices: posedVertices, faces: data.faces, uvs: data.uvs, uvFaces: data.uvFaces };
  const frag = rasterize(mesh, camera, height, width);
  const skin = new Uint8Array(data.faces.length / 3);
  for (const flags of Object.values(data.regions)) for (let f = 0; f < skin.length; f++) skin[f] |= flags[f];
  const head = data.jointNames.indexOf('head');
  const nj = data.parents.length;
  const pixels = new Float32Array(height * width * 3).fill(BACKGROUND);
  const silhouette = new Float32Array(height * width);
  const v = posedVertices;
  const t = data.vTemplate;
  for (let p = 0; p < height * width; p++) {
    const f = frag.faceIds[p];
    if (f < 0) continue;
    silhouette[p] = 1;
    const [a, b, c] = [data.faces[3 * f], data.faces[3 * f + 1], data.faces[3 * f + 2]];
    const restY = t[3 * a + 1]; // the pelvis joint is near y = 0 in the rest pose
    const onHead = head >= 0 && data.weights[a * nj + head] > 0.5;
    const colour = skin[f] ? SKIN : onHead ? HAIR : restY > -0.04 ? SHIRT : restY > -0.86 ? TROUSERS : SHOES;
    const e1 = [0, 1, 2].map((k) => v[3 * b + k] - v[3 * a + k]);
    const e2 = [0, 1, 2].map((k) => v[3 * c + k] - v[3 * a + k]);
    const n = [e1[1] * e2[2] - e1[2] * e2[1], e1[2] * e2[0] - e1[0] * e2[2], e1[0] * e2[1] - e1[1] * e2[0]];
    const shade = 0.45 + 0.55 * (Math.abs(n[2]) / (Math.hypot(n[0], n[1], n[2]) || 1));
    for (let k = 0; k < 3; k++) pixels[3 * p + k] = colour[k] * shade;
  }
  const image = tf.tidy(() => tf.tensor3d(pixels, [height, width, 3]).mul(2).sub(1) as tf.Tensor3D);
  return { image, silhouette };
}

/** Intersection over union of two {0,1} masks of the same size. */
export function maskIou(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] >= 0.5;
    const y = b[i] >= 0.5;
    if (x && y) inter++;
    if (x || y) union++;
  }
  return union === 0 ? 1 : inter / union;
}
