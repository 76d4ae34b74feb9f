/**
 * Polish by sequential linear programming, centres and radii together. Each step solves
 *   maximise sum r  s.t.  r_i + r_j <= d_ij + u_ij . (dp_i - dp_j)   (every pair),
 *                         r_i <= x_i + dx_i, r_i <= 1 - x_i - dx_i (and y),  |dx|, |dy| <= trust
 * with u_ij the unit vector from j to i. The distance is convex, so its tangent never exceeds
 * it: every LP solution is a feasible packing (up to rounding), the sum never falls, and the
 * method converges to a KKT point at the LP solver's precision, which the penalty method
 * cannot reach. The trust radius shrinks when a step gains nothing.
 */
import { solveTightLp } from "./lp.ts";
import type { Packing } from "./packing.ts";

export interface PolishOptions {
  /** Most LP steps. */
  readonly iterations: number;
  /** First trust radius on each centre coordinate. */
  readonly trust: number;
  readonly deadline?: number;
}

export interface PolishResult {
  readonly steps: number;
  /** The sum of radii of the polished packing (as the LP found it, before the strict shrink). */
  readonly value: number;
}

/** One LP step from the packing's centres; the new centres and radii, or null if HiGHS failed. */
async function step(p: Packing, trust: number): Promise<Packing | null> {
  const n = p.xs.length;
  const pairs = (n * (n - 1)) / 2;
  const rows = pairs + 4 * n;
  const starts = new Int32Array(rows + 1);
  const indices = new Int32Array(6 * pairs + 8 * n);
  const values = new Float64Array(6 * pairs + 8 * n);
  const rowLower = new Float64Array(rows).fill(-Infinity);
  const rowUpper = new Float64Array(rows);
  let row = 0, k = 0;
  const put = (col: number, value: number) => {
    indices[k] = col;
    values[k++] = value;
  };
  // Columns: dx_i = i, dy_i = n + i, r_i = 2n + i.
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dx = p.xs[i] - p.xs[j], dy = p.ys[i] - p.ys[j];
      const d = Math.hypot(dx, dy);
      const ux = d > 0 ? dx / d : 0, uy = d > 0 ? dy / d : 0;
      put(2 * n + i, 1), put(2 * n + j, 1), put(i, -ux), put(j, ux), put(n + i, -uy), put(n + j, uy);
      rowUpper[row] = d;
      starts[++row] = k;
    }
  }
  for (let i = 0; i < n; i++) {
    for (
      const [col, sign, bound] of [[i, -1, p.xs[i]], [i, 1, 1 - p.xs[i]], [n + i, -1, p.ys[i]], [
        n + i,
        1,
        1 - p.ys[i],
      ]]
    ) {
      put(2 * n + i, 1), put(col, sign);
      rowUpper[row] = bound;
      starts[++row] = k;
    }
  }
  const colLower = new Float64Array(3 * n),
    colUpper = new Float64Array(3 * n),
    colCost = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) {
    colLower[i] = Math.max(-trust, -p.xs[i]);
    colUpper[i] = Math.min(trust, 1 - p.xs[i]);
    colLower[n + i] = Math.max(-trust, -p.ys[i]);
    colUpper[n + i] = Math.min(trust, 1 - p.ys[i]);
    colUpper[2 * n + i] = 0.5;
    colCost[2 * n + i] = -1;
  }
  const x = await solveTightLp({
    numCols: 3 * n,
    colCost,
    colLower,
    colUpper,
    rowLower,
    rowUpper,
    starts,
    indices,
    values,
  });
  if (!x || !x.every(Number.isFinite)) return null;
  return {
    xs: p.xs.map((v, i) => Math.min(1, Math.max(0, v + x[i]))),
    ys: p.ys.map((v, i) => Math.min(1, Math.max(0, v + x[n + i]))),
    rs: Float64Array.from({ length: n }, (_, i) => Math.max(0, x[2 * n + i])),
  };
}

const sum = (a: Float64Array) => a.reduce((s, v) => s + v, 0);

/**
 * Polishes the packing in place. The radii it leaves are the last LP's (feasible up to
 * rounding); the caller settles them exactly. Stops when the trust radius falls below 1e-12.
 */
export async function polish(p: Packing, options: PolishOptions): Promise<PolishResult> {
  let trust = options.trust;
  let value = -Infinity;
  let steps = 0;
  for (; steps < options.iterations && trust > 1e-12; steps++) {
    if (options.deadline !== undefined && Date.now() >= options.deadline) break;
    const next = await step(p, trust);
    if (!next) {
      trust /= 4;
      continue;
    }
    const gain = sum(next.rs) - value;
    if (!(gain > 1e-15)) {
      // The LP found nothing better within this radius: the tangent error dominates, shrink.
      trust /= 4;
      continue;
    }
    [p.xs, p.ys, p.rs] = [next.xs, next.ys, next.rs];
    value = sum(next.rs);
  }
  return { steps, value };
}
