import { tf } from '../backend/tf';

/** A sparse matrix [rows x cols] in compressed-row form (typed arrays, no tensors). */
export interface CsrMatrix {
  readonly rows: number;
  readonly cols: number;
  /** int32 [rows+1]: entries of row r are rowPtr[r] .. rowPtr[r+1]-1. */
  readonly rowPtr: Int32Array;
  /** int32 [nnz]: column of each entry. */
  readonly colIdx: Int32Array;
  /** float32 [nnz]: value of each entry. */
  readonly values: Float32Array;
}

/** The transpose of `m` (a counting sort by column; entries of each new row keep their old row order). */
export function transposeCsr(m: CsrMatrix): CsrMatrix {
  const nnz = m.colIdx.length;
  const rowPtr = new Int32Array(m.cols + 1);
  for (let e = 0; e < nnz; e++) rowPtr[m.colIdx[e] + 1]++;
  for (let c = 0; c < m.cols; c++) rowPtr[c + 1] += rowPtr[c];
  const fill = rowPtr.slice(0, m.cols);
  const colIdx = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  for (let r = 0; r < m.rows; r++) {
    for (let e = m.rowPtr[r]; e < m.rowPtr[r + 1]; e++) {
      const d = fill[m.colIdx[e]]++;
      colIdx[d] = r;
      values[d] = m.values[e];
    }
  }
  return { rows: m.cols, cols: m.rows, rowPtr, colIdx, values };
}

interface Bucket {
  /** Number of rows in the bucket and entries per row (padded). */
  readonly n: number;
  readonly width: number;
  readonly cols: Int32Array;
  readonly values: Float32Array;
  /** True when every real entry is 1, so the multiply can be skipped. */
  readonly unitValues: boolean;
}

interface PlanTensors {
  /** int32 [n*width, 1] per bucket. */
  readonly cols: tf.Tensor2D[];
  /** float32 [n*width, 1] per bucket, null when all ones. */
  readonly values: (tf.Tensor2D | null)[];
  /** int32 [rows in buckets, 1]: output row of each bucket row, in bucket order; null when the identity. */
  readonly rowIds: tf.Tensor2D | null;
}

/**
 * Gathers whole rows of a [N, D] matrix. gatherND copies contiguous row slices (the wasm backend: about
 * 12x faster than GatherV2, which indexes element by element); the pure-JS cpu backend is the
 * opposite (its gatherND is about 3x slower than gather), so it keeps gather.
 */
function gatherRows(x: tf.Tensor2D, index: tf.Tensor2D): tf.Tensor2D {
  if (tf.getBackend() === 'cpu') return tf.gather(x, tf.reshape(index, [-1]), 0);
  return tf.gatherND(x, index) as tf.Tensor2D;
}

/**
 * Multiplies a dense matrix X [cols, D] by a fixed sparse matrix M [rows, cols] using only row
 * gathers, multiplies, sums, concat and scatterND, which every tfjs backend implements (no
 * UnsortedSegmentSum needed), in O(nonzeros * D) work rather than O(rows * cols * D).
 *
 * Rows are grouped by entry count into buckets of width 1, 2, 4, 8, ... (ELL format per bucket, at most
 * 2x padding); padded entries point at an appended zero row of X. Each bucket is one row gather of
 * [n*width, D], a multiply by the values and a sum over width; one scatterND puts the non-empty rows in
 * place (empty rows stay zero). Callers put the batch in D (e.g. D = B*3) so each gathered row is a
 * contiguous run.
 */
export class GatherSumPlan {
  readonly rows: number;
  readonly cols: number;
  private readonly buckets: Bucket[];
  /** int32 [rows in buckets]: output row of each bucket row, in bucket order; null when the identity. */
  private readonly rowIds: Int32Array | null;
  private readonly needsPadRow: boolean;
  private tensors: PlanTensors | null = null;

  constructor(m: CsrMatrix) {
    this.rows = m.rows;
    this.cols = m.cols;
    const byWidth = new Map<number, number[]>();
    for (let r = 0; r < m.rows; r++) {
      const count = m.rowPtr[r + 1] - m.rowPtr[r];
      if (count === 0) continue;
      let width = 1;
      while (width < count) width *= 2;
      let list = byWidth.get(width);
      if (list === undefined) byWidth.set(width, (list = []));
      list.push(r);
    }
    const widths = [...byWidth.keys()].sort((a, b) => a - b);
    const rowIds: number[] = [];
    let padded = false;
    this.buckets = widths.map((width) => {
      const rowList = byWidth.get(width)!;
      const n = rowList.length;
      const cols = new Int32Array(n * width).fill(m.cols);
      const values = new Float32Array(n * width);
      let unitValues = true;
      for (let i = 0; i < n; i++) {
        const r = rowList[i];
        rowIds.push(r);
        const start = m.rowPtr[r];
        const count = m.rowPtr[r + 1] - start;
        if (count < width) padded = true;
        for (let e = 0; e < count; e++) {
          cols[i * width + e] = m.colIdx[start + e];
          const v = m.values[start + e];
          values[i * width + e] = v;
          if (v !== 1) unitValues = false;
        }
      }
      return { n, width, cols, values, unitValues };
    });
    this.needsPadRow = padded;
    const identity = this.buckets.length === 1 && rowIds.length === m.rows;
    this.rowIds = identity ? null : Int32Array.from(rowIds);
  }

  private ensureTensors(): PlanTensors {
    if (this.tensors !== null) return this.tensors;
    // Kept so that a first call inside tf.tidy (e.g. a training step) does not dispose the plan's
    // constants; dispose() frees them.
    const t: PlanTensors = {
      cols: this.buckets.map((b) => tf.keep(tf.tensor2d(b.cols, [b.cols.length, 1], 'int32'))),
      values: this.buckets.map((b) => (b.unitValues ? null : tf.keep(tf.tensor2d(b.values, [b.values.length, 1])))),
      rowIds: this.rowIds === null ? null : tf.keep(tf.tensor2d(this.rowIds, [this.rowIds.length, 1], 'int32')),
    };
    this.tensors = t;
    return t;
  }

  /**
   * @param x float32 [cols, D]
   * @returns float32 [rows, D] = M x
   */
  multiply(x: tf.Tensor2D): tf.Tensor2D {
    if (x.rank !== 2 || x.shape[0] !== this.cols) {
      throw new Error(`sparse multiply expects [${this.cols}, D], got [${x.shape.join(', ')}]`);
    }
    const t = this.ensureTensors();
    return tf.tidy(() => {
      const depth = x.shape[1];
      if (this.buckets.length === 0) return tf.zeros([this.rows, depth]) as tf.Tensor2D;
      const source = (this.needsPadRow ? tf.concat([x, tf.zeros([1, depth])], 0) : x) as tf.Tensor2D;
      const outs = this.buckets.map((b, i) => {
        let g: tf.Tensor2D = gatherRows(source, t.cols[i]);
        const values = t.values[i];
        if (values !== null) g = tf.mul(g, values);
        if (b.width > 1) g = tf.sum(tf.reshape(g, [b.n, b.width, depth]), 1) as tf.Tensor2D;
        return g;
      });
      if (t.rowIds === null) return outs[0];
      const updates = outs.length === 1 ? outs[0] : tf.concat(outs, 0);
      return tf.scatterND(t.rowIds, updates, [this.rows, depth]) as tf.Tensor2D;
    });
  }

  /** Frees the plan's tensors; the plan rebuilds them if used again. */
  dispose(): void {
    if (this.tensors === null) return;
    this.tensors.cols.forEach((c) => c.dispose());
    this.tensors.values.forEach((v) => v?.dispose());
    this.tensors.rowIds?.dispose();
    this.tensors = null;
  }
}
