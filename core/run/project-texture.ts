import type { TextureParts } from '../plugin/texture-symmetry';
import type { TexelTaps } from '../renderer/texel-taps';

/**
 * The `project` texture method: a photo's texture without any network. The visible pixels are carried
 * back to the texels they sample through the transpose of the render operator; texels no pixel shows
 * are filled from their mirror image, then from a robust colour of their body part. Plain arrays on the
 * host, no tensors.
 */

/** Least photo evidence (summed tap weight times the foreground mask) for a texel to count as seen. */
export const DEFAULT_MIN_SEEN_WEIGHT = 0.3;

/** Width in texels of the band of filled texels blurred next to a boundary between fill sources. */
export const DEFAULT_SEAM_WIDTH = 2;

/** Where a texel's colour came from ({@link ProjectedTexture.source}). */
export const TEXEL_SOURCE = {
  /** Off the UV charts, not seen: copied outwards from the nearest chart texels. */
  offChart: 0,
  /** Back-projected from the photo. */
  photo: 1,
  /** Copied from the mirror-image texel, which the photo shows. */
  mirror: 2,
  /** The median colour of the seen texels of its part. */
  part: 3,
  /** The mean colour of all seen texels (its part has none seen, or it has no part). */
  global: 4,
} as const;

/** Tuning of {@link projectTexture}. */
export interface ProjectTextureSettings {
  /** See {@link DEFAULT_MIN_SEEN_WEIGHT}; > 0. */
  readonly minWeight?: number;
  /** See {@link DEFAULT_SEAM_WIDTH}; 0 turns the seam blur off. */
  readonly seamWidth?: number;
}

/** What {@link projectTexture} needs: one photo, its fitted mesh's render operator and the category's symmetry. */
export interface ProjectTextureInput {
  /** The render operator of the photo's fitted mesh (a `SparseRenderOperator`; only its taps are read). */
  readonly operator: { readonly taps: TexelTaps };
  /** The photo (the crop the operator renders into): float32 [H*W*3], RGB in [-1,1], row-major. */
  readonly photo: Float32Array;
  /**
   * Foreground mask float32 [H*W] in [0,1] (the mesh predictor's estimate): a covered pixel's evidence is
   * scaled by it, so pixels the mesh covers but the photo shows as background count little. Omit for all 1.
   */
  readonly foreground?: Float32Array;
  /** Texels on the mesh's UV charts: float32 [Th*Tw] in {0,1} (`uvChartMask`), row 0 at v = 1. */
  readonly chartMask: Float32Array;
  /** int32 [Th*Tw]: each texel's mirror-image texel, -1 for none (`TextureSymmetry.mirror`). Omit to skip. */
  readonly mirror?: Int32Array;
  /** Part label per texel (`TextureSymmetry.parts`). Omit to treat the whole chart as one part. */
  readonly parts?: TextureParts;
  readonly settings?: ProjectTextureSettings;
}

/** The projected texture. */
export interface ProjectedTexture {
  /** float32 [Th*Tw*3], RGB in [-1,1], row-major, row 0 at v = 1: every texel filled (off-chart ones too). */
  readonly texture: Float32Array;
  /**
   * float32 [Th*Tw] >= 0: the photo evidence of each texel, the summed weight of the pixel taps that read
   * it, times the foreground mask (about the number of pixels showing it). Texels below the settings'
   * `minWeight` were not taken from the photo.
   */
  readonly seen: Float32Array;
  /** uint8 [Th*Tw]: where each texel's colour came from, a {@link TEXEL_SOURCE} code. */
  readonly source: Uint8Array;
}

/** The transpose of the render operator applied to a photo, before normalising. */
export interface BackProjection {
  /** float32 [Th*Tw*3]: A^T (photo * mask), i.e. sum over taps of weight * mask * pixel colour. */
  readonly sum: Float32Array;
  /** float32 [Th*Tw] >= 0: A^T mask, the summed weight * mask of the taps reading each texel. */
  readonly weight: Float32Array;
}

/**
 * The transpose of the render operator on the host: every covered pixel p adds weight(p, k) * mask(p)
 * times its colour to the texel of each of its taps k (the same map as the operator's gradient).
 * @param photo float32 [H*W*3]; @param foreground float32 [H*W] in [0,1] or omitted (all 1)
 */
export function backProject(taps: TexelTaps, photo: Float32Array, foreground?: Float32Array): BackProjection {
  const npix = taps.height * taps.width;
  if (photo.length !== npix * 3) {
    throw new Error(`project: the photo has ${photo.length} values, the operator renders ${taps.height}x${taps.width}x3`);
  }
  if (foreground && foreground.length !== npix) {
    throw new Error(`project: the foreground mask has ${foreground.length} values, the operator renders ${taps.height}x${taps.width}`);
  }
  const [th, tw] = taps.textureSize;
  const sum = new Float32Array(th * tw * 3);
  const weight = new Float32Array(th * tw);
  const k = taps.tapsPerPixel;
  for (let n = 0; n < taps.pixels.length; n++) {
    const p = taps.pixels[n];
    const m = foreground ? Math.min(1, Math.max(0, foreground[p])) : 1;
    if (m === 0) continue;
    for (let j = 0; j < k; j++) {
      const w = taps.weights[n * k + j] * m;
      if (w === 0) continue;
      const t = taps.taps[n * k + j];
      weight[t] += w;
      sum[3 * t] += w * photo[3 * p];
      sum[3 * t + 1] += w * photo[3 * p + 1];
      sum[3 * t + 2] += w * photo[3 * p + 2];
    }
  }
  return { sum, weight };
}

function median(values: number[]): number {
  values.sort((a, b) => a - b);
  const n = values.length;
  return n % 2 === 1 ? values[(n - 1) / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

/** The 4-neighbours of texel t in a th x tw grid. */
function forEachNeighbour(t: number, th: number, tw: number, visit: (s: number) => void): void {
  const r = Math.floor(t / tw);
  const c = t - r * tw;
  if (r > 0) visit(t - tw);
  if (r + 1 < th) visit(t + tw);
  if (c > 0) visit(t - 1);
  if (c + 1 < tw) visit(t + 1);
}

/**
 * Blurs the filled chart texels within `width` steps of a chart texel of another source (a few Jacobi
 * steps of the mean of the texel and its on-chart neighbours), holding the photo's texels fixed, so
 * the joins between photo, mirror and part colours are not hard edges.
 */
function blurSeams(texture: Float32Array, source: Uint8Array, onChart: Uint8Array, th: number, tw: number, width: number): void {
  const n = th * tw;
  const distance = new Int32Array(n).fill(-1);
  let frontier: number[] = [];
  for (let t = 0; t < n; t++) {
    if (!onChart[t]) continue;
    let boundary = false;
    forEachNeighbour(t, th, tw, (s) => {
      if (onChart[s] && source[s] !== source[t]) boundary = true;
    });
    if (boundary) {
      distance[t] = 0;
      frontier.push(t);
    }
  }
  for (let d = 1; d < width && frontier.length > 0; d++) {
    const next: number[] = [];
    for (const t of frontier) {
      forEachNeighbour(t, th, tw, (s) => {
        if (onChart[s] && distance[s] < 0) {
          distance[s] = d;
          next.push(s);
        }
      });
    }
    frontier = next;
  }
  const band: number[] = [];
  for (let t = 0; t < n; t++) if (distance[t] >= 0 && source[t] !== TEXEL_SOURCE.photo) band.push(t);
  if (band.length === 0) return;
  const next = new Float32Array(band.length * 3);
  for (let it = 0; it < 2 * width; it++) {
    band.forEach((t, i) => {
      let count = 1;
      const acc = [texture[3 * t], texture[3 * t + 1], texture[3 * t + 2]];
      forEachNeighbour(t, th, tw, (s) => {
        if (!onChart[s]) return;
        count++;
        for (let c = 0; c < 3; c++) acc[c] += texture[3 * s + c];
      });
      for (let c = 0; c < 3; c++) next[3 * i + c] = acc[c] / count;
    });
    band.forEach((t, i) => texture.set(next.subarray(3 * i, 3 * i + 3), 3 * t));
  }
}

/**
 * Fills the texels without a value outwards from those with one, layer by layer (each new texel the mean
 * of its 8-neighbours already filled), so a bilinear sampler near a chart edge reads chart colours, not black.
 * @returns false when no texel had a value (nothing filled)
 */
function dilate(texture: Float32Array, filled: Uint8Array, th: number, tw: number): boolean {
  let frontier: number[] = [];
  const queued = new Uint8Array(th * tw);
  const enqueueAround = (t: number, into: number[]) => {
    const r = Math.floor(t / tw);
    const c = t - r * tw;
    for (let dr = -1; dr <= 1; dr++) {
      for (let dc = -1; dc <= 1; dc++) {
        const rr = r + dr;
        const cc = c + dc;
        if (rr < 0 || rr >= th || cc < 0 || cc >= tw) continue;
        const s = rr * tw + cc;
        if (!filled[s] && !queued[s]) {
          queued[s] = 1;
          into.push(s);
        }
      }
    }
  };
  let any = false;
  for (let t = 0; t < th * tw; t++) {
    if (filled[t]) {
      any = true;
      enqueueAround(t, frontier);
    }
  }
  while (frontier.length > 0) {
    const values = frontier.map((t) => {
      const r = Math.floor(t / tw);
      const c = t - r * tw;
      const acc = [0, 0, 0];
      let count = 0;
      for (let rr = Math.max(0, r - 1); rr <= Math.min(th - 1, r + 1); rr++) {
        for (let cc = Math.max(0, c - 1); cc <= Math.min(tw - 1, c + 1); cc++) {
          const s = rr * tw + cc;
          if (!filled[s]) continue;
          count++;
          for (let k = 0; k < 3; k++) acc[k] += texture[3 * s + k];
        }
      }
      return acc.map((a) => a / count);
    });
    const next: number[] = [];
    frontier.forEach((t, i) => {
      texture.set(values[i], 3 * t);
      filled[t] = 1;
    });
    for (const t of frontier) enqueueAround(t, next);
    frontier = next;
  }
  return any;
}

/**
 * A photo's texture by back-projection:
 * (a) each texel is the weighted mean of the photo pixels that sample it (the render operator's
 *     transpose applied to photo * foreground, divided by the summed weights); a texel whose summed
 *     weight is below `minWeight` is unseen;
 * (b) an unseen chart texel whose mirror texel is seen takes its colour;
 * (c) the rest take the per-channel median of their part's seen texels, or the mean of all seen chart
 *     texels when the part has none seen (0, mid grey, when the photo shows nothing at all);
 * (d) filled texels within `seamWidth` of a boundary between sources are blurred a little;
 * then unseen off-chart texels get the colour of the nearest chart texels (outward dilation).
 * Texels seen by the photo keep their back-projected colour exactly.
 * @throws when the arrays do not match the operator's image and texture sizes
 */
export function projectTexture(input: ProjectTextureInput): ProjectedTexture {
  const { taps } = input.operator;
  const [th, tw] = taps.textureSize;
  const n = th * tw;
  const minWeight = input.settings?.minWeight ?? DEFAULT_MIN_SEEN_WEIGHT;
  const seamWidth = input.settings?.seamWidth ?? DEFAULT_SEAM_WIDTH;
  if (!(minWeight > 0)) throw new Error(`project: minWeight must be positive, got ${minWeight}`);
  if (!(Number.isInteger(seamWidth) && seamWidth >= 0)) throw new Error(`project: seamWidth must be a whole number >= 0, got ${seamWidth}`);
  const check = (what: string, length: number | undefined, per: number) => {
    if (length !== undefined && length !== n * per) {
      throw new Error(`project: the ${what} has ${length} values, the texture is ${th}x${tw}${per > 1 ? `x${per}` : ''}`);
    }
  };
  check('chart mask', input.chartMask.length, 1);
  check('mirror map', input.mirror?.length, 1);
  check('part labels', input.parts?.labels.length, 1);

  const { sum, weight } = backProject(taps, input.photo, input.foreground);
  const texture = new Float32Array(n * 3);
  const source = new Uint8Array(n);
  const onChart = Uint8Array.from(input.chartMask, (m) => (m > 0.5 ? 1 : 0));
  const unset = 255;
  source.fill(unset);

  // (a) back-projection.
  for (let t = 0; t < n; t++) {
    if (weight[t] < minWeight) continue;
    for (let c = 0; c < 3; c++) texture[3 * t + c] = Math.min(1, Math.max(-1, sum[3 * t + c] / weight[t]));
    source[t] = TEXEL_SOURCE.photo;
  }
  // (b) mirror images of seen texels.
  const mirror = input.mirror;
  if (mirror) {
    for (let t = 0; t < n; t++) {
      if (!onChart[t] || source[t] !== unset) continue;
      const m = mirror[t];
      if (m < 0 || m >= n || source[m] !== TEXEL_SOURCE.photo) continue;
      texture.set(texture.subarray(3 * m, 3 * m + 3), 3 * t);
      source[t] = TEXEL_SOURCE.mirror;
    }
  }
  // (c) part colours: medians of the seen texels per part, the mean of all seen for the rest.
  const labels = input.parts?.labels;
  const partOf = (t: number): number => (labels ? labels[t] : 0);
  let partCount = labels ? (input.parts?.names.length ?? 0) : 1;
  if (labels) for (let t = 0; t < n; t++) partCount = Math.max(partCount, labels[t] + 1);
  const seenValues: number[][][] = Array.from({ length: partCount }, () => [[], [], []]);
  const mean = [0, 0, 0];
  let seenCount = 0;
  for (let t = 0; t < n; t++) {
    if (!onChart[t] || source[t] !== TEXEL_SOURCE.photo) continue;
    seenCount++;
    for (let c = 0; c < 3; c++) mean[c] += texture[3 * t + c];
    const l = partOf(t);
    if (l >= 0) for (let c = 0; c < 3; c++) seenValues[l][c].push(texture[3 * t + c]);
  }
  if (seenCount > 0) for (let c = 0; c < 3; c++) mean[c] /= seenCount;
  const partColour = seenValues.map((channels) => (channels[0].length > 0 ? channels.map(median) : null));
  for (let t = 0; t < n; t++) {
    if (!onChart[t] || source[t] !== unset) continue;
    const l = partOf(t);
    const colour = l >= 0 ? partColour[l] : null;
    texture.set(colour ?? mean, 3 * t);
    source[t] = colour ? TEXEL_SOURCE.part : TEXEL_SOURCE.global;
  }
  // (d) soften the joins.
  if (seamWidth > 0) blurSeams(texture, source, onChart, th, tw, seamWidth);
  // Off the charts: outwards from every texel with a value.
  const filled = Uint8Array.from(source, (s) => (s === unset ? 0 : 1));
  if (!dilate(texture, filled, th, tw)) for (let t = 0; t < n; t++) texture.set(mean, 3 * t);
  for (let t = 0; t < n; t++) if (source[t] === unset) source[t] = TEXEL_SOURCE.offChart;
  return { texture, seen: weight, source };
}
