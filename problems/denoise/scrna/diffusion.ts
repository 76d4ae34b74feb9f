/**
 * MAGIC's graph (graphtools' kNNGraph): an alpha-decay kernel on PCA coordinates,
 * w = exp(-(d / σ_i)^decay), σ_i the distance to the k-th neighbour, searched out
 * to knn_max neighbours, weights below thresh dropped, symmetrised (K + Kᵀ)/2, then
 * row-normalised into a Markov matrix that is applied t times.
 */
import { type Csr, csrFromTriplets, type Dense, matmul, transposeCsr } from "./matrix.ts";
import { nearestNeighbours, type Neighbours } from "./linalg.ts";

export interface KernelOptions {
  /** Neighbours for the bandwidth, not counting the cell itself (MAGIC: 5). */
  readonly knn: number;
  /** Most neighbours searched, not counting the cell itself (MAGIC: 3·knn = 15). */
  readonly knnMax: number;
  /** Alpha-decay exponent; null = binary kNN graph (OpenProblems' "KNN smoothing" baseline). */
  readonly decay: number | null;
  /** Weights under this are dropped (MAGIC: 1e-4). */
  readonly thresh?: number;
  /** Multiplies every bandwidth. */
  readonly bandwidthScale?: number;
}

export function alphaDecayKernel(points: Dense, options: KernelOptions, found?: Neighbours): Csr {
  const n = points.rows;
  const knn = Math.min(options.knn, n - 1);
  const thresh = options.thresh ?? 1e-4;
  const searched = options.decay === null ? knn + 1 : Math.min(Math.max(options.knnMax, knn) + 1, n);
  const nb = found && found.k >= searched ? found : nearestNeighbours(points, searched);
  const rows: number[] = [], cols: number[] = [], vals: number[] = [];
  for (let i = 0; i < n; i++) {
    const base = i * nb.k;
    if (options.decay === null) {
      for (let r = 0; r <= knn; r++) {
        rows.push(i);
        cols.push(nb.indices[base + r]);
        vals.push(1);
      }
      continue;
    }
    const sigma = Math.max(nb.distances[base + knn] * (options.bandwidthScale ?? 1), Number.EPSILON);
    for (let r = 0; r < searched; r++) {
      const w = Math.exp(-Math.pow(nb.distances[base + r] / sigma, options.decay));
      if (w >= thresh) {
        rows.push(i);
        cols.push(nb.indices[base + r]);
        vals.push(w);
      }
    }
  }
  const k = csrFromTriplets(n, n, rows, cols, vals);
  return symmetrise(k);
}

/** (K + Kᵀ) / 2. */
export function symmetrise(k: Csr): Csr {
  const kt = transposeCsr(k);
  const rows: number[] = [], cols: number[] = [], vals: number[] = [];
  for (const m of [k, kt]) {
    for (let i = 0; i < m.rows; i++) {
      for (let e = m.indptr[i]; e < m.indptr[i + 1]; e++) {
        rows.push(i);
        cols.push(m.indices[e]);
        vals.push(m.data[e] / 2);
      }
    }
  }
  return csrFromTriplets(k.rows, k.cols, rows, cols, vals);
}

/** Adds w·(mean row weight) to every diagonal entry: a lazier walk that keeps more of each cell. */
export function addSelfLoops(k: Csr, weight: number): Csr {
  if (weight === 0) return k;
  const rows: number[] = [], cols: number[] = [], vals: number[] = [];
  for (let i = 0; i < k.rows; i++) {
    let total = 0;
    for (let e = k.indptr[i]; e < k.indptr[i + 1]; e++) {
      rows.push(i);
      cols.push(k.indices[e]);
      vals.push(k.data[e]);
      total += k.data[e];
    }
    rows.push(i);
    cols.push(i);
    vals.push(weight * total);
  }
  return csrFromTriplets(k.rows, k.cols, rows, cols, vals);
}

/** Row-normalised copy (the diffusion operator). */
export function markov(k: Csr): Csr {
  const data = new Float64Array(k.data.length);
  for (let i = 0; i < k.rows; i++) {
    let total = 0;
    for (let e = k.indptr[i]; e < k.indptr[i + 1]; e++) total += k.data[e];
    for (let e = k.indptr[i]; e < k.indptr[i + 1]; e++) data[e] = total > 0 ? k.data[e] / total : 0;
  }
  return { ...k, data };
}

/** Pᵗ·X by t sparse products: P keeps ~2·knn_max entries a row, so this costs O(t·nnz(P)·cols). */
export function diffuse(p: Csr, x: Dense, t: number): Dense {
  let y = x;
  for (let s = 0; s < t; s++) y = matmul(p, y);
  return y;
}
