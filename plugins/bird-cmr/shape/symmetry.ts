/**
 * Left-right mirror symmetry about the plane x = 0 (the bird's sagittal plane; +x is the bird's left).
 */

/**
 * For each vertex, the index of its mirror image (x -> -x); a vertex on the plane is its own mirror.
 * @param positions float [V*3]
 * @param tolerance largest distance between a mirrored vertex and its partner
 * @returns int32 [V]
 * @throws when some vertex has no mirror partner (the mesh is not symmetric)
 */
export function mirrorPairs(positions: ArrayLike<number>, tolerance = 1e-6): Int32Array {
  const n = positions.length / 3;
  const cell = tolerance * 4;
  const key = (x: number, y: number, z: number): string =>
    `${Math.round(x / cell)},${Math.round(y / cell)},${Math.round(z / cell)}`;
  const buckets = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    const k = key(positions[3 * i], positions[3 * i + 1], positions[3 * i + 2]);
    const list = buckets.get(k);
    if (list) list.push(i);
    else buckets.set(k, [i]);
  }
  const pairs = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const x = -positions[3 * i];
    const y = positions[3 * i + 1];
    const z = positions[3 * i + 2];
    const gx = Math.round(x / cell);
    const gy = Math.round(y / cell);
    const gz = Math.round(z / cell);
    let best = -1;
    let bestDist = tolerance;
    // The mirror may sit just across a cell boundary: search the neighbouring cells too.
    for (let dx = -1; dx <= 1; dx++) {
      for (let dy = -1; dy <= 1; dy++) {
        for (let dz = -1; dz <= 1; dz++) {
          for (const j of buckets.get(`${gx + dx},${gy + dy},${gz + dz}`) ?? []) {
            const d = Math.hypot(positions[3 * j] - x, positions[3 * j + 1] - y, positions[3 * j + 2] - z);
            if (d <= bestDist) {
              bestDist = d;
              best = j;
            }
          }
        }
      }
    }
    if (best < 0) {
      throw new Error(
        `vertex ${i} (${positions[3 * i]}, ${y}, ${z}) has no mirror image across x = 0 within ${tolerance}: ` +
          'the mesh is not left-right symmetric',
      );
    }
    pairs[i] = best;
  }
  for (let i = 0; i < n; i++) {
    if (pairs[pairs[i]] !== i) throw new Error(`mirror pairing is not one-to-one at vertex ${i} (tolerance too large?)`);
  }
  return pairs;
}

/**
 * Makes positions exactly symmetric in place: each pair is replaced by the average of one and the
 * mirror image of the other, and vertices on the plane get x = 0. Exact in float32 too, since
 * negation is exact.
 * @param positions float [V*3], modified
 * @param pairs from {@link mirrorPairs}
 */
export function symmetrize(positions: Float64Array | Float32Array, pairs: Int32Array): void {
  for (let i = 0; i < pairs.length; i++) {
    const j = pairs[i];
    if (j < i) continue;
    if (j === i) {
      positions[3 * i] = 0;
      continue;
    }
    const x = (positions[3 * i] - positions[3 * j]) / 2;
    const y = (positions[3 * i + 1] + positions[3 * j + 1]) / 2;
    const z = (positions[3 * i + 2] + positions[3 * j + 2]) / 2;
    positions[3 * i] = x;
    positions[3 * j] = -x;
    positions[3 * i + 1] = positions[3 * j + 1] = y;
    positions[3 * i + 2] = positions[3 * j + 2] = z;
  }
}
