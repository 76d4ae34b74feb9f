/**
 * ALRA (Linderman, Zhao & Kluger 2018): rank-k SVD of the normalised matrix, then per
 * gene: zero every value at or below |the 0.1% quantile| (the symmetric noise
 * around the true zeros), rescale the survivors to the gene's observed non-zero mean
 * and standard deviation, clip negatives, and restore observed values that were
 * zeroed. k is chosen from the gaps between singular values (choose_k).
 */
import { Rng } from "../../../lib/rng.ts";
import type { Csr, Dense } from "./matrix.ts";
import { lowRank, truncatedSvd } from "./linalg.ts";
import { denormalise, normalise, type NormOrder, type Transform } from "./transform.ts";

export interface AlraOptions {
  readonly transform?: Transform;
  readonly normOrder?: NormOrder;
  /** Rank; 0 picks it with chooseK. */
  readonly k?: number;
  readonly quantileProb?: number;
  readonly seed?: number;
}

/** R's default quantile (type 7) of a sorted array. */
function quantileSorted(sorted: Float64Array, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h), hi = Math.ceil(h);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * ALRA's choose_k: singular values 1..K, spacings d_i = s_i - s_{i+1}; the noise
 * spacings (from noiseStart on) give a mean and sd; k is the last i whose spacing
 * is more than 6 sd above that mean. K shrinks on matrices smaller than 100.
 */
export function chooseK(s: Float64Array, options: { thresh?: number; noiseStart?: number } = {}): number {
  const K = s.length;
  const noiseStart = options.noiseStart ?? Math.min(80, Math.floor(0.8 * K));
  if (K - noiseStart < 5) throw new Error(`chooseK: need 5 noise singular values, have ${K - noiseStart}`);
  const diffs = new Float64Array(K - 1);
  for (let i = 0; i < K - 1; i++) diffs[i] = s[i] - s[i + 1];
  const noise = diffs.slice(noiseStart - 1);
  const mu = noise.reduce((a, b) => a + b, 0) / noise.length;
  const sd = Math.sqrt(noise.reduce((a, b) => a + (b - mu) ** 2, 0) / (noise.length - 1));
  let k = 1;
  for (let i = 0; i < diffs.length; i++) if ((diffs[i] - mu) / sd > (options.thresh ?? 6)) k = i + 1;
  return k;
}

/** ALRA on an already normalised cells x genes matrix; returns the completed matrix. */
export function alraCore(a: Dense, k: number, quantileProb: number, rank: (k: number) => Dense): Dense {
  const n = a.rows, g = a.cols;
  const approx = rank(k);
  const out = approx.data;
  const column = new Float64Array(n);
  for (let j = 0; j < g; j++) {
    for (let i = 0; i < n; i++) column[i] = out[i * g + j];
    const threshold = Math.abs(quantileSorted(Float64Array.from(column).sort(), quantileProb));
    for (let i = 0; i < n; i++) if (out[i * g + j] <= threshold) out[i * g + j] = 0;
    // Non-zero mean and sd of the thresholded approximation and of the observations.
    const stats = (get: (i: number) => number) => {
      let count = 0, sum = 0;
      for (let i = 0; i < n; i++) {
        const v = get(i);
        if (v !== 0) {
          count++;
          sum += v;
        }
      }
      const mean = count > 0 ? sum / count : NaN;
      let ss = 0;
      for (let i = 0; i < n; i++) {
        const v = get(i);
        if (v !== 0) ss += (v - mean) ** 2;
      }
      return { mean, sd: count > 1 ? Math.sqrt(ss / (count - 1)) : NaN };
    };
    const s1 = stats((i) => out[i * g + j]);
    const s2 = stats((i) => a.data[i * g + j]);
    const scalable = Number.isFinite(s1.sd) && Number.isFinite(s2.sd) && s1.sd !== 0;
    for (let i = 0; i < n; i++) {
      const at = i * g + j;
      let v = out[at];
      if (v !== 0 && scalable) v = v * (s2.sd / s1.sd) + (s2.mean - s1.mean * s2.sd / s1.sd);
      if (v < 0) v = 0;
      if (v === 0 && a.data[at] > 0) v = a.data[at];
      out[at] = v;
    }
  }
  return approx;
}

export function alra(train: Csr, options: AlraOptions = {}): Dense {
  const transform = options.transform ?? "log1p";
  const norm = normalise(train, transform, options.normOrder ?? "standard");
  const a = norm.values;
  const maxRank = Math.min(100, a.rows - 1, a.cols - 1);
  const svd = truncatedSvd(a, maxRank, { rng: new Rng(options.seed ?? 0) });
  const k = options.k && options.k > 0 ? Math.min(options.k, maxRank) : chooseK(svd.s);
  const completed = alraCore(a, k, options.quantileProb ?? 0.001, (r) => lowRank(svd, r));
  return denormalise(completed, norm);
}
