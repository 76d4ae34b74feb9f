/**
 * Matrices for single-cell counts: compressed sparse rows (cells x genes, as AnnData
 * stores X) and dense row-major Float64 blocks, with the few products the methods
 * need. Loops run along rows of the output so every inner loop streams contiguous
 * memory (i-k-j order), which is what makes plain TypeScript fast enough here.
 */

/** Dense row-major matrix. */
export interface Dense {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

/** Compressed sparse rows; column indices within a row are ascending. */
export interface Csr {
  readonly rows: number;
  readonly cols: number;
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly data: Float64Array;
}

export function dense(rows: number, cols: number, data?: Float64Array): Dense {
  if (data && data.length !== rows * cols) {
    throw new Error(`dense ${rows}x${cols} needs ${rows * cols} values, got ${data.length}`);
  }
  return { rows, cols, data: data ?? new Float64Array(rows * cols) };
}

/** Builds a CSR matrix from (row, col, value) triplets; duplicates are summed, zeros dropped. */
export function csrFromTriplets(
  rows: number,
  cols: number,
  rowIdx: ArrayLike<number>,
  colIdx: ArrayLike<number>,
  values: ArrayLike<number>,
): Csr {
  const n = values.length;
  const counts = new Int32Array(rows + 1);
  for (let e = 0; e < n; e++) {
    const r = rowIdx[e], c = colIdx[e];
    if (!(r >= 0 && r < rows && c >= 0 && c < cols && Number.isInteger(r) && Number.isInteger(c))) {
      throw new Error(`entry (${r}, ${c}) lies outside a ${rows}x${cols} matrix`);
    }
    counts[r + 1]++;
  }
  for (let r = 0; r < rows; r++) counts[r + 1] += counts[r];
  const order = new Int32Array(n);
  const next = counts.slice(0, rows);
  for (let e = 0; e < n; e++) order[next[rowIdx[e]]++] = e;
  const indptr = new Int32Array(rows + 1);
  const indices: number[] = [];
  const data: number[] = [];
  for (let r = 0; r < rows; r++) {
    const entries = Array.from(order.subarray(counts[r], counts[r + 1]));
    entries.sort((a, b) => colIdx[a] - colIdx[b]);
    let last = -1;
    for (const e of entries) {
      if (colIdx[e] === last) data[data.length - 1] += values[e];
      else {
        indices.push(colIdx[e]);
        data.push(values[e]);
        last = colIdx[e];
      }
    }
    indptr[r + 1] = indices.length;
  }
  return dropZeros({ rows, cols, indptr, indices: Int32Array.from(indices), data: Float64Array.from(data) });
}

/** Removes stored zeros (they arise from summed duplicates or from thinning). */
export function dropZeros(m: Csr): Csr {
  let nnz = 0;
  for (let e = 0; e < m.data.length; e++) if (m.data[e] !== 0) nnz++;
  if (nnz === m.data.length) return m;
  const indptr = new Int32Array(m.rows + 1);
  const indices = new Int32Array(nnz);
  const data = new Float64Array(nnz);
  let k = 0;
  for (let r = 0; r < m.rows; r++) {
    for (let e = m.indptr[r]; e < m.indptr[r + 1]; e++) {
      if (m.data[e] !== 0) {
        indices[k] = m.indices[e];
        data[k++] = m.data[e];
      }
    }
    indptr[r + 1] = k;
  }
  return { rows: m.rows, cols: m.cols, indptr, indices, data };
}

export function csrFromDense(d: Dense): Csr {
  const rowIdx: number[] = [], colIdx: number[] = [], values: number[] = [];
  for (let i = 0; i < d.rows; i++) {
    for (let j = 0; j < d.cols; j++) {
      const v = d.data[i * d.cols + j];
      if (v !== 0) {
        rowIdx.push(i);
        colIdx.push(j);
        values.push(v);
      }
    }
  }
  return csrFromTriplets(d.rows, d.cols, rowIdx, colIdx, values);
}

export function toDense(m: Csr): Dense {
  const out = dense(m.rows, m.cols);
  for (let r = 0; r < m.rows; r++) {
    const base = r * m.cols;
    for (let e = m.indptr[r]; e < m.indptr[r + 1]; e++) out.data[base + m.indices[e]] = m.data[e];
  }
  return out;
}

export function transposeCsr(m: Csr): Csr {
  const indptr = new Int32Array(m.cols + 1);
  for (let e = 0; e < m.indices.length; e++) indptr[m.indices[e] + 1]++;
  for (let c = 0; c < m.cols; c++) indptr[c + 1] += indptr[c];
  const next = indptr.slice(0, m.cols);
  const indices = new Int32Array(m.indices.length);
  const data = new Float64Array(m.data.length);
  for (let r = 0; r < m.rows; r++) {
    for (let e = m.indptr[r]; e < m.indptr[r + 1]; e++) {
      const k = next[m.indices[e]]++;
      indices[k] = r;
      data[k] = m.data[e];
    }
  }
  return { rows: m.cols, cols: m.rows, indptr, indices, data };
}

export function csrRowSums(m: Csr): Float64Array {
  const out = new Float64Array(m.rows);
  for (let r = 0; r < m.rows; r++) {
    let s = 0;
    for (let e = m.indptr[r]; e < m.indptr[r + 1]; e++) s += m.data[e];
    out[r] = s;
  }
  return out;
}

export function csrColSums(m: Csr): Float64Array {
  const out = new Float64Array(m.cols);
  for (let e = 0; e < m.indices.length; e++) out[m.indices[e]] += m.data[e];
  return out;
}

/** Keeps the columns where keep[j] is true, renumbered in order. */
export function selectColumns(m: Csr, keep: ArrayLike<boolean>): Csr {
  const newIndex = new Int32Array(m.cols).fill(-1);
  let cols = 0;
  for (let j = 0; j < m.cols; j++) if (keep[j]) newIndex[j] = cols++;
  const indptr = new Int32Array(m.rows + 1);
  const indices: number[] = [];
  const data: number[] = [];
  for (let r = 0; r < m.rows; r++) {
    for (let e = m.indptr[r]; e < m.indptr[r + 1]; e++) {
      const j = newIndex[m.indices[e]];
      if (j >= 0) {
        indices.push(j);
        data.push(m.data[e]);
      }
    }
    indptr[r + 1] = indices.length;
  }
  return { rows: m.rows, cols, indptr, indices: Int32Array.from(indices), data: Float64Array.from(data) };
}

/** Applies f to every stored value (f(0) must be 0 for the result to mean f(matrix)). */
export function mapCsr(m: Csr, f: (v: number) => number): Csr {
  return { ...m, data: m.data.map(f) };
}

export function rowSums(d: Dense): Float64Array {
  const out = new Float64Array(d.rows);
  for (let i = 0; i < d.rows; i++) {
    let s = 0;
    const base = i * d.cols;
    for (let j = 0; j < d.cols; j++) s += d.data[base + j];
    out[i] = s;
  }
  return out;
}

/** A·B, with A either sparse or dense. */
export function matmul(a: Dense | Csr, b: Dense): Dense {
  if (a.cols !== b.rows) throw new Error(`matmul: ${a.rows}x${a.cols} by ${b.rows}x${b.cols}`);
  const out = dense(a.rows, b.cols);
  const n = b.cols, o = out.data, bd = b.data;
  if ("indptr" in a) {
    for (let i = 0; i < a.rows; i++) {
      const oi = i * n;
      for (let e = a.indptr[i]; e < a.indptr[i + 1]; e++) {
        const v = a.data[e], bk = a.indices[e] * n;
        for (let j = 0; j < n; j++) o[oi + j] += v * bd[bk + j];
      }
    }
    return out;
  }
  const ad = a.data, m = a.cols;
  for (let i = 0; i < a.rows; i++) {
    const oi = i * n, ai = i * m;
    for (let k = 0; k < m; k++) {
      const v = ad[ai + k];
      if (v === 0) continue;
      const bk = k * n;
      for (let j = 0; j < n; j++) o[oi + j] += v * bd[bk + j];
    }
  }
  return out;
}

/** Aᵀ·B without forming Aᵀ. */
export function matmulTransposeA(a: Dense | Csr, b: Dense): Dense {
  if (a.rows !== b.rows) throw new Error(`matmulTᵀ: (${a.rows}x${a.cols})ᵀ by ${b.rows}x${b.cols}`);
  const out = dense(a.cols, b.cols);
  const n = b.cols, o = out.data, bd = b.data;
  if ("indptr" in a) {
    for (let k = 0; k < a.rows; k++) {
      const bk = k * n;
      for (let e = a.indptr[k]; e < a.indptr[k + 1]; e++) {
        const v = a.data[e], oi = a.indices[e] * n;
        for (let j = 0; j < n; j++) o[oi + j] += v * bd[bk + j];
      }
    }
    return out;
  }
  const ad = a.data, m = a.cols;
  for (let k = 0; k < a.rows; k++) {
    const ak = k * m, bk = k * n;
    for (let i = 0; i < m; i++) {
      const v = ad[ak + i];
      if (v === 0) continue;
      const oi = i * n;
      for (let j = 0; j < n; j++) o[oi + j] += v * bd[bk + j];
    }
  }
  return out;
}

/** A·Aᵀ for dense A (the Gram matrix of the rows), filling both triangles. */
export function gramRows(a: Dense): Dense {
  const n = a.rows, m = a.cols, d = a.data;
  const out = dense(n, n);
  for (let i = 0; i < n; i++) {
    const ai = i * m;
    for (let k = 0; k <= i; k++) {
      const ak = k * m;
      let s = 0;
      for (let j = 0; j < m; j++) s += d[ai + j] * d[ak + j];
      out.data[i * n + k] = s;
      out.data[k * n + i] = s;
    }
  }
  return out;
}

export function transposeDense(a: Dense): Dense {
  const out = dense(a.cols, a.rows);
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < a.cols; j++) out.data[j * a.rows + i] = a.data[i * a.cols + j];
  }
  return out;
}
