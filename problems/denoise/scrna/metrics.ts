/**
 * The OpenProblems v1 denoising metrics, and the normalised scores against the
 * no-denoising (train counts) and perfect (test counts) baselines.
 *
 *   mse:        normalise every cell to 10,000 counts, log1p, mean squared error
 *               between test and denoised over all cells x genes.
 *   poisson v1: denoised rescaled by sum(test)/sum(train), then
 *               mean(T - D' log(T + 1e-6)): the benchmark called the loss with its
 *               arguments swapped, and its published numbers come from this form.
 *   poisson v2: the fixed order, mean(D' - T log(D' + 1e-6)).
 */
import { type Csr, type Dense, toDense } from "./matrix.ts";

export const TARGET_SUM = 10_000;
export const POISSON_EPS = 1e-6;

export type PoissonVersion = "v1" | "v2";

function asDense(m: Csr | Dense): Dense {
  return "indptr" in m ? toDense(m) : m;
}

/** scanpy's normalize_total(target_sum) then log1p: all-zero cells stay zero. */
export function normalizeLog1p(m: Dense, targetSum = TARGET_SUM): Float64Array {
  const out = new Float64Array(m.data.length);
  for (let i = 0; i < m.rows; i++) {
    const base = i * m.cols;
    let total = 0;
    for (let j = 0; j < m.cols; j++) total += m.data[base + j];
    const scale = targetSum / (total === 0 ? 1 : total);
    for (let j = 0; j < m.cols; j++) out[base + j] = Math.log1p(m.data[base + j] * scale);
  }
  return out;
}

function checkShapes(test: { rows: number; cols: number }, denoised: { rows: number; cols: number }) {
  if (test.rows !== denoised.rows || test.cols !== denoised.cols) {
    throw new Error(`denoised is ${denoised.rows}x${denoised.cols}, test is ${test.rows}x${test.cols}`);
  }
}

export function mse(test: Csr | Dense, denoised: Csr | Dense): number {
  checkShapes(test, denoised);
  const t = normalizeLog1p(asDense(test)), d = normalizeLog1p(asDense(denoised));
  let s = 0;
  for (let i = 0; i < t.length; i++) s += (t[i] - d[i]) ** 2;
  return s / t.length;
}

function total(m: Csr | Dense): number {
  let s = 0;
  for (let i = 0; i < m.data.length; i++) s += m.data[i];
  return s;
}

/** Poisson loss of denoised against test, after the benchmark's train-to-test rescaling. */
export function poisson(
  train: Csr | Dense,
  test: Csr | Dense,
  denoised: Csr | Dense,
  version: PoissonVersion = "v1",
): number {
  checkShapes(test, denoised);
  const scale = total(test) / total(train);
  const t = asDense(test).data, d = asDense(denoised).data;
  let s = 0;
  if (version === "v1") {
    for (let i = 0; i < t.length; i++) s += t[i] - d[i] * scale * Math.log(t[i] + POISSON_EPS);
  } else {
    for (let i = 0; i < t.length; i++) {
      const r = d[i] * scale;
      s += r - t[i] * Math.log(r + POISSON_EPS);
    }
  }
  return s / t.length;
}

export interface Scores {
  readonly mse: number;
  readonly poisson: number;
  /** (none - m) / (none - perfect): 0 for no denoising, 1 for perfect. */
  readonly mseNorm: number;
  readonly poissonNorm: number;
  /** Mean of the two normalised scores (the benchmark's headline). */
  readonly score: number;
  readonly poissonVersion: PoissonVersion;
}

/** The metrics of the two reference outputs on one split; compute once per split. */
export interface Baselines {
  readonly noneMse: number;
  readonly perfectMse: number;
  readonly nonePoisson: number;
  readonly perfectPoisson: number;
  readonly poissonVersion: PoissonVersion;
}

export function baselines(train: Csr, test: Csr, poissonVersion: PoissonVersion = "v1"): Baselines {
  return {
    noneMse: mse(test, train),
    perfectMse: mse(test, test),
    nonePoisson: poisson(train, test, train, poissonVersion),
    perfectPoisson: poisson(train, test, test, poissonVersion),
    poissonVersion,
  };
}

export function normalisedScore(none: number, perfect: number, m: number): number {
  return (none - m) / (none - perfect);
}

export function score(
  train: Csr,
  test: Csr,
  denoised: Dense,
  reference: Baselines = baselines(train, test),
): Scores {
  const m = mse(test, denoised);
  const p = poisson(train, test, denoised, reference.poissonVersion);
  const mseNorm = normalisedScore(reference.noneMse, reference.perfectMse, m);
  const poissonNorm = normalisedScore(reference.nonePoisson, reference.perfectPoisson, p);
  return {
    mse: m,
    poisson: p,
    mseNorm,
    poissonNorm,
    score: (mseNorm + poissonNorm) / 2,
    poissonVersion: reference.poissonVersion,
  };
}

/** Largest value a denoised count may take, and the allowed range of its total vs train's. */
export const MAX_DENOISED_VALUE = 1e12;
export const TOTAL_RATIO_RANGE = [1e-6, 1e6] as const;

/** Why a denoised matrix cannot be scored, or null if it can. */
export function denoisedProblem(train: Csr, denoised: Dense): string | null {
  if (denoised.rows !== train.rows || denoised.cols !== train.cols) {
    return `denoised has shape ${denoised.rows}x${denoised.cols}, expected ${train.rows}x${train.cols}`;
  }
  let sum = 0;
  for (let i = 0; i < denoised.data.length; i++) {
    const v = denoised.data[i];
    if (Number.isNaN(v)) {
      return `denoised value at (${Math.floor(i / denoised.cols)}, ${i % denoised.cols}) is NaN`;
    }
    if (!Number.isFinite(v)) {
      return `denoised value at (${Math.floor(i / denoised.cols)}, ${i % denoised.cols}) is ${v}`;
    }
    if (v < 0) {
      return `denoised value ${v} at (${Math.floor(i / denoised.cols)}, ${i % denoised.cols}) is negative`;
    }
    if (v > MAX_DENOISED_VALUE) return `denoised value ${v} exceeds ${MAX_DENOISED_VALUE} (absurd)`;
    sum += v;
  }
  const ratio = sum / total(train);
  if (!(ratio >= TOTAL_RATIO_RANGE[0] && ratio <= TOTAL_RATIO_RANGE[1])) {
    return `denoised total is ${ratio.toExponential(2)} x the train total, outside [${
      TOTAL_RATIO_RANGE.join(", ")
    }] (absurd)`;
  }
  return null;
}
