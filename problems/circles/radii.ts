/**
 * Radii for fixed centres: the exact LP (HiGHS)
 *   maximise sum r  s.t.  r_i + r_j <= d_ij,  0 <= r_i <= min(x_i, 1 - x_i, y_i, 1 - y_i),
 * then a repair of the few constraints the LP's tolerance leaves violated (by up to ~1e-10,
 * in nearly degenerate packings), then a shrink by a few ulps until the strict verifier
 * accepts (rounding of d_ij can leave violations of about 1e-16).
 */
import { solveTightLp } from "./lp.ts";
import { firstViolation } from "./verifier.ts";

export async function optimalRadii(xs: Float64Array, ys: Float64Array): Promise<Float64Array | null> {
  const n = xs.length;
  const pairs = (n * (n - 1)) / 2;
  const starts = new Int32Array(pairs + 1);
  const indices = new Int32Array(2 * pairs);
  const values = new Float64Array(2 * pairs).fill(1);
  const rowLower = new Float64Array(pairs).fill(-Infinity);
  const rowUpper = new Float64Array(pairs);
  let row = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      indices[2 * row] = i;
      indices[2 * row + 1] = j;
      rowUpper[row] = Math.hypot(xs[i] - xs[j], ys[i] - ys[j]);
      starts[++row] = 2 * row;
    }
  }
  const colLower = new Float64Array(n);
  const colUpper = Float64Array.from(xs, (x, i) => Math.max(0, Math.min(x, 1 - x, ys[i], 1 - ys[i])));
  const colCost = new Float64Array(n).fill(-1);
  const solution = await solveTightLp({
    numCols: n,
    colCost,
    colLower,
    colUpper,
    rowLower,
    rowUpper,
    starts,
    indices,
    values,
  });
  if (!solution) return null;
  return repaired(xs, ys, Float64Array.from(solution, (v, i) => Math.min(colUpper[i], Math.max(0, v))));
}

/**
 * Each radius lowered just enough for its own constraints, in turn (later circles see the
 * lowered ones), then raised into any slack left: the cost is the violations actually present,
 * not n times the largest, as a uniform shrink would pay.
 */
function repaired(xs: Float64Array, ys: Float64Array, r: Float64Array): Float64Array {
  const n = xs.length;
  const room = (i: number) => {
    let m = Math.max(0, Math.min(xs[i], 1 - xs[i], ys[i], 1 - ys[i]));
    for (let j = 0; j < n; j++) if (j !== i) m = Math.min(m, Math.hypot(xs[i] - xs[j], ys[i] - ys[j]) - r[j]);
    return Math.max(0, m);
  };
  for (let i = 0; i < n; i++) r[i] = Math.min(r[i], room(i));
  for (let i = 0; i < n; i++) r[i] = room(i);
  return r;
}

/** A feasible start without an LP: each radius is the wall gap or half the nearest centre distance. */
export function halfGapRadii(xs: Float64Array, ys: Float64Array): Float64Array {
  return Float64Array.from(xs, (x, i) => {
    let r = Math.max(0, Math.min(x, 1 - x, ys[i], 1 - ys[i]));
    for (let j = 0; j < xs.length; j++) {
      if (j !== i) r = Math.min(r, Math.hypot(x - xs[j], ys[i] - ys[j]) / 2);
    }
    return r;
  });
}

/** Lowers every radius by delta = 1e-15, 2e-15, 4e-15, ... until the exact check passes. */
export function strictlyValid(xs: Float64Array, ys: Float64Array, radii: Float64Array): Float64Array {
  if (firstViolation(xs, ys, radii) === null) return radii;
  for (let delta = 1e-15; delta < 1e-3; delta *= 2) {
    const shrunk = radii.map((r) => Math.max(0, r - delta));
    if (firstViolation(xs, ys, shrunk) === null) return shrunk;
  }
  throw new Error("could not shrink the radii into a valid packing");
}

/** Centres clamped into the square, LP radii, then the strict shrink. */
export async function settleRadii(xs: Float64Array, ys: Float64Array): Promise<Float64Array> {
  for (let i = 0; i < xs.length; i++) {
    xs[i] = Math.min(1, Math.max(0, xs[i]));
    ys[i] = Math.min(1, Math.max(0, ys[i]));
  }
  const r = await optimalRadii(xs, ys);
  if (!r) throw new Error("radii LP did not reach optimality");
  return strictlyValid(xs, ys, r);
}
