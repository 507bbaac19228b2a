import { mulberry32 } from '../../../core/random';

/**
 * A foreground mask for the object inside a detection box (a GrabCut-like alternation without the
 * graph cut): colour clusters of the background (outside the box) and of the foreground (the pixels a
 * network calls the object, or else those the background explains worst, then the current mask) compete
 * for each pixel in the box, with a prior: the network's log-odds when one is given (the bird heading
 * network's body map), else one favouring the box's centre. The result is cleaned to its largest
 * connected region with holes filled.
 */

/** Settings of {@link estimateForeground}. */
export interface ForegroundSettings {
  /** Colour clusters per side. Default 5. */
  readonly clusters?: number;
  /** Alternations of re-fitting the colours and re-labelling. Default 4. */
  readonly iterations?: number;
  /**
   * float [H*W]: the probability of each pixel being on the object from a network (e.g. the heading
   * network's body map). It replaces the box-centre prior and seeds the object's colours. Default none.
   */
  readonly prior?: ArrayLike<number>;
}

/** Weight of a network prior's log-odds against the colour models' costs. */
const PRIOR_WEIGHT = 1.5;
/** Bound on the colours' log-likelihood ratio when a network prior is given. */
const COLOUR_BOUND = 4;

type Rgb = [number, number, number];

/** k-means in RGB over the pixels listed in `index` (a deterministic subsample of at most 4,000). */
function kmeans(pixels: ArrayLike<number>, index: number[], k: number): { centres: Rgb[]; spread: number[] } {
  const random = mulberry32(index.length + 7);
  const sample = index.length > 4000 ? Array.from({ length: 4000 }, () => index[Math.floor(random() * index.length)]) : index;
  if (sample.length === 0) return { centres: [[0.5, 0.5, 0.5]], spread: [1] };
  const centres: Rgb[] = [];
  for (let c = 0; c < Math.min(k, sample.length); c++) {
    const p = sample[Math.floor(((c + 0.5) / k) * sample.length)];
    centres.push([pixels[3 * p], pixels[3 * p + 1], pixels[3 * p + 2]]);
  }
  const assign = new Int32Array(sample.length);
  for (let it = 0; it < 8; it++) {
    sample.forEach((p, i) => {
      let best = 0;
      let bestD = Infinity;
      centres.forEach((c, j) => {
        const d = (pixels[3 * p] - c[0]) ** 2 + (pixels[3 * p + 1] - c[1]) ** 2 + (pixels[3 * p + 2] - c[2]) ** 2;
        if (d < bestD) {
          bestD = d;
          best = j;
        }
      });
      assign[i] = best;
    });
    const sums = centres.map(() => [0, 0, 0, 0]);
    sample.forEach((p, i) => {
      const s = sums[assign[i]];
      s[0] += pixels[3 * p];
      s[1] += pixels[3 * p + 1];
      s[2] += pixels[3 * p + 2];
      s[3]++;
    });
    sums.forEach((s, j) => {
      if (s[3] > 0) centres[j] = [s[0] / s[3], s[1] / s[3], s[2] / s[3]];
    });
  }
  // Per-cluster mean squared distance: how tight each colour is (floored so flat colours still compete).
  const spread = centres.map(() => 0);
  const counts = centres.map(() => 0);
  sample.forEach((p, i) => {
    const c = centres[assign[i]];
    spread[assign[i]] += (pixels[3 * p] - c[0]) ** 2 + (pixels[3 * p + 1] - c[1]) ** 2 + (pixels[3 * p + 2] - c[2]) ** 2;
    counts[assign[i]]++;
  });
  return { centres, spread: spread.map((s, j) => Math.max(2e-3, counts[j] > 0 ? s / counts[j] : 1)) };
}

/** Negative log-likelihood of a colour under the closest cluster of a model (isotropic Gaussian). */
function cost(pixels: ArrayLike<number>, p: number, model: { centres: Rgb[]; spread: number[] }): number {
  let best = Infinity;
  model.centres.forEach((c, j) => {
    const d = (pixels[3 * p] - c[0]) ** 2 + (pixels[3 * p + 1] - c[1]) ** 2 + (pixels[3 * p + 2] - c[2]) ** 2;
    const v = model.spread[j];
    best = Math.min(best, d / (2 * v) + 1.5 * Math.log(v));
  });
  return best;
}

/**
 * @param pixels float [H*W*3] RGB in [0,1]
 * @param box [x, y, width, height] pixels: the object's detection box
 * @returns float32 [H*W] in {0,1}: 1 on the object (only ever inside the box)
 */
export function estimateForeground(
  pixels: ArrayLike<number>,
  height: number,
  width: number,
  box: readonly [number, number, number, number],
  settings: ForegroundSettings = {},
): Float32Array {
  if (pixels.length !== height * width * 3) throw new Error(`pixels has ${pixels.length} values, expected ${height}x${width}x3`);
  const k = settings.clusters ?? 5;
  const x0 = Math.max(0, Math.floor(box[0]));
  const y0 = Math.max(0, Math.floor(box[1]));
  const x1 = Math.min(width, Math.ceil(box[0] + box[2]));
  const y1 = Math.min(height, Math.ceil(box[1] + box[3]));
  if (x1 - x0 < 2 || y1 - y0 < 2) throw new Error(`detection box ${JSON.stringify(box)} has no area inside the ${height}x${width} image`);
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  const rx = (x1 - x0) / 2;
  const ry = (y1 - y0) / 2;
  const inBox: number[] = [];
  const outside: number[] = [];
  const centre: number[] = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      if (x >= x0 && x < x1 && y >= y0 && y < y1) {
        inBox.push(p);
        if (((x + 0.5 - cx) / rx) ** 2 + ((y + 0.5 - cy) / ry) ** 2 < 0.25) centre.push(p);
      } else {
        outside.push(p);
      }
    }
  }
  // A box that fills the photo leaves no outside: use the box's outer rim as the background sample.
  let background = outside;
  if (outside.length < 0.05 * inBox.length) {
    background = inBox.filter((p) => {
      const x = p % width;
      const y = Math.floor(p / width);
      return x - x0 < 0.06 * (x1 - x0) || x1 - 1 - x >= 0.94 * (x1 - x0) || y - y0 < 0.06 * (y1 - y0) || y1 - 1 - y >= 0.94 * (y1 - y0);
    });
  }
  const mask = new Uint8Array(height * width);
  const net = settings.prior;
  if (net && net.length !== height * width) throw new Error(`prior has ${net.length} values, expected ${height}x${width}`);
  const bg0 = kmeans(pixels, background, k);
  let seeds: number[];
  if (net) {
    seeds = inBox.filter((p) => net[p] > 0.7);
  } else {
    // Seed the object with the box pixels whose colour the background explains worst (beyond what 97 %
    // of the background itself scores), not with the box's middle, which for a thin or diagonal bird is
    // mostly background.
    const bgCosts = background.filter((_, i) => i % 7 === 0).map((p) => cost(pixels, p, bg0)).sort((a, b) => a - b);
    const threshold = bgCosts[Math.floor(0.97 * (bgCosts.length - 1))] ?? 0;
    seeds = inBox.filter((p) => cost(pixels, p, bg0) > threshold);
  }
  if (seeds.length < 16) seeds = centre;
  let fg = kmeans(pixels, seeds, k);
  let bgPixels = background;
  for (let it = 0; it < (settings.iterations ?? 4); it++) {
    const bg = it === 0 ? bg0 : kmeans(pixels, bgPixels, k);
    const fgList: number[] = [];
    const bgInBox: number[] = [];
    for (const p of inBox) {
      let isFg: boolean;
      if (net) {
        // The colours' log-likelihood ratio, bounded (tight colour clusters make it overconfident), against
        // the network's log-odds: where the network is sure it decides, near its edges the colours do.
        const q = Math.min(0.98, Math.max(0.02, net[p]));
        const colour = Math.max(-COLOUR_BOUND, Math.min(COLOUR_BOUND, cost(pixels, p, bg) - cost(pixels, p, fg)));
        isFg = colour + PRIOR_WEIGHT * Math.log(q / (1 - q)) > 0;
      } else {
        // Without a network: the box's rim is mostly background.
        const r2 = (((p % width) + 0.5 - cx) / rx) ** 2 + ((Math.floor(p / width) + 0.5 - cy) / ry) ** 2;
        isFg = cost(pixels, p, fg) + 0.8 * (r2 - 0.7) < cost(pixels, p, bg);
      }
      mask[p] = isFg ? 1 : 0;
      (isFg ? fgList : bgInBox).push(p);
    }
    if (fgList.length < 16) break;
    fg = kmeans(pixels, fgList, k);
    bgPixels = background.concat(bgInBox);
  }
  cleanMask(mask, height, width);
  return Float32Array.from(mask);
}

/** 3x3 majority smoothing, then keep the largest 4-connected region and fill its holes (in place). */
function cleanMask(mask: Uint8Array, height: number, width: number): void {
  const smooth = new Uint8Array(mask.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let n = 0;
      let total = 0;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const yy = y + dy;
          const xx = x + dx;
          if (yy < 0 || xx < 0 || yy >= height || xx >= width) continue;
          total++;
          n += mask[yy * width + xx];
        }
      }
      smooth[y * width + x] = 2 * n > total ? 1 : 0;
    }
  }
  const label = new Int32Array(mask.length).fill(-1);
  const flood = (start: number, value: number, id: number): number[] => {
    const stack = [start];
    const members: number[] = [];
    label[start] = id;
    while (stack.length) {
      const p = stack.pop() as number;
      members.push(p);
      const x = p % width;
      const y = (p - x) / width;
      const next = [x > 0 ? p - 1 : -1, x < width - 1 ? p + 1 : -1, y > 0 ? p - width : -1, y < height - 1 ? p + width : -1];
      for (const q of next) {
        if (q >= 0 && label[q] < 0 && smooth[q] === value) {
          label[q] = id;
          stack.push(q);
        }
      }
    }
    return members;
  };
  let largest: number[] = [];
  let id = 0;
  for (let p = 0; p < mask.length; p++) {
    if (smooth[p] === 1 && label[p] < 0) {
      const region = flood(p, 1, id++);
      if (region.length > largest.length) largest = region;
    }
  }
  mask.fill(0);
  for (const p of largest) mask[p] = 1;
  // Holes: background regions not reaching the image border.
  smooth.set(mask);
  label.fill(-1);
  for (let p = 0; p < mask.length; p++) {
    if (smooth[p] === 0 && label[p] < 0) {
      const region = flood(p, 0, id++);
      const touches = region.some((q) => {
        const x = q % width;
        const y = (q - x) / width;
        return x === 0 || y === 0 || x === width - 1 || y === height - 1;
      });
      if (!touches) for (const q of region) mask[q] = 1;
    }
  }
}
