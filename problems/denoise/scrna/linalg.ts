/**
 * Truncated SVD and exact nearest neighbours for cells x genes matrices.
 *
 * SVD: below EXACT_SVD_LIMIT cells (or genes) the Gram matrix of the short side is
 * eigendecomposed with ml-matrix's symmetric EVD (exact; 283 cells take ~50 ms);
 * above it, Halko–Martinsson–Tropp randomized SVD with power iterations on our
 * own Float64Array products (ml-matrix's full SVD of 5,000 x 2,000 would take
 * minutes). Neighbours: brute force with |a|² + |b|² - 2 a·b, in row blocks.
 */
import { EigenvalueDecomposition, Matrix } from "ml-matrix";
import type { Rng } from "../../../lib/rng.ts";
import {
  type Csr,
  type Dense,
  dense,
  gramRows,
  matmul,
  matmulTransposeA,
  toDense,
  transposeDense,
} from "./matrix.ts";

export const EXACT_SVD_LIMIT = 1200;

export interface Svd {
  /** n x k left singular vectors. */
  readonly u: Dense;
  /** k singular values, descending. */
  readonly s: Float64Array;
  /** g x k right singular vectors. */
  readonly v: Dense;
}

/** Top-k eigenpairs of a symmetric matrix (descending). */
function topEigen(g: Dense, k: number): { values: Float64Array; vectors: Dense } {
  const rows: number[][] = [];
  for (let i = 0; i < g.rows; i++) rows.push(Array.from(g.data.subarray(i * g.cols, (i + 1) * g.cols)));
  const evd = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true });
  const values = evd.realEigenvalues;
  const order = values.map((_, i) => i).sort((a, b) => values[b] - values[a]).slice(0, k);
  const vecs = evd.eigenvectorMatrix;
  const out = dense(g.rows, order.length);
  for (let i = 0; i < g.rows; i++) {
    for (let c = 0; c < order.length; c++) out.data[i * order.length + c] = vecs.get(i, order[c]);
  }
  return { values: Float64Array.from(order, (i) => values[i]), vectors: out };
}

/** SVD of a short-and-wide or tall matrix through the Gram matrix of its short side. */
function exactSvd(x: Dense, k: number): Svd {
  const wide = x.rows <= x.cols;
  const a = wide ? x : transposeDense(x);
  k = Math.min(k, a.rows);
  const { values, vectors } = topEigen(gramRows(a), k);
  const s = Float64Array.from(values, (l) => Math.sqrt(Math.max(l, 0)));
  // Other side: aᵀ·u / s (zero where s vanishes).
  const other = matmulTransposeA(a, vectors);
  for (let i = 0; i < other.rows; i++) {
    for (let c = 0; c < k; c++) other.data[i * k + c] = s[c] > 0 ? other.data[i * k + c] / s[c] : 0;
  }
  return wide ? { u: vectors, s, v: other } : { u: other, s, v: vectors };
}

/** Orthonormal columns by modified Gram–Schmidt (on the transpose, so columns are contiguous). */
export function orthonormalColumns(y: Dense): Dense {
  const t = transposeDense(y);
  const n = t.cols, l = t.rows, d = t.data;
  for (let c = 0; c < l; c++) {
    const cc = c * n;
    for (let p = 0; p < c; p++) {
      const pp = p * n;
      let dot = 0;
      for (let i = 0; i < n; i++) dot += d[cc + i] * d[pp + i];
      for (let i = 0; i < n; i++) d[cc + i] -= dot * d[pp + i];
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += d[cc + i] * d[cc + i];
    norm = Math.sqrt(norm);
    for (let i = 0; i < n; i++) d[cc + i] = norm > 1e-300 ? d[cc + i] / norm : 0;
  }
  return transposeDense(t);
}

function randomizedSvd(
  x: Dense | Csr,
  k: number,
  rng: Rng,
  powerIterations: number,
  oversample: number,
): Svd {
  const l = Math.min(k + oversample, x.rows, x.cols);
  const omega = dense(x.cols, l);
  for (let i = 0; i < omega.data.length; i++) omega.data[i] = rng.normal();
  let q = orthonormalColumns(matmul(x, omega));
  for (let it = 0; it < powerIterations; it++) {
    const z = orthonormalColumns(matmulTransposeA(x, q));
    q = orthonormalColumns(matmul(x, z));
  }
  // B = Qᵀ X is l x g; we hold Bᵀ = Xᵀ Q (g x l) and take the SVD of B through B Bᵀ.
  const bt = matmulTransposeA(x, q);
  const small = exactSvd(transposeDense(bt), k);
  return { u: matmul(q, small.u), s: small.s, v: small.v };
}

export interface SvdOptions {
  readonly rng: Rng;
  readonly method?: "auto" | "exact" | "randomized";
  readonly powerIterations?: number;
  readonly oversample?: number;
}

/** Top-k singular triplets of x (uncentred, like sklearn's TruncatedSVD). */
export function truncatedSvd(x: Dense | Csr, k: number, options: SvdOptions): Svd {
  if (!(Number.isInteger(k) && k >= 1)) throw new Error(`truncatedSvd: k = ${k}`);
  k = Math.min(k, x.rows, x.cols);
  const method = options.method ?? "auto";
  const exact = method === "exact" || (method === "auto" && Math.min(x.rows, x.cols) <= EXACT_SVD_LIMIT);
  if (exact) return exactSvd("indptr" in x ? toDense(x) : x, k);
  return randomizedSvd(x, k, options.rng, options.powerIterations ?? 4, options.oversample ?? 10);
}

/** U·diag(s) truncated to the first k components: the PCA scores of the cells. */
export function scores(svd: Svd, k: number): Dense {
  const kk = Math.min(k, svd.s.length), full = svd.s.length;
  const out = dense(svd.u.rows, kk);
  for (let i = 0; i < svd.u.rows; i++) {
    for (let c = 0; c < kk; c++) out.data[i * kk + c] = svd.u.data[i * full + c] * svd.s[c];
  }
  return out;
}

/** Rank-k reconstruction U_k S_k V_kᵀ (n x g). */
export function lowRank(svd: Svd, k: number): Dense {
  const us = scores(svd, k);
  const kk = us.cols, full = svd.s.length;
  const vk = dense(svd.v.rows, kk);
  for (let j = 0; j < svd.v.rows; j++) {
    for (let c = 0; c < kk; c++) vk.data[j * kk + c] = svd.v.data[j * full + c];
  }
  return matmul(us, transposeDense(vk));
}

export interface Neighbours {
  readonly k: number;
  /** n x k neighbour indices, nearest first; each point is its own first neighbour. */
  readonly indices: Int32Array;
  /** n x k Euclidean distances, ascending. */
  readonly distances: Float64Array;
}

/** Exact k nearest neighbours (self included) by brute force on the dot-product identity. */
export function nearestNeighbours(points: Dense, k: number): Neighbours {
  const n = points.rows, d = points.cols, p = points.data;
  k = Math.min(k, n);
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < d; c++) s += p[i * d + c] ** 2;
    norms[i] = s;
  }
  const indices = new Int32Array(n * k);
  const distances = new Float64Array(n * k);
  const bestD = new Float64Array(k), bestI = new Int32Array(k);
  for (let i = 0; i < n; i++) {
    bestD.fill(Infinity);
    bestI.fill(-1);
    const pi = i * d;
    for (let j = 0; j < n; j++) {
      let sq: number;
      if (j === i) sq = -1; // self first, even against exact duplicates
      else {
        const pj = j * d;
        let dot = 0;
        for (let c = 0; c < d; c++) dot += p[pi + c] * p[pj + c];
        sq = Math.max(0, norms[i] + norms[j] - 2 * dot);
      }
      if (sq >= bestD[k - 1]) continue;
      let pos = k - 1;
      while (pos > 0 && bestD[pos - 1] > sq) {
        bestD[pos] = bestD[pos - 1];
        bestI[pos] = bestI[pos - 1];
        pos--;
      }
      bestD[pos] = sq;
      bestI[pos] = j;
    }
    for (let r = 0; r < k; r++) {
      indices[i * k + r] = bestI[r];
      distances[i * k + r] = Math.sqrt(Math.max(0, bestD[r]));
    }
  }
  return { k, indices, distances };
}
