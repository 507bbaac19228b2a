/**
 * Re-identification retrieval evaluation (rank-k / CMC and mAP), following the Market-1501 protocol
 * of the benchmark's official evaluation code (`compute_AP.m`) and its Python port in
 * layumi/Person_reID_baseline_pytorch (`evaluate_gpu.py`). Pure functions on plain arrays: no tfjs.
 */

/** One side of a retrieval evaluation (the query set or the gallery): one entry per image. */
export interface RetrievalSet {
  /** One embedding per image, all of the same length. */
  readonly features: readonly Float32Array[];
  /**
   * Identity of each image. In the gallery, -1 marks a distractor: it stays in the ranking and is
   * always a wrong match (retex's Market reader drops the benchmark's "-1" junk boxes and maps its
   * "0000" distractors to -1). A query with identity -1 has no valid match and is skipped.
   */
  readonly identities: readonly number[];
  /** Camera of each image; needed for the same-camera rule. */
  readonly cameras?: readonly number[];
}

/** How gallery images are ranked for a query. */
export type RetrievalDistance = 'cosine' | 'euclidean';

export interface RetrievalOptions {
  /**
   * `cosine` (default): features are L2-normalised first (a zero vector stays zero) and ranked by
   * cosine distance 1 - <q, g>, i.e. by descending cosine similarity as the reference code does with
   * its normalised features. `euclidean`: the features as given (not normalised), ranked by
   * Euclidean distance (computed as |q|^2 + |g|^2 - 2 <q, g>, which ranks the same).
   */
  readonly distance?: RetrievalDistance;
  /**
   * Market-1501 rule: gallery images with the query's identity AND the query's camera are junk,
   * removed from the query's ranking (neither right nor wrong). Default: true when both sets have
   * cameras (and `excludeSelf` is off), false otherwise. True without cameras on both sets throws.
   */
  readonly excludeSameCamera?: boolean;
  /**
   * Retrieval within one set (birds: query = gallery = the test split): each query's own image is
   * removed from its ranking; every other image of its identity is a correct match (no camera rule
   * unless `excludeSameCamera` is set explicitly). The own image is found by index: gallery index
   * `selfIndex[i]` for query i, by default i itself (then both sets must have the same length).
   */
  readonly excludeSelf?: boolean;
  /** With `excludeSelf`: gallery index of each query's own image (-1: not in the gallery). */
  readonly selfIndex?: readonly number[];
}

/** The outcome for one evaluated query (one with at least one valid match). */
export interface QueryRetrieval {
  /** Index of the query in the query set. */
  readonly queryIndex: number;
  /** Average precision of this query (official trapezoid form, see {@link averagePrecision}). */
  readonly ap: number;
  /** 1-based rank of the first correct match after junk removal (1 = rank-1 hit). */
  readonly firstHit: number;
  /** Number of valid (correct) matches in the gallery for this query. */
  readonly matches: number;
}

export interface RetrievalResult {
  /** CMC at ranks 1, 5 and 10: fraction of evaluated queries with a correct match within the top k. */
  readonly rank1: number;
  readonly rank5: number;
  readonly rank10: number;
  /** Mean of the per-query APs over the evaluated queries. */
  readonly mAP: number;
  /** CMC at ranks 1..20 (`cmc[k - 1]` = rank-k accuracy). */
  readonly cmc: number[];
  /** Number of evaluated queries (the denominator of every average above). */
  readonly queries: number;
  /** Number of queries skipped because the gallery holds no valid match for them. */
  readonly skipped: number;
  /** Per evaluated query, in query order: AP and first-hit rank, for later statistics. */
  readonly perQuery: QueryRetrieval[];
  /** Indices of the skipped queries. */
  readonly skippedQueries: number[];
}

/** Length of {@link RetrievalResult.cmc}. */
export const CMC_LENGTH = 20;

/** Queries whose distance rows are computed together (one pass over the gallery per block). */
const QUERY_BLOCK = 8;

/**
 * The official Market-1501 AP of one ranking, from the 0-based positions of the correct matches in
 * the ranking after junk removal (ascending). For the i-th correct match (0-based) at position r:
 * precision = (i + 1) / (r + 1); old_precision = i / r, the precision just before it (1 when r = 0);
 * AP += d_recall * (old_precision + precision) / 2 with d_recall = 1 / (number of matches).
 * This trapezoid rule is what `compute_AP.m` and `evaluate_gpu.py` compute; it is not the
 * "mean of precision at each hit" AP (e.g. hits at ranks 1 and 3 give 0.7917 here, 0.8333 there).
 */
export function averagePrecision(goodPositions: ArrayLike<number>): number {
  const n = goodPositions.length;
  if (n === 0) return 0;
  let ap = 0;
  for (let i = 0; i < n; i++) {
    const r = goodPositions[i];
    const precision = (i + 1) / (r + 1);
    const oldPrecision = r !== 0 ? i / r : 1;
    ap += (oldPrecision + precision) / 2 / n;
  }
  return ap;
}

/**
 * Rank-k / CMC and mAP of `query` against `gallery` under the Market-1501 protocol (see
 * {@link RetrievalOptions} for the distance, the same-camera junk rule and the within-one-set mode).
 * For each query: the correct matches are the gallery images of its identity that are not junk; junk
 * (same identity and same camera, or the query's own image) is removed from the ranking; distractors
 * (identity -1) and other identities are wrong matches. Ties in distance rank the lower gallery index
 * first. Queries with no correct match are skipped: they are counted in `skipped` and left out of
 * every average (the reference Python script divides by all queries instead; on Market-1501 every
 * query has a match, so both agree). With no evaluated query the averages are NaN.
 *
 * Memory is O(queries block x gallery), never the whole distance matrix; a query's ranking is not
 * materialised by sorting: the position of each correct match is the number of non-junk gallery
 * images ranked before it, counted in one pass over the distance row.
 */
export function evaluateRetrieval(query: RetrievalSet, gallery: RetrievalSet, options: RetrievalOptions = {}): RetrievalResult {
  const nq = checkSet(query, 'query');
  const ng = checkSet(gallery, 'gallery');
  const distance = options.distance ?? 'cosine';
  if (distance !== 'cosine' && distance !== 'euclidean') throw new Error(`unknown retrieval distance '${String(distance)}'`);
  const dim = featureDim(query, gallery);

  const excludeSelf = options.excludeSelf ?? false;
  if (options.selfIndex && !excludeSelf) throw new Error('selfIndex is only used with excludeSelf: true');
  let selfIndex: readonly number[] | null = null;
  if (excludeSelf) {
    if (options.selfIndex) {
      if (options.selfIndex.length !== nq) throw new Error(`selfIndex has ${options.selfIndex.length} entries for ${nq} queries`);
      selfIndex = options.selfIndex;
    } else {
      if (nq !== ng) throw new Error(`excludeSelf without selfIndex needs query and gallery of the same size, got ${nq} and ${ng}`);
      selfIndex = Array.from({ length: nq }, (_, i) => i);
    }
    for (let i = 0; i < nq; i++) {
      const s = selfIndex[i];
      if (s === -1) continue;
      if (!Number.isInteger(s) || s < 0 || s >= ng) throw new Error(`selfIndex[${i}] = ${s} is not a gallery index`);
      if (gallery.identities[s] !== query.identities[i]) {
        throw new Error(`selfIndex[${i}] = ${s}: gallery identity ${gallery.identities[s]} differs from the query's ${query.identities[i]}`);
      }
    }
  }

  const bothCameras = query.cameras !== undefined && gallery.cameras !== undefined;
  let sameCamera = options.excludeSameCamera;
  if (sameCamera === undefined) {
    if (!excludeSelf && (query.cameras !== undefined) !== (gallery.cameras !== undefined)) {
      throw new Error('only one of query and gallery has cameras: give both, or set excludeSameCamera explicitly');
    }
    sameCamera = bothCameras && !excludeSelf;
  }
  if (sameCamera && !bothCameras) throw new Error('excludeSameCamera needs cameras on both query and gallery');
  const qCam = sameCamera ? query.cameras! : null;
  const gCam = sameCamera ? gallery.cameras! : null;

  const q = pack(query.features, dim, distance === 'cosine');
  const g = pack(gallery.features, dim, distance === 'cosine');
  const qNorms = distance === 'euclidean' ? squaredNorms(q, nq, dim) : null;
  const gNorms = distance === 'euclidean' ? squaredNorms(g, ng, dim) : null;
  const gId = Int32Array.from(gallery.identities);
  const byIdentity = new Map<number, number[]>();
  for (let j = 0; j < ng; j++) {
    const id = gId[j];
    if (id < 0) continue;
    const list = byIdentity.get(id);
    if (list) list.push(j);
    else byIdentity.set(id, [j]);
  }

  const perQuery: QueryRetrieval[] = [];
  const skippedQueries: number[] = [];
  const cmcCounts = new Float64Array(CMC_LENGTH);
  let apSum = 0;

  const rows = new Float64Array(QUERY_BLOCK * ng);
  // Scratch sized for the largest identity in the gallery.
  let maxGood = 0;
  for (const list of byIdentity.values()) maxGood = Math.max(maxGood, list.length);
  const goodIdx = new Int32Array(maxGood);
  const goodDist = new Float64Array(maxGood);
  const before = new Float64Array(maxGood + 1);
  const positions = new Float64Array(maxGood);
  const order: number[] = [];

  for (let q0 = 0; q0 < nq; q0 += QUERY_BLOCK) {
    const nb = Math.min(QUERY_BLOCK, nq - q0);
    dotRows(q, q0, nb, g, ng, dim, rows);
    if (distance === 'cosine') {
      for (let i = 0, end = nb * ng; i < end; i++) rows[i] = 1 - rows[i];
    } else {
      // Squared Euclidean distance |q|^2 + |g|^2 - 2 <q, g>: same ranking as the distance itself.
      for (let b = 0; b < nb; b++) {
        const qn = qNorms![q0 + b];
        for (let j = 0, off = b * ng; j < ng; j++) rows[off + j] = Math.max(0, qn + gNorms![j] - 2 * rows[off + j]);
      }
    }

    for (let b = 0; b < nb; b++) {
      const qi = q0 + b;
      const off = b * ng;
      const qid = query.identities[qi];
      const self = selfIndex ? selfIndex[qi] : -1;
      const candidates = qid >= 0 ? byIdentity.get(qid) : undefined;

      // Correct matches: the query's identity, minus junk (own image; same camera under the rule).
      let n = 0;
      if (candidates) {
        order.length = 0;
        for (const j of candidates) {
          if (j === self) continue;
          if (qCam && gCam![j] === qCam[qi]) continue;
          order.push(j);
        }
        order.sort((a, c) => rows[off + a] - rows[off + c] || a - c);
        n = order.length;
        for (let m = 0; m < n; m++) {
          goodIdx[m] = order[m];
          goodDist[m] = rows[off + order[m]];
        }
      }
      if (n === 0) {
        skippedQueries.push(qi);
        continue;
      }

      // Every other gallery image of another identity (or a distractor) is a wrong match: count, for
      // each correct match, how many of them rank before it. before[k] = wrong matches preceded by
      // exactly k correct ones. Images of the query's identity are all either correct or junk.
      before.fill(0, 0, n + 1);
      const lastD = goodDist[n - 1];
      const lastJ = goodIdx[n - 1];
      for (let j = 0; j < ng; j++) {
        const d = rows[off + j];
        if (d > lastD || gId[j] === qid) continue;
        if (d === lastD && j > lastJ) continue;
        // Number of correct matches ranked before (d, j): binary search on (distance, index).
        let lo = 0;
        let hi = n - 1; // the last one ranks after (d, j)
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          const md = goodDist[mid];
          if (md < d || (md === d && goodIdx[mid] < j)) lo = mid + 1;
          else hi = mid;
        }
        before[lo] += 1;
      }
      let wrong = 0;
      for (let m = 0; m < n; m++) {
        wrong += before[m];
        positions[m] = m + wrong;
      }
      const ap = averagePrecision(positions.subarray(0, n));
      const firstHit = positions[0] + 1;
      for (let k = firstHit - 1; k < CMC_LENGTH; k++) cmcCounts[k] += 1;
      apSum += ap;
      perQuery.push({ queryIndex: qi, ap, firstHit, matches: n });
    }
  }

  const evaluated = perQuery.length;
  const cmc = Array.from(cmcCounts, (c) => (evaluated > 0 ? c / evaluated : NaN));
  return {
    rank1: cmc[0],
    rank5: cmc[4],
    rank10: cmc[9],
    mAP: evaluated > 0 ? apSum / evaluated : NaN,
    cmc,
    queries: evaluated,
    skipped: skippedQueries.length,
    perQuery,
    skippedQueries,
  };
}

/**
 * Top-1 accuracy: the fraction of samples whose prediction equals its label. `predictions` is either
 * one predicted label per sample, or logits: one row per sample (array of arrays), or one flat
 * row-major array of `labels.length` x classes values. The arg-max of a row takes the first maximum.
 */
export function topOneAccuracy(predictions: ArrayLike<number> | ReadonlyArray<ArrayLike<number>>, labels: ArrayLike<number>): number {
  const n = labels.length;
  if (n === 0) return NaN;
  const first = (predictions as ArrayLike<unknown>)[0];
  let predicted: (i: number) => number;
  if (typeof first === 'object' && first !== null) {
    const rows = predictions as ReadonlyArray<ArrayLike<number>>;
    if (rows.length !== n) throw new Error(`${rows.length} logit rows for ${n} labels`);
    predicted = (i) => argMax(rows[i], 0, rows[i].length);
  } else {
    const flat = predictions as ArrayLike<number>;
    if (flat.length === n) {
      predicted = (i) => flat[i];
    } else if (flat.length > n && flat.length % n === 0) {
      const classes = flat.length / n;
      predicted = (i) => argMax(flat, i * classes, classes);
    } else {
      throw new Error(`${flat.length} predictions for ${n} labels: neither labels nor n x classes logits`);
    }
  }
  let correct = 0;
  for (let i = 0; i < n; i++) if (predicted(i) === labels[i]) correct++;
  return correct / n;
}

function argMax(values: ArrayLike<number>, offset: number, count: number): number {
  let best = 0;
  let bestValue = -Infinity;
  for (let k = 0; k < count; k++) {
    const v = values[offset + k];
    if (v > bestValue) {
      bestValue = v;
      best = k;
    }
  }
  return best;
}

function checkSet(set: RetrievalSet, name: string): number {
  const n = set.features.length;
  if (set.identities.length !== n) throw new Error(`${name}: ${set.identities.length} identities for ${n} features`);
  if (set.cameras && set.cameras.length !== n) throw new Error(`${name}: ${set.cameras.length} cameras for ${n} features`);
  const bad = set.identities.findIndex((id) => !Number.isInteger(id) || id < -1 || id > 0x7fffffff);
  if (bad >= 0) throw new Error(`${name}: identity ${set.identities[bad]} at ${bad} is not an integer >= -1`);
  return n;
}

function featureDim(query: RetrievalSet, gallery: RetrievalSet): number {
  const dim = query.features[0]?.length ?? gallery.features[0]?.length ?? 0;
  for (const [name, set] of [['query', query], ['gallery', gallery]] as const) {
    set.features.forEach((f, i) => {
      if (f.length !== dim) throw new Error(`${name} feature ${i} has length ${f.length}, expected ${dim}`);
    });
  }
  return dim;
}

/** Copies the features into one row-major float64 matrix, L2-normalising each row if asked. */
function pack(features: readonly Float32Array[], dim: number, normalise: boolean): Float64Array {
  const out = new Float64Array(features.length * dim);
  for (let i = 0; i < features.length; i++) {
    const f = features[i];
    const off = i * dim;
    let scale = 1;
    if (normalise) {
      let ss = 0;
      for (let k = 0; k < dim; k++) ss += f[k] * f[k];
      scale = ss > 0 ? 1 / Math.sqrt(ss) : 0;
    }
    for (let k = 0; k < dim; k++) out[off + k] = f[k] * scale;
  }
  return out;
}

/**
 * rows[b * ng + j] = <q[q0 + b], g[j]> for b < nb. The kernel takes 4 queries x 3 gallery rows at a
 * time (7 loads for 12 multiply-adds); the block's query rows stay in cache while the gallery streams
 * once per block.
 */
function dotRows(q: Float64Array, q0: number, nb: number, g: Float64Array, ng: number, dim: number, rows: Float64Array): void {
  let b = 0;
  for (; b + 4 <= nb; b += 4) {
    const o0 = (q0 + b) * dim;
    const o1 = o0 + dim;
    const o2 = o1 + dim;
    const o3 = o2 + dim;
    const r0 = b * ng;
    const r1 = r0 + ng;
    const r2 = r1 + ng;
    const r3 = r2 + ng;
    let j = 0;
    for (; j + 3 <= ng; j += 3) {
      const ga = j * dim;
      const gb = ga + dim;
      const gc = gb + dim;
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
      let b0 = 0, b1 = 0, b2 = 0, b3 = 0;
      let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
      for (let k = 0; k < dim; k++) {
        const x = g[ga + k];
        const y = g[gb + k];
        const z = g[gc + k];
        const v0 = q[o0 + k];
        const v1 = q[o1 + k];
        const v2 = q[o2 + k];
        const v3 = q[o3 + k];
        a0 += v0 * x; a1 += v1 * x; a2 += v2 * x; a3 += v3 * x;
        b0 += v0 * y; b1 += v1 * y; b2 += v2 * y; b3 += v3 * y;
        c0 += v0 * z; c1 += v1 * z; c2 += v2 * z; c3 += v3 * z;
      }
      rows[r0 + j] = a0; rows[r1 + j] = a1; rows[r2 + j] = a2; rows[r3 + j] = a3;
      rows[r0 + j + 1] = b0; rows[r1 + j + 1] = b1; rows[r2 + j + 1] = b2; rows[r3 + j + 1] = b3;
      rows[r0 + j + 2] = c0; rows[r1 + j + 2] = c1; rows[r2 + j + 2] = c2; rows[r3 + j + 2] = c3;
    }
    for (; j < ng; j++) {
      const ga = j * dim;
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
      for (let k = 0; k < dim; k++) {
        const x = g[ga + k];
        a0 += q[o0 + k] * x; a1 += q[o1 + k] * x; a2 += q[o2 + k] * x; a3 += q[o3 + k] * x;
      }
      rows[r0 + j] = a0; rows[r1 + j] = a1; rows[r2 + j] = a2; rows[r3 + j] = a3;
    }
  }
  for (; b < nb; b++) {
    const o = (q0 + b) * dim;
    const r = b * ng;
    for (let j = 0; j < ng; j++) {
      const ga = j * dim;
      let s = 0;
      for (let k = 0; k < dim; k++) s += q[o + k] * g[ga + k];
      rows[r + j] = s;
    }
  }
}

/** Squared L2 norm of each row of a packed matrix. */
function squaredNorms(m: Float64Array, rowsCount: number, dim: number): Float64Array {
  const out = new Float64Array(rowsCount);
  for (let i = 0; i < rowsCount; i++) {
    let s = 0;
    for (let k = i * dim, end = k + dim; k < end; k++) s += m[k] * m[k];
    out[i] = s;
  }
  return out;
}
