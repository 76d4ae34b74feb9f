/**
 * Sequential linear programming on the near-tight shifts. Around the current h,
 * c_k(h + d) = c_k(h) + g_k . d - sum_i d_{i+k} d_i, and the quadratic term is small
 * inside a trust region, so one LP minimises the linearised max over the K highest
 * shifts:
 *   min t  s.t.  C5_k + (2/n) g_k . d <= t (top K shifts),  sum d = 0,
 *               max(-r, -h_i) <= d_i <= min(r, 1 - h_i).
 * A step is kept only if the exact C5 improves; otherwise the radius shrinks.
 * The gradient: dc_k/dh_j = (1 - h_{j-k}) - h_{j+k}, each term where its index exists.
 */
import { minimaxStep } from "../../lib/numeric/highs.ts";
import { argmaxShift, overlapPlan } from "./overlap.ts";
import { projectCappedSimplex } from "./projection.ts";

export interface LpOptions {
  /** Number of LPs solved (each followed by an exact check). */
  readonly iterations: number;
  /** How many of the highest shifts enter the LP as constraints. */
  readonly shifts: number;
  /** Trust radius: the largest change of any single height per LP. */
  readonly radius: number;
}

/** Bound on simplex iterations per LP: counts, not wall time, keep moves deterministic. */
const SIMPLEX_ITERATION_LIMIT = 50_000;
/** The quadratic remainder is O(r^2 n); beyond this n the LP grows too large to pay off. */
export const LP_MAX_PIECES = 1200;

function exactC5(h: Float64Array, c: Float64Array): number {
  const n = h.length;
  overlapPlan(n).correlations(h, c);
  return (2 / n) * argmaxShift(c, n).max;
}

/** Indices (into c, i.e. k + n - 1) of the `count` largest overlaps. */
function topShifts(c: Float64Array, count: number): number[] {
  const order = Array.from(c.keys());
  order.sort((a, b) => c[b] - c[a] || a - b);
  return order.slice(0, Math.min(count, c.length));
}

/** One LP: the best step d inside the trust region, or null if HiGHS found none. */
function solveStep(h: Float64Array, c: Float64Array, shifts: number[], radius: number) {
  const n = h.length;
  const scale = 2 / n;
  const columns = Array.from({ length: n }, (_, j) => j);
  const rows = shifts.map((slot) => {
    const k = slot - (n - 1);
    const coefficients = columns.map((j) => {
      let g = 0;
      if (j - k >= 0 && j - k < n) g += 1 - h[j - k];
      if (j + k >= 0 && j + k < n) g -= h[j + k];
      return scale * g;
    });
    return { value: scale * c[slot], indices: columns, coefficients };
  });
  const lower = Float64Array.from(h, (x) => Math.max(-radius, -x));
  const upper = Float64Array.from(h, (x) => Math.min(radius, 1 - x));
  return minimaxStep(rows, lower, upper, SIMPLEX_ITERATION_LIMIT);
}

/** Sequential LP polishing. Never returns a state worse than the (projected) start. */
export async function linearProgramSteps(start: Float64Array, options: LpOptions): Promise<Float64Array> {
  const n = start.length;
  if (n > LP_MAX_PIECES) return projectCappedSimplex(start);
  let h = projectCappedSimplex(start);
  const c = new Float64Array(2 * n - 1);
  let best = exactC5(h, c);
  let radius = options.radius;
  for (let it = 0; it < options.iterations; it++) {
    const shifts = topShifts(c, options.shifts);
    const d = await solveStep(h, c, shifts, radius);
    if (!d) {
      radius /= 4;
      continue;
    }
    const y = new Float64Array(n);
    for (let j = 0; j < n; j++) y[j] = h[j] + d[j];
    const candidate = projectCappedSimplex(y);
    const cc = new Float64Array(2 * n - 1);
    const value = exactC5(candidate, cc);
    if (value < best) {
      h = candidate;
      best = value;
      c.set(cc);
    } else {
      radius /= 4;
      exactC5(h, c);
    }
  }
  return h;
}
