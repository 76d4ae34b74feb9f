/**
 * The circle-packing verifier: n circles in the unit square, value = sum of radii.
 * Zero tolerance, decided exactly on the float64 inputs (exact.ts):
 *   inside: r <= x, x + r <= 1, r <= y, y + r <= 1   (r <= x is exact as a float comparison;
 *           x + r <= 1 is decided with an error-free sum);
 *   no overlap: (r_i + r_j)^2 <= (x_i - x_j)^2 + (y_i - y_j)^2, in exact integer arithmetic
 *           for every pair that a float filter (margin 1e-12, far above rounding) cannot settle.
 * Touching is allowed. The largest violation in floating point (the "tolerance" a lenient
 * verifier would need) is reported separately in details.maxViolation. Never throws.
 */
import type { Evaluation } from "../../lib/problem.ts";
import { invalid, rewardFor } from "../../lib/problem.ts";
import { exactlyDisjoint, exactSumAtMostOne } from "./exact.ts";

/** Pairs whose float margin exceeds this are settled without exact arithmetic. */
const FILTER_MARGIN = 1e-12;

function describe(x: unknown): string {
  if (x === null) return "null";
  if (Array.isArray(x)) return "array";
  return typeof x;
}

function isNumber(x: unknown): x is number {
  return typeof x === "number" && Number.isFinite(x);
}

export interface Violation {
  readonly maxViolation: number;
  readonly worst: string;
}

/** The largest float violation over all constraints (negative: the smallest slack). */
export function maxViolation(xs: ArrayLike<number>, ys: ArrayLike<number>, rs: ArrayLike<number>): Violation {
  const n = rs.length;
  let worst = -Infinity, at = "";
  const see = (v: number, what: string) => {
    if (v > worst) [worst, at] = [v, what];
  };
  for (let i = 0; i < n; i++) {
    see(rs[i] - xs[i], `circle ${i} left wall`);
    see(xs[i] + rs[i] - 1, `circle ${i} right wall`);
    see(rs[i] - ys[i], `circle ${i} bottom wall`);
    see(ys[i] + rs[i] - 1, `circle ${i} top wall`);
    for (let j = i + 1; j < n; j++) {
      see(rs[i] + rs[j] - Math.hypot(xs[i] - xs[j], ys[i] - ys[j]), `circles ${i}, ${j}`);
    }
  }
  return { maxViolation: worst, worst: at };
}

/** The exact geometric check of one packing, without shape checks; the first failure, or null. */
export function firstViolation(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  rs: ArrayLike<number>,
): string | null {
  const n = rs.length;
  for (let i = 0; i < n; i++) {
    const x = xs[i], y = ys[i], r = rs[i];
    if (!(r <= x) || !exactSumAtMostOne(x, r) || !(r <= y) || !exactSumAtMostOne(y, r)) {
      return `circle ${i} (x=${x}, y=${y}, r=${r}) is not inside the unit square`;
    }
  }
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dx = xs[i] - xs[j], dy = ys[i] - ys[j], s = rs[i] + rs[j];
      const gap = dx * dx + dy * dy - s * s;
      if (gap > FILTER_MARGIN) continue;
      if (gap < -FILTER_MARGIN || !exactlyDisjoint(xs[i], ys[i], rs[i], xs[j], ys[j], rs[j])) {
        return `circles ${i} and ${j} overlap: r_i + r_j = ${s} > distance ${Math.sqrt(dx * dx + dy * dy)}`;
      }
    }
  }
  return null;
}

/** The verifier for a fixed circle count. */
export function evaluateCircles(count: number, input: unknown): Evaluation {
  try {
    if (input === null || typeof input !== "object" || Array.isArray(input)) {
      return invalid(`a packing must be { centers: [x, y][], radii: number[] }, got ${describe(input)}`);
    }
    const { centers, radii } = input as { centers?: unknown; radii?: unknown };
    if (!Array.isArray(centers)) return invalid(`centers must be an array, got ${describe(centers)}`);
    if (!Array.isArray(radii)) return invalid(`radii must be an array, got ${describe(radii)}`);
    if (centers.length !== count) return invalid(`need exactly ${count} centers, got ${centers.length}`);
    if (radii.length !== count) return invalid(`need exactly ${count} radii, got ${radii.length}`);
    const xs = new Float64Array(count), ys = new Float64Array(count), rs = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      const c = centers[i];
      if (!Array.isArray(c) || c.length !== 2) return invalid(`center ${i} must be a pair [x, y]`);
      if (!isNumber(c[0]) || !isNumber(c[1])) {
        return invalid(
          `center ${i} must hold finite numbers, got [${describe(c[0])} ${c[0]}, ${describe(c[1])} ${c[1]}]`,
        );
      }
      const r = radii[i];
      if (!isNumber(r)) return invalid(`radius ${i} is not a finite number: ${describe(r)} ${r}`);
      if (r < 0) return invalid(`radius ${i} is negative: ${r}`);
      [xs[i], ys[i], rs[i]] = [c[0], c[1], r];
    }
    const tolerance = maxViolation(xs, ys, rs);
    const failure = firstViolation(xs, ys, rs);
    if (failure) return invalid(failure, { ...tolerance });
    let sum = 0, comp = 0;
    for (const r of rs) {
      const t = sum + r;
      comp += (sum - t) + r;
      sum = t;
    }
    const value = sum + comp;
    if (!(value > 0)) return invalid("all radii are zero");
    return { valid: true, value, reward: rewardFor("maximize", value), details: { n: count, ...tolerance } };
  } catch (e) {
    return invalid(`verifier failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}
