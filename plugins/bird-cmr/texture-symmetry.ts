import type { RetexConfig, TextureParts, TextureSymmetry } from '../../core/plugin';
import { checkTextureSize } from '../../core/renderer/texel-taps';
import { forEachUvTexel } from '../../core/renderer/uv-texels';
import { CUB_KEYPOINT_NAMES, type CubKeypointName } from './keypoints';
import { WING } from './shape/bird-profile';
import { buildBirdMeanShape, DEFAULT_SUBDIVISIONS, keypointPositions, type BirdMeanShape } from './shape/mean-shape';

/** The bird's texture parts, in label order. The two wings are one part: a bird's wings look alike. */
export const BIRD_PART_NAMES = ['head', 'back', 'breast', 'belly', 'wings', 'tail'] as const;

/**
 * Where a folded wing covers the flank, as the angle around the long axis above the widest line
 * (radians; the sphere's angle, as `sphereToBird` uses it): where its cover of the flank is above one half.
 */
const WING_ELEVATION: readonly [number, number] = [0.075, 1.025];

/** Each chart texel's point on the mean shape: its face and the barycentric weights of the texel centre. */
interface TexelPoints {
  /** int32 [Th*Tw]: face, -1 off the charts. */
  readonly face: Int32Array;
  /** float32 [Th*Tw*3]: barycentric weights of the face's corners. */
  readonly barycentric: Float32Array;
}

function texelPoints(shape: BirdMeanShape, th: number, tw: number): TexelPoints {
  const face = new Int32Array(th * tw).fill(-1);
  const barycentric = new Float32Array(th * tw * 3);
  const { uvs, uvFaces } = shape.mesh;
  for (let f = 0; f < uvFaces.length / 3; f++) {
    forEachUvTexel(uvs, uvFaces, f, th, tw, (t, w0, w1, w2) => {
      face[t] = f;
      barycentric.set([w0, w1, w2], 3 * t);
    });
  }
  return { face, barycentric };
}

/** For each face, the face made of its corners' mirror vertices, and which of its corners mirrors each corner. */
function mirrorFaces(shape: BirdMeanShape): { face: Int32Array; corner: Int8Array } {
  const { faces } = shape.mesh;
  const nf = faces.length / 3;
  const key = (a: number, b: number, c: number) => [a, b, c].sort((x, y) => x - y).join(',');
  const byCorners = new Map<string, number>();
  for (let f = 0; f < nf; f++) byCorners.set(key(faces[3 * f], faces[3 * f + 1], faces[3 * f + 2]), f);
  const face = new Int32Array(nf);
  const corner = new Int8Array(nf * 3);
  for (let f = 0; f < nf; f++) {
    const mirrored = [0, 1, 2].map((k) => shape.mirror[faces[3 * f + k]]);
    const g = byCorners.get(key(mirrored[0], mirrored[1], mirrored[2]));
    if (g === undefined) throw new Error(`bird mean shape: face ${f} has no mirror face (the shape is not left-right symmetric)`);
    face[f] = g;
    for (let k = 0; k < 3; k++) corner[3 * f + k] = [0, 1, 2].find((j) => faces[3 * g + j] === mirrored[k]) as number;
  }
  return { face, corner };
}

/** The chart texel nearest to texel (r, c) within a few texels (itself when on the charts), or -1. */
function nearestChartTexel(points: TexelPoints, r: number, c: number, th: number, tw: number): number {
  for (let radius = 0; radius <= 3; radius++) {
    let best = -1;
    let bestDist = Infinity;
    for (let rr = Math.max(0, r - radius); rr <= Math.min(th - 1, r + radius); rr++) {
      for (let cc = Math.max(0, c - radius); cc <= Math.min(tw - 1, c + radius); cc++) {
        const d = (rr - r) ** 2 + (cc - c) ** 2;
        if (points.face[rr * tw + cc] >= 0 && d < bestDist) {
          bestDist = d;
          best = rr * tw + cc;
        }
      }
    }
    if (best >= 0) return best;
  }
  return -1;
}

/**
 * The texel of each chart texel's mirror image: its surface point (face, barycentrics) carried to the
 * mirror face with the same weights, and that point's UV looked up in the texture. On the spherical
 * UVs this is the column flip u -> 1 - u away from the seam faces.
 * @returns int32 [Th*Tw], -1 off the charts
 */
export function birdMirrorMap(shape: BirdMeanShape, textureSize: readonly [number, number]): Int32Array {
  checkTextureSize(textureSize);
  const [th, tw] = textureSize;
  const points = texelPoints(shape, th, tw);
  const { face: mirrorFace, corner } = mirrorFaces(shape);
  const { uvs, uvFaces } = shape.mesh;
  const out = new Int32Array(th * tw).fill(-1);
  for (let t = 0; t < th * tw; t++) {
    const f = points.face[t];
    if (f < 0) continue;
    const g = mirrorFace[f];
    let u = 0;
    let v = 0;
    for (let k = 0; k < 3; k++) {
      const w = points.barycentric[3 * t + k];
      const uv = uvFaces[3 * g + corner[3 * f + k]];
      u += w * uvs[2 * uv];
      v += w * uvs[2 * uv + 1];
    }
    const r = Math.min(th - 1, Math.max(0, Math.floor((1 - v) * th)));
    const c = Math.min(tw - 1, Math.max(0, Math.floor(u * tw)));
    out[t] = nearestChartTexel(points, r, c, th, tw);
  }
  return out;
}

/**
 * The part of each chart texel, from where its surface point lies on the mean shape (x the bird's left,
 * y up, z forward) and the CUB keypoints:
 * - head: in front of midway between the nape and the breast keypoints (head, beak, throat);
 * - wings: the folded wings' cover of the upper flanks (`WING`, and the elevation band where
 *   `sphereToBird` raises the wing), both sides;
 * - tail: behind midway between the belly and the tail keypoints;
 * - back: the rest of the upper half; breast and belly the lower half, split midway between their keypoints.
 * @returns labels int32 [Th*Tw] indexing {@link BIRD_PART_NAMES}, -1 off the charts
 */
export function birdParts(shape: BirdMeanShape, textureSize: readonly [number, number]): TextureParts {
  checkTextureSize(textureSize);
  const [th, tw] = textureSize;
  const points = texelPoints(shape, th, tw);
  const keypoints = keypointPositions(shape);
  const keyZ = (name: CubKeypointName) => keypoints[3 * CUB_KEYPOINT_NAMES.indexOf(name) + 2];
  const headZ = (keyZ('nape') + keyZ('breast')) / 2;
  const tailZ = (keyZ('belly') + keyZ('tail')) / 2;
  const breastZ = (keyZ('breast') + keyZ('belly')) / 2;
  const label = (name: (typeof BIRD_PART_NAMES)[number]) => BIRD_PART_NAMES.indexOf(name);
  const { vertices, faces } = shape.mesh;
  const sphere = shape.spherePositions;
  const labels = new Int32Array(th * tw).fill(-1);
  for (let t = 0; t < th * tw; t++) {
    const f = points.face[t];
    if (f < 0) continue;
    let z = 0;
    let sx = 0;
    let sy = 0;
    for (let k = 0; k < 3; k++) {
      const w = points.barycentric[3 * t + k];
      const v = faces[3 * f + k];
      z += w * vertices[3 * v + 2];
      sx += w * sphere[3 * v];
      sy += w * sphere[3 * v + 1];
    }
    // The angle around the long axis above the widest line: -pi/2 down the belly, +pi/2 along the spine.
    const elevation = Math.atan2(sy, Math.abs(sx));
    let part: number;
    if (z > headZ) part = label('head');
    else if (z <= WING.frontZ && z >= WING.tipZ && elevation >= WING_ELEVATION[0] && elevation <= WING_ELEVATION[1]) part = label('wings');
    else if (z < tailZ) part = label('tail');
    else if (elevation > 0) part = label('back');
    else part = z > breastZ ? label('breast') : label('belly');
    labels[t] = part;
  }
  return { labels, names: BIRD_PART_NAMES };
}

function subdivisionsOf(config: RetexConfig): number {
  return (config.pluginOptions.subdivisions as number | undefined) ?? DEFAULT_SUBDIVISIONS;
}

const shapes = new Map<number, BirdMeanShape>();
const mirrors = new Map<string, Int32Array>();
const parts = new Map<string, TextureParts>();

function meanShape(config: RetexConfig): BirdMeanShape {
  const level = subdivisionsOf(config);
  let shape = shapes.get(level);
  if (shape === undefined) {
    shape = buildBirdMeanShape(level);
    shapes.set(level, shape);
  }
  return shape;
}

/**
 * The bird's texture symmetry: the mean shape is exactly left-right symmetric, so a texel's mirror is the
 * texel of its surface point's mirror image; parts from the mean shape's geometry. Cached per mean-shape
 * level and texture size; each call returns fresh arrays.
 */
export const BIRD_TEXTURE_SYMMETRY: TextureSymmetry = {
  async mirror(config, textureSize) {
    const key = `${subdivisionsOf(config)}:${textureSize[0]}x${textureSize[1]}`;
    let map = mirrors.get(key);
    if (map === undefined) {
      map = birdMirrorMap(meanShape(config), textureSize);
      mirrors.set(key, map);
    }
    return map.slice();
  },
  async parts(config, textureSize) {
    const key = `${subdivisionsOf(config)}:${textureSize[0]}x${textureSize[1]}`;
    let labels = parts.get(key);
    if (labels === undefined) {
      labels = birdParts(meanShape(config), textureSize);
      parts.set(key, labels);
    }
    return { labels: labels.labels.slice(), names: labels.names };
  },
};
