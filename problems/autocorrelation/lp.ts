/**
 * Sequential LP on the near-tight convolution positions (C1 and C3), the path the paper's
 * best C1 construction took. With the sum S held fixed (sum d = 0),
 *   V_k(a + d) = V_k(a) + (4n/S^2) sum_i a_{k-i} d_i + (2n/S^2)(d * d)_k,
 * and the quadratic term is small inside a trust region, so one LP (HiGHS) solves
 *   min t  s.t.  V_k + (4n/S^2) sum_i a_{k-i} d_i <= t   (every k within `tight` of the max),
 *                sum d = 0,  |d_i| <= r mean|a|  (and a_i + d_i >= 0 for C1).
 * Large n: d is constant on m blocks (a resolution ladder; block edges at a random offset, so
 * rollouts differ), which keeps the LP at rows x m nonzeros. A step is kept only if the exact
 * constant improves (the radius then grows); otherwise the radius shrinks and the positions
 * that overshot join the constraints. Runs until the radius collapses (converged), the
 * iteration count is spent, or the deadline passes; it never returns a worse state.
 */
import { minimaxStep } from "../../lib/numeric/highs.ts";
import { autoconvolutionPlan } from "./fft_convolution.ts";
import type { Rng } from "../../lib/rng.ts";
import { normalise } from "./gradient.ts";

export interface LpOptions {
  /** Most LP solves. */
  readonly iterations: number;
  /** Rows: every position whose V_k is within this fraction of the max. */
  readonly tight: number;
  /** Most LP variables: above it, d is constant on this many blocks. */
  readonly resolution: number;
  /** Initial trust radius as a fraction of the mean |height|. */
  readonly radius: number;
  /** C1 keeps heights non-negative; C3 lets them take either sign. */
  readonly signed: boolean;
  /** Jitters the initial radius and places the block edges. */
  readonly rng?: Rng;
  /** Epoch ms: stop there with the best iterate. */
  readonly deadline?: number;
}

/** Cap on rows x variables per LP: one HiGHS (WebAssembly) solve stays within a few seconds. */
export const LP_MAX_NONZEROS = 150_000;
/** A prior on HiGHS time per LP nonzero: 260k nonzeros took 4.6 s at load 4; doubled as a margin. */
const SOLVE_MS_PER_NONZERO = 0.04;
/** A radius below this (relative to mean |a|) means converged. */
const MIN_RADIUS = 1e-11;

function constant(a: Float64Array, c: Float64Array): number {
  const n = a.length;
  autoconvolutionPlan(n).convolve(a, c);
  let max = -Infinity, sum = 0;
  for (let k = 0; k < c.length; k++) if (c[k] > max) max = c[k];
  for (let i = 0; i < n; i++) sum += a[i];
  return Math.abs((2 * n * max) / (sum * sum));
}

/** Positions within `tight` of the max, plus the remembered overshooters, largest first, at most `cap`. */
function activeRows(c: Float64Array, tight: number, extra: Set<number>, cap: number): number[] {
  let max = -Infinity;
  for (let k = 0; k < c.length; k++) if (c[k] > max) max = c[k];
  const floor = max - tight * Math.abs(max);
  const rows: number[] = [];
  for (let k = 0; k < c.length; k++) if (c[k] >= floor || extra.has(k)) rows.push(k);
  if (rows.length > cap) {
    rows.sort((x, y) => c[y] - c[x] || x - y);
    rows.length = cap;
  }
  return rows;
}

/** Block edges: m blocks covering 0..n, the first one shortened by a random offset. */
function blockEdges(n: number, m: number, rng?: Rng): Int32Array {
  if (m >= n) return Int32Array.from({ length: n + 1 }, (_, i) => i);
  const width = n / m;
  const offset = rng ? rng.next() * width : 0;
  const edges = [0];
  for (let b = 1; b < m; b++) edges.push(Math.min(n, Math.round(b * width - offset)));
  edges.push(n);
  return Int32Array.from(new Set(edges)).sort();
}

/**
 * One LP around a in block variables z_b = (sum of d over block b), so d_i = z_b / |b| and
 * minimaxStep's sum z = 0 is sum d = 0. Row k's coefficient of z_b is
 * (4n/S^2) mean_{i in b} a_{k-i}, read off prefix sums of a.
 */
async function solveStep(
  a: Float64Array,
  c: Float64Array,
  rows: number[],
  edges: Int32Array,
  radius: number,
  signed: boolean,
  deadline: number | undefined,
): Promise<Float64Array | null> {
  const n = a.length, m = edges.length - 1;
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i] + a[i];
  const s2 = prefix[n] * prefix[n];
  const clampIndex = (j: number) => Math.min(n, Math.max(0, j));
  const lpRows = rows.map((k) => {
    const indices: number[] = [];
    const coefficients: number[] = [];
    for (let b = 0; b < m; b++) {
      const lo = edges[b], hi = edges[b + 1];
      // sum_{i=lo}^{hi-1} a_{k-i} = sum_{j=k-hi+1}^{k-lo} a_j
      const s = prefix[clampIndex(k - lo + 1)] - prefix[clampIndex(k - hi + 1)];
      if (s !== 0) {
        indices.push(b);
        coefficients.push((4 * n / s2) * s / (hi - lo));
      }
    }
    return { value: (2 * n * c[k]) / s2, indices, coefficients };
  });
  const lower = new Float64Array(m), upper = new Float64Array(m);
  for (let b = 0; b < m; b++) {
    const size = edges[b + 1] - edges[b];
    let low = Infinity;
    for (let i = edges[b]; i < edges[b + 1]; i++) low = Math.min(low, a[i]);
    upper[b] = radius * size;
    lower[b] = -size * (signed ? radius : Math.min(radius, low));
  }
  // The prior in sequentialLp keeps a solve from starting late; HiGHS's time limit is the net
  // under it when the machine is slower than the prior assumes (a solve it stops returns null).
  const z = await minimaxStep(lpRows, lower, upper, { deadline });
  if (!z) return null;
  const d = new Float64Array(n);
  for (let b = 0; b < m; b++) {
    const size = edges[b + 1] - edges[b];
    for (let i = edges[b]; i < edges[b + 1]; i++) d[i] = z[b] / size;
  }
  return d;
}

/** Sequential LP polishing; never returns a state worse than the (normalised) start. */
export async function sequentialLp(start: ArrayLike<number>, options: LpOptions): Promise<Float64Array> {
  let a = normalise(start);
  const n = a.length;
  const c = new Float64Array(2 * n - 1), cc = new Float64Array(2 * n - 1);
  let best = constant(a, c);
  let radius = options.radius * (options.rng ? 2 ** (2 * options.rng.next() - 1) : 1);
  const edges = blockEdges(n, Math.max(2, Math.min(n, options.resolution)), options.rng);
  const rowCap = Math.max(8, Math.floor(LP_MAX_NONZEROS / (edges.length - 1)));
  const extra = new Set<number>();
  // A solve cannot be interrupted, so none starts unless the slowest one so far, or a first
  // one's prior (SOLVE_MS_PER_NONZERO, as measured on the loaded 2-core machine), still fits.
  let slowest = 0;
  for (let it = 0; it < options.iterations && radius > MIN_RADIUS; it++) {
    const rows = activeRows(c, options.tight, extra, rowCap);
    const expected = Math.max(slowest, rows.length * (edges.length - 1) * SOLVE_MS_PER_NONZERO);
    if (options.deadline !== undefined && Date.now() + expected >= options.deadline) break;
    const started = Date.now();
    const d = await solveStep(a, c, rows, edges, radius, options.signed, options.deadline);
    slowest = Math.max(slowest, Date.now() - started);
    if (!d) {
      radius /= 4;
      continue;
    }
    const candidate = new Float64Array(n);
    for (let i = 0; i < n; i++) candidate[i] = options.signed ? a[i] + d[i] : Math.max(0, a[i] + d[i]);
    const value = constant(candidate, cc);
    if (value < best) {
      a = candidate;
      best = value;
      c.set(cc);
      radius *= 2;
    } else {
      // The positions that now exceed the old maximum were missing from the LP.
      let oldMax = -Infinity;
      for (let k = 0; k < c.length; k++) if (c[k] > oldMax) oldMax = c[k];
      for (let k = 0; k < cc.length; k++) if (cc[k] > oldMax && extra.size < rowCap) extra.add(k);
      radius /= 4;
    }
  }
  return a;
}
