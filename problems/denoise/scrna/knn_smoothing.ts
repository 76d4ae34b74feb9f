/**
 * Iterative kNN smoothing (Wagner, Yan & Yanai 2018, knn_smooth.py) with k = 10:
 * in ceil(log2(k + 1)) rounds with k_step = min(2^p - 1, k), median-normalise the
 * current smoothed matrix, Freeman–Tukey transform, centred PCA to d = 10
 * components, dither each component by ±1.5% of its range, and replace every cell
 * by the sum of the raw counts of itself and its k_step nearest cells.
 */
import { Rng } from "../../../lib/rng.ts";
import { type Csr, type Dense, dense, rowSums, toDense } from "./matrix.ts";
import { nearestNeighbours, scores, truncatedSvd } from "./linalg.ts";

export interface KnnSmoothingOptions {
  readonly k?: number;
  readonly d?: number;
  readonly dither?: number;
  readonly seed?: number;
}

function medianOf(values: Float64Array): number {
  const s = Float64Array.from(values).sort();
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}

export function knnSmoothing(train: Csr, options: KnnSmoothingOptions = {}): Dense {
  const k = options.k ?? 10, d = options.d ?? 10, dither = options.dither ?? 0.03;
  const rng = new Rng(options.seed ?? 0);
  const x = toDense(train);
  const n = x.rows, g = x.cols;
  let s = x;
  const steps = Math.ceil(Math.log2(k + 1));
  for (let p = 1; p <= steps; p++) {
    const kStep = Math.min(2 ** p - 1, k);
    const totals = rowSums(s);
    const med = medianOf(totals);
    const y = dense(n, g);
    for (let i = 0; i < n; i++) {
      const f = totals[i] > 0 ? med / totals[i] : 0;
      for (let j = 0; j < g; j++) {
        const v = s.data[i * g + j] * f;
        y.data[i * g + j] = Math.sqrt(v) + Math.sqrt(v + 1);
      }
    }
    // Centre genes, as sklearn's PCA does.
    for (let j = 0; j < g; j++) {
      let mean = 0;
      for (let i = 0; i < n; i++) mean += y.data[i * g + j];
      mean /= n;
      for (let i = 0; i < n; i++) y.data[i * g + j] -= mean;
    }
    const pcs = scores(truncatedSvd(y, d, { rng }), d);
    const dd = pcs.cols;
    if (dither > 0) {
      for (let c = 0; c < dd; c++) {
        let lo = Infinity, hi = -Infinity;
        for (let i = 0; i < n; i++) {
          lo = Math.min(lo, pcs.data[i * dd + c]);
          hi = Math.max(hi, pcs.data[i * dd + c]);
        }
        for (let i = 0; i < n; i++) pcs.data[i * dd + c] += (rng.next() - 0.5) * (hi - lo) * dither;
      }
    }
    const nb = nearestNeighbours(pcs, kStep + 1);
    const next = dense(n, g);
    for (let i = 0; i < n; i++) {
      for (let r = 0; r < nb.k; r++) {
        const src = nb.indices[i * nb.k + r] * g, dst = i * g;
        for (let j = 0; j < g; j++) next.data[dst + j] += x.data[src + j];
      }
    }
    s = next;
  }
  return s;
}
