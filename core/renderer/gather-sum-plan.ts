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
  readonly cols: tf.Tensor1D[];
  readonly values: (tf.Tensor3D | null)[];
  readonly permutation: tf.Tensor1D | null;
}

/**
 * Multiplies a batch of dense matrices by a fixed sparse matrix using only gather, multiply, sum and
 * concat, which every tfjs backend implements (no UnsortedSegmentSum / scatter needed).
 *
 * Rows are grouped by entry count into buckets of width 1, 2, 4, 8, ... (ELL format per bucket, at most
 * 2x padding); padded entries point at an appended zero row. Each bucket is one gather of [B, n*width, C],
 * a multiply by the values and a sum over width; a final gather puts the rows back in order (empty rows
 * read a zero row).
 */
export class GatherSumPlan {
  readonly rows: number;
  readonly cols: number;
  private readonly buckets: Bucket[];
  /** int32 [rows]: position of each row in the concatenated bucket outputs (the zero row if empty). */
  private readonly permutation: Int32Array | null;
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
    const permutation = new Int32Array(m.rows);
    let offset = 0;
    let padded = false;
    this.buckets = widths.map((width) => {
      const rowList = byWidth.get(width)!;
      const n = rowList.length;
      const cols = new Int32Array(n * width).fill(m.cols);
      const values = new Float32Array(n * width);
      let unitValues = true;
      for (let i = 0; i < n; i++) {
        const r = rowList[i];
        permutation[r] = offset + i;
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
      offset += n;
      return { n, width, cols, values, unitValues };
    });
    this.needsPadRow = padded;
    // Rows missing from every bucket read the zero row appended after the bucket outputs.
    for (let r = 0; r < m.rows; r++) if (m.rowPtr[r + 1] === m.rowPtr[r]) permutation[r] = offset;
    const identity = this.buckets.length === 1 && offset === m.rows;
    this.permutation = identity ? null : permutation;
  }

  /** Number of live tensors this plan holds (0 until the first multiply). */
  get tensorCount(): number {
    if (this.tensors === null) return 0;
    return this.tensors.cols.length + this.tensors.values.filter((v) => v !== null).length + (this.tensors.permutation ? 1 : 0);
  }

  private ensureTensors(): PlanTensors {
    if (this.tensors !== null) return this.tensors;
    // Kept so that a first call inside tf.tidy (e.g. a training step) does not dispose the plan's
    // constants; dispose() frees them.
    const t: PlanTensors = {
      cols: this.buckets.map((b) => tf.keep(tf.tensor1d(b.cols, 'int32'))),
      values: this.buckets.map((b) => (b.unitValues ? null : tf.keep(tf.tensor3d(b.values, [1, b.n * b.width, 1])))),
      permutation: this.permutation === null ? null : tf.keep(tf.tensor1d(this.permutation, 'int32')),
    };
    this.tensors = t;
    return t;
  }

  /**
   * @param x float32 [B, cols, C]
   * @returns float32 [B, rows, C] = M x for each batch item
   */
  multiply(x: tf.Tensor3D): tf.Tensor3D {
    if (x.rank !== 3 || x.shape[1] !== this.cols) {
      throw new Error(`sparse multiply expects [B, ${this.cols}, C], got [${x.shape.join(', ')}]`);
    }
    const t = this.ensureTensors();
    return tf.tidy(() => {
      const [batch, , channels] = x.shape;
      if (this.buckets.length === 0) return tf.zeros([batch, this.rows, channels]) as tf.Tensor3D;
      const zeroRow = tf.zeros([batch, 1, channels]);
      const source = this.needsPadRow ? tf.concat([x, zeroRow], 1) : x;
      const outs = this.buckets.map((b, i) => {
        let g: tf.Tensor = tf.gather(source, t.cols[i], 1);
        const values = t.values[i];
        if (values !== null) g = tf.mul(g, values);
        if (b.width > 1) g = tf.sum(tf.reshape(g, [batch, b.n, b.width, channels]), 2);
        return g as tf.Tensor3D;
      });
      if (t.permutation === null) return outs[0];
      return tf.gather(tf.concat([...outs, zeroRow], 1), t.permutation, 1) as tf.Tensor3D;
    });
  }

  /** Frees the plan's tensors; the plan rebuilds them if used again. */
  dispose(): void {
    if (this.tensors === null) return;
    this.tensors.cols.forEach((c) => c.dispose());
    this.tensors.values.forEach((v) => v?.dispose());
    this.tensors.permutation?.dispose();
    this.tensors = null;
  }
}
