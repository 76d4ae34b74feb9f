/**
 * Sequential linear programming run to convergence: the operator that moves published
 * optima. Around h, c_k(h + d) = c_k(h) + g_k . d - sum_i d_{i+k} d_i, so inside a trust
 * region one LP minimises the linearised maximum over every near-tight shift:
 *   min t  s.t.  C5_k + (2/n) g_k . d <= t (all shifts within `band` of the max),
 *               sum d = 0,  max(-r, -h_i) <= d_i <= min(r, 1 - h_i).
 * An accepted step (exact C5 fell) widens the radius, a rejected one halves it, so the
 * radius tracks the scale where the quadratic remainder stops mattering; the band follows
 * the radius, since a shift can only become the maximum if its gap is within reach of a step.
 * At the optima of the records hundreds of shifts are tight at once (367 within 1e-6 for the
 * 600-piece TTT-Discover construction), so a cap of a few dozen rows cannot move them.
 */
import { type MinimaxRow, minimaxStep } from "../../lib/numeric/highs.ts";
import { pastDeadline } from "../../lib/problem.ts";
import type { Rng } from "../../lib/rng.ts";
import { argmaxShift, overlapPlan } from "./overlap.ts";
import { projectCappedSimplex } from "./projection.ts";

export interface SlpOptions {
  /** LPs solved at most (each followed by an exact check): the move's budget. */
  readonly iterations: number;
  /** Initial trust radius: the largest change of any single height in one LP. */
  readonly radius: number;
  /** Most constraint rows per LP (the highest shifts first); bounds the LP's size. */
  readonly maxRows?: number;
  /**
   * Most heights free in one LP. Above it each LP moves a random subset (block-coordinate
   * SLP): at the thousands of pieces of the records a full LP takes minutes, a subset seconds.
   */
  readonly maxColumns?: number;
  /** With an rng, each LP keeps a random 80% of the band beyond its top half (rollouts differ). */
  readonly rng?: Rng;
  readonly deadline?: number;
}

export interface SlpResult {
  readonly heights: Float64Array;
  readonly value: number;
  readonly iterations: number;
  readonly accepted: number;
}

/**
 * Simplex iterations per LP, per row and column: counts, not wall time, keep moves
 * deterministic. An LP that hits it halves the radius, which shrinks the band and so the
 * next LP: a large-radius LP with every shift in its band can otherwise run for minutes.
 */
const SIMPLEX_ITERATIONS_PER_ROW_AND_COLUMN = 8;
/** Below this radius a step cannot change C5 in the digits that matter. */
const MIN_RADIUS = 1e-9;
const MAX_RADIUS = 0.1;
/** Heights one LP moves by default: a full LP up to here (about a second an LP at n = 600). */
export const DEFAULT_MAX_COLUMNS = 800;
/** Dense rows cost n each: keep rows x n near this many coefficients. */
const COEFFICIENT_BUDGET = 2_500_000;
/**
 * A prior on the part of an LP that no time limit stops, per nonzero: building it and passing
 * it to HiGHS (1.1M nonzeros, 1,200 pieces x 1,464 rows x 800 columns: 0.3 s at load 9 on the
 * 2-core machine) and the start of HiGHS's run before it first checks its time limit (365k
 * nonzeros: 0.2 s at load 11, when 57 ms were left); 0.8 us a nonzero, x1.5 as a margin. Under
 * a deadline an LP whose uninterruptible part would not fit is not started.
 */
const SETUP_MS_PER_NONZERO = 0.0012;

export function exactC5(h: Float64Array, c: Float64Array): number {
  const n = h.length;
  overlapPlan(n).correlations(h, c);
  return (2 / n) * argmaxShift(c, n).max;
}

/** Slots (k + n - 1) whose gap to the maximum, in C5 units, is at most `band`, highest first. */
function bandShifts(c: Float64Array, n: number, band: number, cap: number): number[] {
  const scale = 2 / n;
  const max = argmaxShift(c, n).max;
  const slots: number[] = [];
  for (let j = 0; j < c.length; j++) if (scale * (max - c[j]) <= band) slots.push(j);
  slots.sort((a, b) => c[b] - c[a] || a - b);
  return slots.slice(0, cap);
}

/**
 * The LP's rows over the free columns: the gradient of each chosen overlap,
 * dc_k/dh_j = (1 - h_{j-k}) - h_{j+k}; LP variable i is the change of height columns[i].
 */
function linearise(
  h: Float64Array,
  c: Float64Array,
  slots: readonly number[],
  columns: readonly number[],
): MinimaxRow[] {
  const n = h.length;
  const scale = 2 / n;
  const variables = columns.map((_, i) => i);
  return slots.map((slot) => {
    const k = slot - (n - 1);
    const coefficients = columns.map((j) => {
      let g = 0;
      if (j - k >= 0 && j - k < n) g += 1 - h[j - k];
      if (j + k >= 0 && j + k < n) g -= h[j + k];
      return scale * g;
    });
    return { value: scale * c[slot], indices: variables, coefficients };
  });
}

/**
 * Which heights one LP may move: all of them when they fit, else a random subset drawn
 * from the heights strictly inside (0, 1) first (those at a bound rarely move), in order.
 */
function freeColumns(h: Float64Array, limit: number, rng: Rng | undefined, iteration: number): number[] {
  const n = h.length;
  if (n <= limit) return Array.from({ length: n }, (_, j) => j);
  const interior: number[] = [], bound: number[] = [];
  for (let j = 0; j < n; j++) (h[j] > 1e-12 && h[j] < 1 - 1e-12 ? interior : bound).push(j);
  const take = (count: number, from: number[]) => {
    // Partial Fisher-Yates; without an rng a rotating stride keeps the move deterministic.
    const a = from.slice();
    for (let i = 0; i < count; i++) {
      const r = rng ? i + rng.int(a.length - i) : i + ((iteration * 7919 + i * 104729) % (a.length - i));
      [a[i], a[r]] = [a[r], a[i]];
    }
    return a.slice(0, count);
  };
  const chosen = interior.length >= limit
    ? take(limit, interior)
    : [...interior, ...take(limit - interior.length, bound)];
  return chosen.sort((a, b) => a - b);
}

/** Keeps the top half of the band and a random 80% of the rest. */
function thin(slots: number[], rng: Rng): number[] {
  const keep = Math.ceil(slots.length / 2);
  return slots.filter((_, i) => i < keep || rng.uniform(0, 1) < 0.8);
}

/** SLP from `start`; never returns a state worse than the (projected) start. */
export async function sequentialLp(start: Float64Array, options: SlpOptions): Promise<SlpResult> {
  const n = start.length;
  let h = projectCappedSimplex(start);
  const c = new Float64Array(2 * n - 1);
  const trial = new Float64Array(2 * n - 1);
  let best = exactC5(h, c);
  let radius = Math.min(MAX_RADIUS, options.radius);
  const width = Math.min(n, options.maxColumns ?? DEFAULT_MAX_COLUMNS);
  const cap = Math.max(8, Math.min(options.maxRows ?? 2 * n, Math.floor(COEFFICIENT_BUDGET / width)));
  let iterations = 0, accepted = 0;
  // An LP cannot be interrupted: one that would end past the deadline is not started.
  let lastLpMs = 0;
  const fits = () => options.deadline === undefined || Date.now() + lastLpMs < options.deadline;
  while (iterations < options.iterations && radius >= MIN_RADIUS && !pastDeadline(options) && fits()) {
    iterations++;
    const lpStarted = Date.now();
    // A shift further below the max than a step of this radius can lift it stays below.
    const band = Math.max(1e-9, 2 * radius);
    let slots = bandShifts(c, n, band, cap);
    if (options.rng && slots.length > 16) slots = thin(slots, options.rng);
    const columns = freeColumns(h, options.maxColumns ?? DEFAULT_MAX_COLUMNS, options.rng, iterations);
    if (
      options.deadline !== undefined &&
      lpStarted + slots.length * columns.length * SETUP_MS_PER_NONZERO >= options.deadline
    ) {
      iterations--; // not solved
      break;
    }
    const lower = Float64Array.from(columns, (j) => Math.max(-radius, -h[j]));
    const upper = Float64Array.from(columns, (j) => Math.min(radius, 1 - h[j]));
    const rows = linearise(h, c, slots, columns);
    const limit = SIMPLEX_ITERATIONS_PER_ROW_AND_COLUMN * (rows.length + columns.length);
    // Under a deadline the LP itself stops there (HiGHS's time limit) instead of overrunning it,
    // without presolve, which ignores the time limit (and saves nothing on these dense LPs).
    const d = await minimaxStep(rows, lower, upper, {
      simplexIterationLimit: limit,
      deadline: options.deadline,
      presolve: options.deadline === undefined,
    });
    lastLpMs = Date.now() - lpStarted;
    if (!d) {
      radius /= 2;
      continue;
    }
    const y = Float64Array.from(h);
    columns.forEach((j, i) => (y[j] += d[i]));
    const candidate = projectCappedSimplex(y);
    const value = exactC5(candidate, trial);
    if (value < best) {
      h = candidate;
      best = value;
      c.set(trial);
      accepted++;
      radius = Math.min(MAX_RADIUS, radius * 1.5);
    } else {
      radius /= 2;
    }
  }
  return { heights: h, value: best, iterations, accepted };
}
