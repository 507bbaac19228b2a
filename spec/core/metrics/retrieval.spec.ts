import { expect } from 'chai';
import {
  averagePrecision,
  CMC_LENGTH,
  evaluateRetrieval,
  type RetrievalDistance,
  type RetrievalSet,
  topOneAccuracy,
} from '../../../core/metrics/retrieval';
import { mulberry32 } from '../../../core/random';

/** A unit 2-d feature at `deg` degrees: cosine distances between them follow the angles. */
function at(deg: number): Float32Array {
  const r = (deg * Math.PI) / 180;
  return Float32Array.from([Math.cos(r), Math.sin(r)]);
}

function set(items: Array<[Float32Array, number, number?]>): RetrievalSet {
  const cams = items.map((i) => i[2]);
  return {
    features: items.map((i) => i[0]),
    identities: items.map((i) => i[1]),
    ...(cams.every((c) => c !== undefined) ? { cameras: cams as number[] } : {}),
  };
}

/**
 * Straightforward reference: full distance row, full sort by (distance, gallery index), then the
 * literal loop of evaluate_gpu.py's compute_mAP (junk removed, rows_good, trapezoid AP).
 */
function bruteForce(
  query: RetrievalSet,
  gallery: RetrievalSet,
  distance: RetrievalDistance,
  sameCamera: boolean,
  selfIndex: number[] | null,
): { perQuery: Array<{ queryIndex: number; ap: number; firstHit: number }>; cmc: number[]; mAP: number; skipped: number } {
  const norm = (f: Float32Array) => Math.sqrt(f.reduce((s, v) => s + v * v, 0));
  const perQuery: Array<{ queryIndex: number; ap: number; firstHit: number }> = [];
  const cmc = new Array<number>(CMC_LENGTH).fill(0);
  let apSum = 0;
  let skipped = 0;
  for (let qi = 0; qi < query.features.length; qi++) {
    const qf = query.features[qi];
    const dist = gallery.features.map((gf) => {
      if (distance === 'euclidean') return Math.sqrt(gf.reduce((s, v, k) => s + (qf[k] - v) ** 2, 0));
      const nq = norm(qf);
      const ng = norm(gf);
      const dot = gf.reduce((s, v, k) => s + qf[k] * v, 0);
      return 1 - (nq > 0 && ng > 0 ? dot / (nq * ng) : 0);
    });
    const index = dist.map((_, j) => j).sort((a, b) => dist[a] - dist[b] || a - b);
    const qid = query.identities[qi];
    const isJunk = (j: number) =>
      (selfIndex !== null && selfIndex[qi] === j) ||
      (sameCamera && gallery.identities[j] === qid && gallery.cameras![j] === query.cameras![qi]);
    const good = new Set(index.filter((j) => qid >= 0 && gallery.identities[j] === qid && !isJunk(j)));
    if (good.size === 0) {
      skipped++;
      continue;
    }
    const kept = index.filter((j) => !isJunk(j));
    const rowsGood = kept.flatMap((j, r) => (good.has(j) ? [r] : []));
    let ap = 0;
    const ngood = good.size;
    for (let i = 0; i < ngood; i++) {
      const dRecall = 1.0 / ngood;
      const precision = (i + 1) / (rowsGood[i] + 1);
      const oldPrecision = rowsGood[i] !== 0 ? i / rowsGood[i] : 1.0;
      ap = ap + (dRecall * (oldPrecision + precision)) / 2;
    }
    for (let k = rowsGood[0]; k < CMC_LENGTH; k++) cmc[k] += 1;
    apSum += ap;
    perQuery.push({ queryIndex: qi, ap, firstHit: rowsGood[0] + 1 });
  }
  const n = perQuery.length;
  return { perQuery, cmc: cmc.map((c) => c / n), mAP: apSum / n, skipped };
}

describe('core/metrics/retrieval', () => {
  describe('averagePrecision (official trapezoid form)', () => {
    it('is 1 for a single match at rank 1 and for matches filling the top ranks', () => {
      expect(averagePrecision([0])).to.equal(1);
      expect(averagePrecision([0, 1, 2])).to.be.closeTo(1, 1e-12);
    });

    it('gives 0.25 for a single match at rank 2 (old_precision 0/1, precision 1/2)', () => {
      expect(averagePrecision([1])).to.be.closeTo(0.25, 1e-12);
    });

    it('gives 0.7917 for matches at ranks 1 and 3', () => {
      // Hit 1 at rank 1: old_precision 1 (rank 1), precision 1        -> 1/2 * (1 + 1) / 2   = 0.5
      // Hit 2 at rank 3: old_precision = i / rows_good[i] = 1/2 (the precision at rank 2, just
      // before the hit, not at the previous hit), precision = 2/3   -> 1/2 * (1/2 + 2/3) / 2 = 0.291667
      expect(averagePrecision([0, 2])).to.be.closeTo(0.5 + 0.5 * (0.5 + 2 / 3) / 2, 1e-12);
      expect(averagePrecision([0, 2])).to.be.closeTo(0.791667, 1e-6);
    });
  });

  describe('evaluateRetrieval', () => {
    it('ignores a same-identity same-camera gallery image that would rank first', () => {
      const query = set([[at(0), 1, 1]]);
      const gallery = set([
        [at(0), 1, 1], // same id, same camera: junk under the Market rule
        [at(5), 2, 2],
        [at(10), 1, 2], // the only valid match: rank 2 once the junk is removed
      ]);
      const r = evaluateRetrieval(query, gallery);
      expect(r.rank1).to.equal(0);
      expect(r.rank5).to.equal(1);
      expect(r.perQuery).to.deep.equal([{ queryIndex: 0, ap: 0.25, firstHit: 2, matches: 1 }]);
      expect(r.mAP).to.be.closeTo(0.25, 1e-12);
      // Without the rule the same image is a correct match at rank 1 (matches at ranks 1 and 3).
      const loose = evaluateRetrieval(query, gallery, { excludeSameCamera: false });
      expect(loose.rank1).to.equal(1);
      expect(loose.mAP).to.be.closeTo(0.791667, 1e-6);
    });

    it('keeps a distractor (identity -1) in the ranking as a wrong match', () => {
      const query = set([[at(0), 1, 1]]);
      const gallery = set([
        [at(2), -1, 1],
        [at(8), 1, 2],
        [at(40), 3, 2],
      ]);
      const r = evaluateRetrieval(query, gallery);
      expect(r.rank1).to.equal(0);
      expect(r.cmc[1]).to.equal(1);
      expect(r.perQuery[0].firstHit).to.equal(2);
      expect(r.mAP).to.be.closeTo(0.25, 1e-12);
    });

    it('computes the trapezoid AP for matches at ranks 1 and 3 and averages over queries', () => {
      const query = set([
        [at(0), 1, 1],
        [at(90), 2, 1],
      ]);
      const gallery = set([
        [at(1), 1, 2], // q0 rank 1
        [at(2), 5, 2], // q0 rank 2 (wrong)
        [at(3), 1, 3], // q0 rank 3
        [at(91), 2, 2], // q1 rank 1, its only match
      ]);
      const r = evaluateRetrieval(query, gallery);
      expect(r.queries).to.equal(2);
      expect(r.skipped).to.equal(0);
      expect(r.perQuery[0].ap).to.be.closeTo(0.791667, 1e-6);
      expect(r.perQuery[0].matches).to.equal(2);
      expect(r.perQuery[1].ap).to.equal(1);
      expect(r.mAP).to.be.closeTo((0.791667 + 1) / 2, 1e-6);
      expect(r.rank1).to.equal(1);
      expect(r.cmc).to.have.length(CMC_LENGTH);
      expect(r.cmc.every((c) => c === 1)).to.equal(true);
    });

    it('skips and counts queries with no valid match', () => {
      const query = set([
        [at(0), 1, 1], // valid match in camera 2
        [at(30), 3, 1], // its identity only in its own camera: all junk
        [at(60), 4, 1], // identity absent from the gallery
        [at(90), -1, 1], // a distractor query matches nothing
      ]);
      const gallery = set([
        [at(1), 1, 2],
        [at(31), 3, 1],
        [at(50), -1, 2],
        [at(89), 7, 2],
      ]);
      const r = evaluateRetrieval(query, gallery);
      expect(r.queries).to.equal(1);
      expect(r.skipped).to.equal(3);
      expect(r.skippedQueries).to.deep.equal([1, 2, 3]);
      expect(r.rank1).to.equal(1);
      expect(r.mAP).to.equal(1);
    });

    it('gives NaN averages when every query is skipped', () => {
      const r = evaluateRetrieval(set([[at(0), 1, 1]]), set([[at(0), 2, 1]]));
      expect(r.queries).to.equal(0);
      expect(r.skipped).to.equal(1);
      expect(r.mAP).to.be.NaN;
      expect(r.rank1).to.be.NaN;
    });

    it('within one set (excludeSelf) removes each query\'s own image and applies no camera rule', () => {
      const split = set([
        [at(0), 1, 1],
        [at(10), 1, 1], // same species and camera as image 0: still a correct match here
        [at(5), 2, 1],
        [at(-20), 2, 1],
        [at(120), 3, 1], // the only image of species 3: skipped
      ]);
      const r = evaluateRetrieval(split, split, { excludeSelf: true });
      expect(r.queries).to.equal(4);
      expect(r.skippedQueries).to.deep.equal([4]);
      // q0 (0 deg): 2 (5 deg away, wrong), 1 (10, right)           -> first hit 2, AP 0.25
      // q1 (10 deg): 2 (5 deg away, wrong), 0 (10, right)          -> first hit 2, AP 0.25
      // q2 (5 deg): 0 and 1 (5 deg away, wrong), 3 (25, right)     -> first hit 3, AP (0/2 + 1/3) / 2
      // q3 (-20 deg): 0 (20 deg away, wrong), 2 (25, right)        -> first hit 2, AP 0.25
      expect(r.perQuery.map((p) => p.firstHit)).to.deep.equal([2, 2, 3, 2]);
      const aps = [0.25, 0.25, (0 + 1 / 3) / 2, 0.25];
      r.perQuery.forEach((p, i) => expect(p.ap).to.be.closeTo(aps[i], 1e-12));
      expect(r.mAP).to.be.closeTo(aps.reduce((a, b) => a + b) / 4, 1e-12);
      expect(r.rank1).to.equal(0);
      expect(r.rank5).to.equal(1);
      // With the camera rule forced on, every match shares the query's camera: all skipped.
      expect(evaluateRetrieval(split, split, { excludeSelf: true, excludeSameCamera: true }).queries).to.equal(0);
    });

    it('uses an explicit selfIndex mapping from queries to their gallery images', () => {
      const gallery = set([
        [at(40), 9],
        [at(0), 1],
        [at(3), 1],
        [at(1), 2],
      ]);
      const query = set([[at(0), 1]]); // a copy of gallery image 1
      const r = evaluateRetrieval(query, gallery, { excludeSelf: true, selfIndex: [1] });
      expect(r.perQuery).to.deep.equal([{ queryIndex: 0, ap: 0.25, firstHit: 2, matches: 1 }]);
      const noSelf = evaluateRetrieval(query, gallery, { excludeSelf: true, selfIndex: [-1] });
      expect(noSelf.perQuery[0].firstHit).to.equal(1);
      expect(noSelf.perQuery[0].matches).to.equal(2);
      expect(() => evaluateRetrieval(query, gallery, { excludeSelf: true, selfIndex: [3] })).to.throw(/differs/);
      expect(() => evaluateRetrieval(query, gallery, { selfIndex: [1] })).to.throw(/excludeSelf/);
      expect(() => evaluateRetrieval(query, gallery, { excludeSelf: true })).to.throw(/same size/);
    });

    it('ranks by cosine distance on normalised features by default, by raw Euclidean distance on request', () => {
      const query = set([[Float32Array.from([1, 0]), 1, 1]]);
      const gallery = set([
        [Float32Array.from([10, 1]), 1, 2], // small angle, far away
        [Float32Array.from([0.5, 0.3]), 2, 2], // larger angle, close
      ]);
      expect(evaluateRetrieval(query, gallery).rank1).to.equal(1);
      expect(evaluateRetrieval(query, gallery, { distance: 'euclidean' }).rank1).to.equal(0);
    });

    it('breaks distance ties by gallery index', () => {
      const query = set([[at(0), 1, 1]]);
      const first = evaluateRetrieval(query, set([[at(7), 1, 2], [at(7), 2, 2]]));
      const second = evaluateRetrieval(query, set([[at(7), 2, 2], [at(7), 1, 2]]));
      expect(first.rank1).to.equal(1);
      expect(second.rank1).to.equal(0);
    });

    it('checks its inputs', () => {
      const ok = set([[at(0), 1, 1]]);
      expect(() => evaluateRetrieval({ features: [at(0)], identities: [] }, ok)).to.throw(/identities/);
      expect(() => evaluateRetrieval(ok, { features: [Float32Array.from([1, 2, 3])], identities: [1] })).to.throw(/length/);
      expect(() => evaluateRetrieval(ok, { features: [at(0)], identities: [1] })).to.throw(/one of query and gallery/);
      expect(() => evaluateRetrieval(set([[at(0), 1]]), set([[at(0), 1]]), { excludeSameCamera: true })).to.throw(/cameras/);
      expect(() => evaluateRetrieval({ features: [at(0)], identities: [1.5], cameras: [1] }, ok)).to.throw(/integer/);
      expect(() => evaluateRetrieval(ok, ok, { distance: 'manhattan' as RetrievalDistance })).to.throw(/distance/);
    });

    it('matches a brute-force full-sort implementation on random data', () => {
      const random = mulberry32(1234);
      const configs: Array<{ distance: RetrievalDistance; self: boolean; sameCamera: boolean }> = [
        { distance: 'cosine', self: false, sameCamera: true },
        { distance: 'cosine', self: false, sameCamera: false },
        { distance: 'euclidean', self: false, sameCamera: true },
        { distance: 'cosine', self: true, sameCamera: false },
        { distance: 'euclidean', self: true, sameCamera: true },
      ];
      for (const [c, config] of configs.entries()) {
        for (let trial = 0; trial < 4; trial++) {
          const dim = 3 + Math.floor(random() * 10); // 1-d cosine would make every distance a tie
          const randomSet = (n: number, distractors: boolean): RetrievalSet => {
            const features: Float32Array[] = [];
            const identities: number[] = [];
            const cameras: number[] = [];
            for (let i = 0; i < n; i++) {
              // Some exact duplicates, to exercise tie-breaking.
              if (i > 0 && random() < 0.1) features.push(features[Math.floor(random() * i)].slice());
              else features.push(Float32Array.from({ length: dim }, () => random() * 2 - 1));
              identities.push(distractors && random() < 0.15 ? -1 : Math.floor(random() * 15));
              cameras.push(Math.floor(random() * 3));
            }
            return { features, identities, cameras };
          };
          const gallery = randomSet(30 + Math.floor(random() * 150), !config.self);
          const query = config.self ? gallery : randomSet(1 + Math.floor(random() * 40), false);
          const selfIndex = config.self ? gallery.features.map((_, i) => i) : null;
          const fast = evaluateRetrieval(query, gallery, {
            distance: config.distance,
            excludeSelf: config.self,
            excludeSameCamera: config.sameCamera,
          });
          const slow = bruteForce(query, gallery, config.distance, config.sameCamera, selfIndex);
          const where = `config ${c}, trial ${trial}`;
          expect(fast.skipped, where).to.equal(slow.skipped);
          expect(fast.queries, where).to.equal(slow.perQuery.length);
          expect(fast.perQuery.map((p) => [p.queryIndex, p.firstHit]), where).to.deep.equal(
            slow.perQuery.map((p) => [p.queryIndex, p.firstHit]),
          );
          fast.perQuery.forEach((p, i) => expect(p.ap, where).to.be.closeTo(slow.perQuery[i].ap, 1e-12));
          fast.cmc.forEach((v, k) => expect(v, where).to.be.closeTo(slow.cmc[k], 1e-12));
          expect(fast.mAP, where).to.be.closeTo(slow.mAP, 1e-12);
          expect([fast.rank1, fast.rank5, fast.rank10], where).to.deep.equal([slow.cmc[0], slow.cmc[4], slow.cmc[9]]);
        }
      }
    });
  });

  describe('topOneAccuracy', () => {
    it('compares predicted labels with labels', () => {
      expect(topOneAccuracy([1, 2, 3, 4], [1, 2, 0, 4])).to.equal(0.75);
      expect(topOneAccuracy(Int32Array.from([0, 0]), [1, 1])).to.equal(0);
    });

    it('takes the arg-max of logit rows or of a flat n x classes array', () => {
      const rows = [
        [0.1, 0.9, 0],
        [2, 1, 0],
        [0, 0, 3],
      ];
      expect(topOneAccuracy(rows, [1, 0, 1])).to.be.closeTo(2 / 3, 1e-12);
      expect(topOneAccuracy(Float32Array.from(rows.flat()), [1, 0, 2])).to.equal(1);
      expect(() => topOneAccuracy([1, 2, 3, 4, 5], [1, 2])).to.throw(/predictions/);
      expect(topOneAccuracy([], [])).to.be.NaN;
    });
  });
});
