import type { Mesh } from '../../../core/interfaces/mesh';
import { CUB_KEYPOINT_NAMES, type CubKeypointName } from '../keypoints';
import { BODY, HEAD, TAIL_TIP_Z, BEAK, BEAK_TIP_Z, birdSlice } from './bird-profile';
import { sphereToBird } from './bird-deformation';
import { icosphere } from './icosphere';
import { sphericalUvs } from './spherical-uv';
import { closestSurfacePoint, mirrorSurfacePoint, type SurfacePoint } from './surface-point';
import { mirrorPairs, symmetrize } from './symmetry';

/** CMR's texture size [height, width]: v runs along the bird (128), u around it (256). */
export const BIRD_TEXTURE_SIZE: readonly [number, number] = [128, 256];

/** The default icosphere level (642 vertices, 1,280 faces, as CMR). */
export const DEFAULT_SUBDIVISIONS = 3;

/** The bird template every bird image is fitted with. */
export interface BirdMeanShape {
  /**
   * Model space: x the bird's left, y up, z forward (towards the beak); about 2 units from tail tip to
   * beak tip. UVs are the sphere's spherical coordinates (see `sphericalUvs`).
   */
  readonly mesh: Mesh;
  /** float32 [V*3]: the icosphere point each vertex came from (unit vectors). */
  readonly spherePositions: Float32Array;
  /** int32 [V]: each vertex's mirror image across x = 0 (itself on the plane). */
  readonly mirror: Int32Array;
  /** The 15 CUB part keypoints as surface points, in CUB's order (CUB_KEYPOINT_NAMES). */
  readonly keypoints: readonly SurfacePoint[];
  /** Texture size [height, width] the UVs are meant for. */
  readonly textureSize: readonly [number, number];
}

/**
 * Model-space spots the keypoints are snapped to (the surface point closest to each). Left-side
 * points only; the right ones are their mirror images, so the map is exactly symmetric.
 */
function keypointTargets(): Partial<Record<CubKeypointName, [number, number, number]>> {
  const top = (z: number): [number, number, number] => [0, birdSlice(z).top, z];
  const bottom = (z: number): [number, number, number] => [0, birdSlice(z).bottom, z];
  const wingZ = BODY.z - 0.1;
  const wing = birdSlice(wingZ);
  return {
    back: top(BODY.z + 0.05),
    beak: [0, BEAK.tipY, BEAK_TIP_Z],
    belly: bottom(BODY.z - 0.1),
    breast: bottom(BODY.z + 0.32),
    crown: top(HEAD.z),
    forehead: top(HEAD.z + 0.12),
    'left eye': [HEAD.halfWidth, HEAD.y + 0.03, HEAD.z + 0.06],
    'left leg': [0.09, birdSlice(BODY.z - 0.05).bottom, BODY.z - 0.05],
    'left wing': [wing.halfWidth, (wing.top + wing.bottom) / 2 + 0.08, wingZ],
    nape: top(HEAD.z - 0.15),
    tail: top(TAIL_TIP_Z + 0.15),
    throat: bottom(HEAD.z + 0.06),
  };
}

/**
 * Builds the bird mean shape: an icosphere of `subdivisions` levels (3: 642 vertices, 1,280 faces)
 * moved onto the bird loft (`sphereToBird`), made exactly left-right symmetric, with spherical UVs
 * and the CUB keypoint map.
 */
export function buildBirdMeanShape(subdivisions = DEFAULT_SUBDIVISIONS): BirdMeanShape {
  if (!Number.isInteger(subdivisions) || subdivisions < 1 || subdivisions > 6) {
    throw new Error(`mean shape subdivisions must be an integer in 1..6 (3 is CMR's 642 vertices), got ${subdivisions}`);
  }
  const sphere = icosphere(subdivisions);
  const mirror = mirrorPairs(sphere.positions);
  const nv = sphere.positions.length / 3;
  const positions = new Float64Array(nv * 3);
  for (let i = 0; i < nv; i++) {
    const p = sphereToBird(sphere.positions[3 * i], sphere.positions[3 * i + 1], sphere.positions[3 * i + 2]);
    positions.set(p, 3 * i);
  }
  symmetrize(positions, mirror);
  const vertices = Float32Array.from(positions);
  const { uvs, uvFaces } = sphericalUvs(sphere.positions, sphere.faces);
  const mesh: Mesh = { vertices, faces: sphere.faces, uvs, uvFaces };

  const targets = keypointTargets();
  const keypoints: SurfacePoint[] = new Array(CUB_KEYPOINT_NAMES.length);
  CUB_KEYPOINT_NAMES.forEach((name, i) => {
    const target = targets[name];
    if (target) keypoints[i] = closestSurfacePoint(mesh, target);
  });
  CUB_KEYPOINT_NAMES.forEach((name, i) => {
    if (!name.startsWith('right ')) return;
    const left = CUB_KEYPOINT_NAMES.indexOf(name.replace('right ', 'left ') as CubKeypointName);
    keypoints[i] = mirrorSurfacePoint(mesh.faces, mirror, keypoints[left]);
  });
  return {
    mesh,
    spherePositions: Float32Array.from(sphere.positions),
    mirror,
    keypoints,
    textureSize: BIRD_TEXTURE_SIZE,
  };
}

/**
 * Model-space positions of the mean shape's keypoints.
 * @returns float32 [15*3], CUB's order
 */
export function keypointPositions(shape: BirdMeanShape): Float32Array {
  const out = new Float32Array(shape.keypoints.length * 3);
  const { vertices, faces } = shape.mesh;
  shape.keypoints.forEach((p, i) => {
    for (let k = 0; k < 3; k++) {
      const v = faces[3 * p.face + k];
      for (let d = 0; d < 3; d++) out[3 * i + d] += p.barycentric[k] * vertices[3 * v + d];
    }
  });
  return out;
}
