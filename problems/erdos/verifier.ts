/**
 * The Erdős minimum overlap verifier. Input: heights of n equal pieces on [0, 2].
 * The heights are rescaled so that sum(h) = n/2 (the function has integral 1), must
 * then lie in [0, 1], and C5 = (2/n) max_k sum_i h_{i+k} (1 - h_i).
 *
 * It recomputes everything from the heights and never throws: bad input gives
 * valid: false with an error that says what is wrong.
 */
import type { Evaluation } from "../../lib/problem.ts";
import { invalid, rewardFor } from "../../lib/problem.ts";
import { argmaxShift, DIRECT_BELOW, directOverlaps, overlapPlan } from "./overlap.ts";

export const MIN_PIECES = 2;
export const MAX_PIECES = 100_000;

export type OverlapMethod = "fft" | "direct";

export type RescaledHeights =
  | { readonly ok: true; readonly heights: Float64Array }
  | { readonly ok: false; readonly error: string };

/** Accepts a bare array of heights or a state `{ heights: [...] }`. */
function heightsOf(input: unknown): unknown {
  if (input !== null && typeof input === "object" && !Array.isArray(input) && !ArrayBuffer.isView(input)) {
    return (input as { heights?: unknown }).heights;
  }
  return input;
}

function describe(x: unknown): string {
  if (x === null) return "null";
  if (Array.isArray(x)) return "array";
  return typeof x;
}

/**
 * Checks the input and returns the heights rescaled to sum n/2. Strict: after
 * rescaling every height must be in [0, 1] exactly, with no tolerance.
 */
export function rescaleHeights(input: unknown): RescaledHeights {
  const raw = heightsOf(input);
  const isTyped = raw instanceof Float64Array || raw instanceof Float32Array;
  if (!Array.isArray(raw) && !isTyped) {
    return { ok: false, error: `heights must be an array of numbers, got ${describe(raw)}` };
  }
  // Each element is read exactly once, into a copy; every check and the computation use the copy.
  // An array whose getters (or a Proxy) change their answer between check and use gains nothing.
  const values = raw as ArrayLike<unknown>;
  const n = Number(values.length);
  if (!Number.isInteger(n)) return { ok: false, error: `heights has no whole length: ${n}` };
  if (n === 0) return { ok: false, error: "heights is empty: need at least 2 pieces" };
  if (n < MIN_PIECES) return { ok: false, error: `too few pieces: ${n} < ${MIN_PIECES}` };
  if (!(n <= MAX_PIECES)) return { ok: false, error: `too many pieces: ${n} > size limit ${MAX_PIECES}` };
  const heights = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = values[i];
    if (typeof x !== "number") return { ok: false, error: `height ${i} is not a number: ${describe(x)}` };
    heights[i] = x;
  }
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const x = heights[i];
    if (Number.isNaN(x)) return { ok: false, error: `height ${i} is NaN` };
    if (!Number.isFinite(x)) return { ok: false, error: `height ${i} is not finite: ${x}` };
    if (x < 0) return { ok: false, error: `height ${i} is negative: ${x}` };
    sum += x;
  }
  if (!(sum > 0)) {
    return { ok: false, error: "all heights are zero: the function must have positive integral" };
  }
  if (!Number.isFinite(sum)) return { ok: false, error: "the heights' sum overflows" };
  const factor = (n / 2) / sum;
  for (let i = 0; i < n; i++) {
    const y = heights[i] * factor;
    if (y > 1) {
      return {
        ok: false,
        error: `height ${i} is ${y} > 1 after rescaling to sum n/2 (the function must lie in [0, 1])`,
      };
    }
    heights[i] = y;
  }
  return { ok: true, heights };
}

/** C5 of heights already rescaled (and checked) by `rescaleHeights`. */
export function overlapConstant(
  heights: Float64Array,
  method: OverlapMethod | "auto" = "auto",
): { c5: number; shift: number; method: OverlapMethod } {
  const n = heights.length;
  const chosen: OverlapMethod = method === "auto" ? (n < DIRECT_BELOW ? "direct" : "fft") : method;
  const c = new Float64Array(2 * n - 1);
  if (chosen === "fft") overlapPlan(n).correlations(heights, c);
  else directOverlaps(heights, c);
  const { max, shift } = argmaxShift(c, n);
  return { c5: (2 / n) * max, shift, method: chosen };
}

function evaluateWith(input: unknown, method: OverlapMethod | "auto"): Evaluation {
  const rescaled = rescaleHeights(input);
  if (!rescaled.ok) return invalid(rescaled.error);
  const { c5, shift, method: used } = overlapConstant(rescaled.heights, method);
  if (!Number.isFinite(c5) || c5 <= 0) return invalid(`overlap constant is not positive: ${c5}`);
  return {
    valid: true,
    value: c5,
    reward: rewardFor("minimize", c5),
    details: { n: rescaled.heights.length, argmaxShift: shift, method: used },
  };
}

/** The verifier used by the search: FFT for all but small n. Never throws. */
export function evaluateHeights(input: unknown): Evaluation {
  try {
    return evaluateWith(input, "auto");
  } catch (e) {
    return invalid(`verifier failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** The certifying verifier: the defining O(n^2) sum, term by term. Never throws. */
export function certifyOverlap(input: unknown): Evaluation {
  try {
    return evaluateWith(input, "direct");
  } catch (e) {
    return invalid(`verifier failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** FFT-only evaluation, for tests and benchmarks that must exercise the fast path at any n. */
export function evaluateHeightsByFFT(input: unknown): Evaluation {
  try {
    return evaluateWith(input, "fft");
  } catch (e) {
    return invalid(`verifier failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}
