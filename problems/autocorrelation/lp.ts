/**
 * Sequential LP on the top-K near-tight convolution positions (C1 and C3), the path
 * the paper's best C1 construction took. With the sum S held fixed (sum d = 0),
 *   V_k(a + d) = V_k(a) + (4n/S^2) sum_i a_{k-i} d_i + (2n/S^2)(d * d)_k,
 * and the quadratic term is small inside a trust region, so one LP (HiGHS) solves
 *   min t  s.t.  V_k + (4n/S^2) sum_i a_{k-i} d_i <= t   (K largest V_k),
 *                sum d = 0,  |d_i| <= r mean|a|  (and a_i + d_i >= 0 for C1).
 * A step is kept only if the exact constant improves; otherwise the radius shrinks.
 */
import { minimaxStep } from "../../lib/numeric/highs.ts";
import { autoconvolutionPlan } from "../../lib/numeric/fft_convolution.ts";
import { normalise } from "./gradient.ts";

export interface LpOptions {
  readonly iterations: number;
  /** How many of the largest convolution positions enter the LP as constraints. */
  readonly positions: number;
  /** Trust radius as a fraction of the mean |height|. */
  readonly radius: number;
  /** C1 keeps heights non-negative; C3 lets them take either sign. */
  readonly signed: boolean;
}

/** Beyond this n the dense LP rows (K x n) cost more than the move's budget. */
export const LP_MAX_PIECES = 1500;
/** Cap on K x n nonzeros per LP so that one solve stays within a few hundred ms. */
const LP_MAX_NONZEROS = 40_000;

function constant(a: Float64Array, c: Float64Array): number {
  const n = a.length;
  autoconvolutionPlan(n).convolve(a, c);
  let max = -Infinity, sum = 0;
  for (let k = 0; k < c.length; k++) if (c[k] > max) max = c[k];
  for (let i = 0; i < n; i++) sum += a[i];
  return Math.abs((2 * n * max) / (sum * sum));
}

function topPositions(c: Float64Array, count: number): number[] {
  const order = Array.from(c.keys());
  order.sort((x, y) => c[y] - c[x] || x - y);
  return order.slice(0, Math.min(count, c.length));
}

/**
 * One LP around a: the linearised C at the top positions, c_k(a + d) ~ c_k + 2 sum_i a_{k-i} d_i,
 * scaled by 2n / (sum a)^2 (the sum is fixed by the LP's sum d = 0 row).
 */
function solveStep(
  a: Float64Array,
  c: Float64Array,
  positions: number[],
  radius: number,
  signed: boolean,
) {
  const n = a.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += a[i];
  const s2 = sum * sum;
  const rows = positions.map((k) => {
    const indices: number[] = [];
    const coefficients: number[] = [];
    for (let i = Math.max(0, k - n + 1); i <= Math.min(n - 1, k); i++) {
      indices.push(i);
      coefficients.push((4 * n / s2) * a[k - i]);
    }
    return { value: (2 * n * c[k]) / s2, indices, coefficients };
  });
  const lower = Float64Array.from(a, (x) => (signed ? -radius : Math.max(-radius, -x)));
  const upper = new Float64Array(n).fill(radius);
  return minimaxStep(rows, lower, upper);
}

/** Sequential LP polishing; never returns a state worse than the (normalised) start. */
export async function sequentialLp(start: ArrayLike<number>, options: LpOptions): Promise<Float64Array> {
  let a = normalise(start);
  const n = a.length;
  if (n > LP_MAX_PIECES) return a;
  const c = new Float64Array(2 * n - 1);
  let best = constant(a, c);
  let radius = options.radius;
  const count = Math.max(8, Math.min(options.positions, Math.floor(LP_MAX_NONZEROS / n)));
  for (let it = 0; it < options.iterations; it++) {
    const d = await solveStep(a, c, topPositions(c, count), radius, options.signed);
    if (!d) {
      radius /= 4;
      continue;
    }
    const candidate = new Float64Array(n);
    for (let i = 0; i < n; i++) candidate[i] = options.signed ? a[i] + d[i] : Math.max(0, a[i] + d[i]);
    const cc = new Float64Array(2 * n - 1);
    const value = constant(candidate, cc);
    if (value < best) {
      a = candidate;
      best = value;
      c.set(cc);
    } else {
      radius /= 4;
    }
  }
  return a;
}
