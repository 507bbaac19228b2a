import type { BodyKeypoint } from './body-keypoints';
import type { KeypointObservation } from './keypoint-fitter';

/** Rows and columns a person mask covers (its largest connected region), pixels; bottom is exclusive. */
export interface MaskExtent {
  readonly top: number;
  readonly bottom: number;
  readonly left: number;
  readonly right: number;
  /** Pixels of the region. */
  readonly area: number;
  /** uint8 [H*W]: 1 on the region. */
  readonly region: Uint8Array;
}

/** Connected regions of mask >= 0.5 (4-neighbours), largest first, each with its pixel indices. */
export function maskRegions(mask: ArrayLike<number>, h: number, w: number): number[][] {
  const seen = new Uint8Array(h * w);
  const regions: number[][] = [];
  const stack: number[] = [];
  for (let s = 0; s < h * w; s++) {
    if (seen[s] || mask[s] < 0.5) continue;
    const pixels: number[] = [];
    stack.push(s);
    seen[s] = 1;
    while (stack.length) {
      const p = stack.pop() as number;
      pixels.push(p);
      const y = Math.floor(p / w);
      const x = p % w;
      for (const [dy, dx] of [[1, 0], [-1, 0], [0, 1], [0, -1]]) {
        const yy = y + dy;
        const xx = x + dx;
        if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
        const q = yy * w + xx;
        if (!seen[q] && mask[q] >= 0.5) {
          seen[q] = 1;
          stack.push(q);
        }
      }
    }
    regions.push(pixels);
  }
  return regions.sort((a, b) => b.length - a.length);
}

/** The extent of the mask's largest region, or null for an empty mask. */
export function maskExtent(mask: ArrayLike<number>, h: number, w: number): MaskExtent | null {
  const [largest] = maskRegions(mask, h, w);
  if (!largest) return null;
  const region = new Uint8Array(h * w);
  let [top, bottom, left, right] = [h, 0, w, 0];
  for (const p of largest) {
    region[p] = 1;
    const y = Math.floor(p / w);
    const x = p % w;
    top = Math.min(top, y);
    bottom = Math.max(bottom, y + 1);
    left = Math.min(left, x);
    right = Math.max(right, x + 1);
  }
  return { top, bottom, left, right, area: largest.length, region };
}

/** Rows a set of projected points spans: [min y, max y] in pixels. */
export function verticalSpan(projected: Float32Array, stride = 3): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 1; i < projected.length; i += stride) {
    lo = Math.min(lo, projected[i]);
    hi = Math.max(hi, projected[i]);
  }
  return [lo, hi];
}

/** One leg as detected, in torso lengths (NaN where a keypoint is missing). */
export interface LegMeasure {
  /** Hip-knee-ankle path length. */
  readonly path: number;
  /** How far the knee is below the hip (image rows). */
  readonly thighDrop: number;
}

/** Leg and torso lengths seen in an observation, for a proportion check. */
export interface LegProportions {
  /** Mid-shoulder to mid-hip distance, pixels (NaN when a shoulder or hip is missing). */
  readonly torso: number;
  /** Image row of the hips' midpoint (NaN when both are missing). */
  readonly hipY: number;
  readonly left: LegMeasure;
  readonly right: LegMeasure;
  /** The longer leg's path over the torso (NaN when no leg is complete). */
  readonly ratio: number;
}

function point(obs: KeypointObservation, keypoints: readonly BodyKeypoint[], name: string): [number, number] | null {
  const i = keypoints.findIndex((k) => k.name === name);
  if (i < 0 || !(obs.confidence[i] > 0)) return null;
  return [obs.xy[2 * i], obs.xy[2 * i + 1]];
}

const dist = (a: readonly number[], b: readonly number[]) => Math.hypot(a[0] - b[0], a[1] - b[1]);

/**
 * Leg lengths against the torso in the image. A standing adult (Huston's 50th percentile: hip joint about
 * 0.92 m up, mid-shoulder 1.44 m, ankle 0.08 m) has a hip-to-ankle length about 1.6 times the
 * shoulder-to-hip one and the knee about 0.85 of it below the hip; legs in the image plane hardly shorten
 * (on rendered walking and standing people the path never fell below 1.08, the knee drop below 0.47).
 */
export function legProportions(obs: KeypointObservation, keypoints: readonly BodyKeypoint[]): LegProportions {
  const p = (n: string) => point(obs, keypoints, n);
  const [ls, rs, lh, rh] = [p('left_shoulder'), p('right_shoulder'), p('left_hip'), p('right_hip')];
  let torso = NaN;
  if (ls && rs && lh && rh) {
    torso = dist([(ls[0] + rs[0]) / 2, (ls[1] + rs[1]) / 2], [(lh[0] + rh[0]) / 2, (lh[1] + rh[1]) / 2]);
  }
  const hips = [lh, rh].filter((h): h is [number, number] => h !== null);
  const hipY = hips.length ? hips.reduce((a, h) => a + h[1], 0) / hips.length : NaN;
  const per = (v: number) => (torso > 0 ? v / torso : NaN);
  const leg = (side: 'left' | 'right'): LegMeasure => {
    const [hip, knee, ankle] = [p(`${side}_hip`), p(`${side}_knee`), p(`${side}_ankle`)];
    return {
      path: hip && knee && ankle ? per(dist(hip, knee) + dist(knee, ankle)) : NaN,
      thighDrop: hip && knee ? per(knee[1] - hip[1]) : NaN,
    };
  };
  const [left, right] = [leg('left'), leg('right')];
  const paths = [left.path, right.path].filter((v) => !Number.isNaN(v));
  return { torso, hipY, left, right, ratio: paths.length ? Math.max(...paths) : NaN };
}
