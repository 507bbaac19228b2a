import * as fs from 'fs';
import * as path from 'path';
import type { RetexConfig, TextureParts, TextureSymmetry } from '../../core/plugin';
import { checkTextureSize } from '../../core/renderer/texel-taps';
import type { BodyModelData } from './body/body-model-types';
import { BUILTIN_BODY } from './body/load-body-model';
import type { SmplJointName } from './body/smpl-skeleton';
import { builtinBodyData } from './builtin-body/builtin-body';
import { loadSmplFiles } from './io/smpl-files';
import { texelSurface } from './synth/texel-surface';

/** The body's texture parts, in label order. Left and right limbs share a part: clothes are mostly symmetric. */
export const HUMAN_PART_NAMES = ['head', 'torso', 'upperArms', 'lowerArms', 'hands', 'upperLegs', 'lowerLegs', 'feet'] as const;

export type HumanPartName = (typeof HUMAN_PART_NAMES)[number];

/** The part of the body each SMPL joint skins (a texel belongs to the part of its dominant joint). */
export const HUMAN_JOINT_PARTS: Readonly<Record<SmplJointName, HumanPartName>> = {
  pelvis: 'torso',
  spine1: 'torso',
  spine2: 'torso',
  spine3: 'torso',
  left_collar: 'torso',
  right_collar: 'torso',
  neck: 'head',
  head: 'head',
  left_shoulder: 'upperArms',
  right_shoulder: 'upperArms',
  left_elbow: 'lowerArms',
  right_elbow: 'lowerArms',
  left_wrist: 'hands',
  right_wrist: 'hands',
  left_hand: 'hands',
  right_hand: 'hands',
  left_hip: 'upperLegs',
  right_hip: 'upperLegs',
  left_knee: 'lowerLegs',
  right_knee: 'lowerLegs',
  left_ankle: 'feet',
  right_ankle: 'feet',
  left_foot: 'feet',
  right_foot: 'feet',
};

/** Nearest-neighbour queries over a fixed point set on a uniform grid of cubic cells. */
class PointGrid {
  private readonly origin: [number, number, number];
  private readonly dims: [number, number, number];
  private readonly cells = new Map<number, number[]>();

  /**
   * @param points float [N*3]; @param ids the point indices to index (others are never returned)
   * @param cell edge length of a cell (about the spacing of the points)
   */
  constructor(
    private readonly points: ArrayLike<number>,
    ids: readonly number[],
    private readonly cell: number,
  ) {
    const lo = [Infinity, Infinity, Infinity];
    const hi = [-Infinity, -Infinity, -Infinity];
    for (const i of ids) {
      for (let k = 0; k < 3; k++) {
        lo[k] = Math.min(lo[k], points[3 * i + k]);
        hi[k] = Math.max(hi[k], points[3 * i + k]);
      }
    }
    this.origin = [lo[0], lo[1], lo[2]];
    this.dims = [0, 1, 2].map((k) => Math.max(1, Math.floor((hi[k] - lo[k]) / cell) + 1)) as [number, number, number];
    for (const i of ids) {
      const key = this.key(...this.cellOf(points[3 * i], points[3 * i + 1], points[3 * i + 2]));
      const list = this.cells.get(key);
      if (list) list.push(i);
      else this.cells.set(key, [i]);
    }
  }

  private cellOf(x: number, y: number, z: number): [number, number, number] {
    return [x, y, z].map((v, k) => Math.floor((v - this.origin[k]) / this.cell)) as [number, number, number];
  }

  private key(ix: number, iy: number, iz: number): number {
    return ix + this.dims[0] * (iy + this.dims[1] * iz);
  }

  /**
   * The indexed points within `radius` of (x, y, z), nearest first.
   * @returns pairs [index, distance]
   */
  within(x: number, y: number, z: number, radius: number): Array<[number, number]> {
    const lo = this.cellOf(x - radius, y - radius, z - radius);
    const hi = this.cellOf(x + radius, y + radius, z + radius);
    const out: Array<[number, number]> = [];
    for (let ix = Math.max(0, lo[0]); ix <= Math.min(this.dims[0] - 1, hi[0]); ix++) {
      for (let iy = Math.max(0, lo[1]); iy <= Math.min(this.dims[1] - 1, hi[1]); iy++) {
        for (let iz = Math.max(0, lo[2]); iz <= Math.min(this.dims[2] - 1, hi[2]); iz++) {
          for (const i of this.cells.get(this.key(ix, iy, iz)) ?? []) {
            const d = Math.hypot(this.points[3 * i] - x, this.points[3 * i + 1] - y, this.points[3 * i + 2] - z);
            if (d <= radius) out.push([i, d]);
          }
        }
      }
    }
    return out.sort((a, b) => a[1] - b[1]);
  }

  /** The indexed point nearest to (x, y, z), -1 when none is indexed. */
  nearest(x: number, y: number, z: number): number {
    const [cx, cy, cz] = this.cellOf(x, y, z);
    const [nx, ny, nz] = this.dims;
    // Rings of cells at Chebyshev distance r from the query's cell; a point in ring r + 1 or beyond is at
    // least r cells away, so the search stops once the best distance is within that.
    const reach = Math.max(Math.abs(cx), Math.abs(cx - nx), Math.abs(cy), Math.abs(cy - ny), Math.abs(cz), Math.abs(cz - nz)) + 1;
    let best = -1;
    let bestD2 = Infinity;
    for (let r = 0; r <= reach; r++) {
      for (let ix = Math.max(0, cx - r); ix <= Math.min(nx - 1, cx + r); ix++) {
        for (let iy = Math.max(0, cy - r); iy <= Math.min(ny - 1, cy + r); iy++) {
          for (let iz = Math.max(0, cz - r); iz <= Math.min(nz - 1, cz + r); iz++) {
            if (Math.max(Math.abs(ix - cx), Math.abs(iy - cy), Math.abs(iz - cz)) !== r) continue;
            for (const i of this.cells.get(this.key(ix, iy, iz)) ?? []) {
              const d2 = (this.points[3 * i] - x) ** 2 + (this.points[3 * i + 1] - y) ** 2 + (this.points[3 * i + 2] - z) ** 2;
              if (d2 < bestD2) {
                bestD2 = d2;
                best = i;
              }
            }
          }
        }
      }
      if (best >= 0 && Math.sqrt(bestD2) <= r * this.cell) break;
    }
    return best;
  }
}

/** Total area of the template's triangles, m². */
function surfaceArea(data: BodyModelData): number {
  const p = data.vTemplate;
  let area = 0;
  for (let f = 0; f < data.faces.length; f += 3) {
    const [a, b, c] = [data.faces[f], data.faces[f + 1], data.faces[f + 2]].map((v) => 3 * v);
    const e1 = [p[b] - p[a], p[b + 1] - p[a + 1], p[b + 2] - p[a + 2]];
    const e2 = [p[c] - p[a], p[c + 1] - p[a + 1], p[c + 2] - p[a + 2]];
    area += Math.hypot(e1[1] * e2[2] - e1[2] * e2[1], e1[2] * e2[0] - e1[0] * e2[2], e1[0] * e2[1] - e1[1] * e2[0]) / 2;
  }
  return area;
}

/** How far past its nearest texel a texel's mirror partner may lie, in texel spacings (see `humanMirrorMap`). */
const PAIRING_SLACK = 0.6;

/**
 * The texel of each chart texel's mirror image: its rest-pose surface point (the UV triangle's
 * barycentrics on the template) reflected across the sagittal plane x = x(pelvis) (SMPL: the person's
 * left at +x), then a chart texel whose surface point is near the reflection. The texel grids of the two
 * sides do not line up, so plain nearest neighbours are often not mutual; texels are therefore paired
 * greedily, closest first, among the texels within `PAIRING_SLACK` spacings of the nearest one, which
 * makes the map an involution wherever both sides have about the same texel density. Texels left
 * unpaired (where one side has more texels) take their nearest texel.
 * @returns int32 [Th*Tw], -1 off the charts
 */
export function humanMirrorMap(data: BodyModelData, textureSize: readonly [number, number]): Int32Array {
  checkTextureSize(textureSize);
  const [th, tw] = textureSize;
  const surface = texelSurface(data, textureSize);
  const onChart: number[] = [];
  for (let t = 0; t < th * tw; t++) if (surface.joint[t] >= 0) onChart.push(t);
  const out = new Int32Array(th * tw).fill(-1);
  if (onChart.length === 0) return out;
  const pelvis = Math.max(0, data.jointNames.indexOf('pelvis'));
  const planeX = surface.joints[3 * pelvis];
  const spacing = Math.sqrt(surfaceArea(data) / onChart.length);
  const grid = new PointGrid(surface.position, onChart, 2 * spacing);
  const p = surface.position;
  const candidates: Array<[number, number, number]> = [];
  for (const t of onChart) {
    const [x, y, z] = [2 * planeX - p[3 * t], p[3 * t + 1], p[3 * t + 2]];
    const nearest = grid.nearest(x, y, z);
    out[t] = nearest;
    const d = Math.hypot(p[3 * nearest] - x, p[3 * nearest + 1] - y, p[3 * nearest + 2] - z);
    for (const [s, ds] of grid.within(x, y, z, d + PAIRING_SLACK * spacing)) candidates.push([t, s, ds]);
  }
  candidates.sort((a, b) => a[2] - b[2]);
  const paired = new Uint8Array(th * tw);
  for (const [t, s] of candidates) {
    if (paired[t] || paired[s]) continue;
    out[t] = s;
    out[s] = t;
    paired[t] = paired[s] = 1;
  }
  return out;
}

/**
 * The part of each chart texel: that of the joint with the largest skinning weight there
 * ({@link HUMAN_JOINT_PARTS}; a joint the table lacks counts as torso).
 * @returns labels int32 [Th*Tw] indexing {@link HUMAN_PART_NAMES}, -1 off the charts
 */
export function humanParts(data: BodyModelData, textureSize: readonly [number, number]): TextureParts {
  checkTextureSize(textureSize);
  const [th, tw] = textureSize;
  const surface = texelSurface(data, textureSize);
  const jointPart = data.jointNames.map((name) =>
    HUMAN_PART_NAMES.indexOf((HUMAN_JOINT_PARTS as Record<string, HumanPartName>)[name] ?? 'torso'),
  );
  const labels = new Int32Array(th * tw).fill(-1);
  for (let t = 0; t < th * tw; t++) if (surface.joint[t] >= 0) labels[t] = jointPart[surface.joint[t]];
  return { labels, names: HUMAN_PART_NAMES };
}

/** The configured body's arrays (no tensors): the built-in body or a licensed SMPL export with its UV layout. */
async function bodyData(config: RetexConfig): Promise<BodyModelData> {
  const o = config.pluginOptions;
  const which = typeof o.bodyModel === 'string' ? o.bodyModel : BUILTIN_BODY;
  if (which === BUILTIN_BODY) return builtinBodyData();
  if (typeof o.bodyUvLayout !== 'string') {
    throw new Error(
      `pluginOptions.bodyModel is '${which}' but pluginOptions.bodyUvLayout is not set: the project method needs the body's UV layout`,
    );
  }
  return loadSmplFiles(which, o.bodyUvLayout);
}

interface Symmetry {
  readonly mirror: Int32Array;
  readonly parts: TextureParts;
}

const cache = new Map<string, Promise<Symmetry>>();

/** Texture sizes whose built-in-body symmetry `npm run build` stores (the shipped configs' size). */
export const PRECOMPUTED_SYMMETRY_SIZES: ReadonlyArray<readonly [number, number]> = [[64, 64]];

/** Where the build stores the built-in body's symmetry at a texture size (next to the compiled code). */
export function precomputedSymmetryFile(textureSize: readonly [number, number]): string {
  return path.join(__dirname, 'symmetry', `builtin-${textureSize[0]}x${textureSize[1]}.bin`);
}

/**
 * The built-in body's symmetry as `npm run build` stored it (int32 mirror then int32 part labels, each
 * [Th*Tw]), or null when there is no such file: building it takes ~250 ms of every `retex run`'s time.
 */
function readPrecomputed(textureSize: readonly [number, number]): Symmetry | null {
  const file = precomputedSymmetryFile(textureSize);
  if (!fs.existsSync(file)) return null;
  const n = textureSize[0] * textureSize[1];
  const bytes = fs.readFileSync(file);
  if (bytes.length !== 8 * n) return null;
  const values = new Int32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  return { mirror: values.slice(0, n), parts: { labels: values.slice(n), names: HUMAN_PART_NAMES } };
}

/** The bytes {@link readPrecomputed} reads: the built-in body's symmetry at `textureSize`. */
export function precomputedSymmetryBytes(textureSize: readonly [number, number]): Uint8Array {
  const data = builtinBodyData();
  const mirror = humanMirrorMap(data, textureSize);
  const { labels } = humanParts(data, textureSize);
  const out = new Int32Array(mirror.length + labels.length);
  out.set(mirror);
  out.set(labels, mirror.length);
  return new Uint8Array(out.buffer);
}

function symmetry(config: RetexConfig, textureSize: readonly [number, number]): Promise<Symmetry> {
  const o = config.pluginOptions;
  const builtin = (o.bodyModel ?? BUILTIN_BODY) === BUILTIN_BODY;
  const key = JSON.stringify([o.bodyModel ?? BUILTIN_BODY, o.bodyUvLayout ?? null, textureSize[0], textureSize[1]]);
  let entry = cache.get(key);
  if (entry === undefined) {
    const stored = builtin ? readPrecomputed(textureSize) : null;
    entry = stored != null ? Promise.resolve(stored) : bodyData(config).then((data) => ({ mirror: humanMirrorMap(data, textureSize), parts: humanParts(data, textureSize) }));
    cache.set(key, entry);
    // A failed load is not cached: the next call retries (e.g. after the file is fixed).
    entry.catch(() => cache.delete(key));
  }
  return entry;
}

/**
 * The human texture symmetry of the configured body (built-in by default): mirror texels through the
 * rest pose's sagittal plane, parts from the skinning weights. Cached per body and texture size; each
 * call returns fresh arrays.
 */
export const HUMAN_TEXTURE_SYMMETRY: TextureSymmetry = {
  async mirror(config, textureSize) {
    return (await symmetry(config, textureSize)).mirror.slice();
  },
  async parts(config, textureSize) {
    const { parts } = await symmetry(config, textureSize);
    return { labels: parts.labels.slice(), names: parts.names };
  },
};
