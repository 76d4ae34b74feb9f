/**
 * Verifiers for the three autocorrelation constants (formulas: data/reference/README.md).
 * f is a step function with n equal pieces of heights a_i; c = a * a (length 2n - 1).
 *
 *   C1 (upper bound, a >= 0):   2n max_k c_k / (sum a)^2
 *   C2 (lower bound, a >= 0):   L2^2 / (L1 Linf) of the piecewise-linear f * f, where
 *       y = [0, c_0 .. c_{2n-2}, 0] on a grid of spacing h = 1/(2n):
 *       L2^2 = sum_j (h/3)(y_j^2 + y_j y_{j+1} + y_{j+1}^2), L1 = h sum|c|, Linf = max|c|
 *   C3 (upper bound, signed a): |2n max_k c_k / (sum a)^2|, the max of c, not of |c|.
 *       (C3' = 2n max|c| / (sum a)^2 is a different constant, best known 1.4688.)
 *
 * Input guards, as the published verifiers harden theirs: a list of finite numbers
 * (no booleans, NaN or infinities), at most MAX_PIECES long (checked before any work),
 * values clamped to [0, 1000] ([-1000, 1000] for C3), |sum| at least 0.01.
 * Everything is recomputed from the heights; nothing here throws.
 */
import type { Evaluation } from "../../lib/problem.ts";
import { invalid, rewardFor } from "../../lib/problem.ts";
import { autoconvolutionPlan, directAutoconvolution } from "./fft_convolution.ts";

export const MAX_PIECES = 200_000;
export const HEIGHT_LIMIT = 1000;
export const MIN_ABS_SUM = 0.01;

export type Variant = "ac1" | "ac2" | "ac3";
export type ConvolutionMethod = "fft" | "direct";

export type CheckedHeights =
  | { readonly ok: true; readonly heights: Float64Array; readonly sum: number; readonly clamped: number }
  | { readonly ok: false; readonly error: string };

function describe(x: unknown): string {
  if (x === null) return "null";
  if (Array.isArray(x)) return "array";
  return typeof x;
}

/** Accepts a bare array of heights or a state `{ heights: [...] }`. */
function heightsOf(input: unknown): unknown {
  if (input !== null && typeof input === "object" && !Array.isArray(input) && !ArrayBuffer.isView(input)) {
    return (input as { heights?: unknown }).heights;
  }
  return input;
}

/** Neumaier-compensated sum: the value is accurate to a few ulps whatever the order. */
export function compensatedSum(x: ArrayLike<number>, count = x.length): number {
  let s = 0, comp = 0;
  for (let i = 0; i < count; i++) {
    const v = x[i];
    const t = s + v;
    comp += Math.abs(s) >= Math.abs(v) ? (s - t) + v : (v - t) + s;
    s = t;
  }
  return s + comp;
}

/** The guards: type, size limit first, finiteness, clamping, and the sum floor. */
export function checkHeights(input: unknown, signed: boolean): CheckedHeights {
  const raw = heightsOf(input);
  const isTyped = raw instanceof Float64Array || raw instanceof Float32Array;
  if (!Array.isArray(raw) && !isTyped) {
    return { ok: false, error: `heights must be an array of numbers, got ${describe(raw)}` };
  }
  const values = raw as ArrayLike<unknown>;
  const n = values.length;
  if (n > MAX_PIECES) return { ok: false, error: `too many pieces: ${n} > size limit ${MAX_PIECES}` };
  if (n === 0) return { ok: false, error: "heights is empty: need at least 1 piece" };
  const low = signed ? -HEIGHT_LIMIT : 0;
  const heights = new Float64Array(n);
  let clamped = 0;
  for (let i = 0; i < n; i++) {
    const x = values[i];
    if (typeof x !== "number") return { ok: false, error: `height ${i} is not a number: ${describe(x)}` };
    if (Number.isNaN(x)) return { ok: false, error: `height ${i} is NaN` };
    if (!Number.isFinite(x)) return { ok: false, error: `height ${i} is not finite: ${x}` };
    const y = Math.min(HEIGHT_LIMIT, Math.max(low, x));
    if (y !== x) clamped++;
    heights[i] = y;
  }
  const sum = compensatedSum(heights);
  if (!(Math.abs(sum) >= MIN_ABS_SUM)) {
    return {
      ok: false,
      error:
        `sum of heights ${sum} is below ${MIN_ABS_SUM} in absolute value (after clamping to [${low}, ${HEIGHT_LIMIT}])`,
    };
  }
  return { ok: true, heights, sum, clamped };
}

/** c = a * a by FFT (the search) or by the defining double sum (certification). */
export function convolution(a: Float64Array, method: ConvolutionMethod): Float64Array {
  if (method === "direct") return directAutoconvolution(a);
  const c = new Float64Array(2 * a.length - 1);
  autoconvolutionPlan(a.length).convolve(a, c);
  return c;
}

export function argmax(c: ArrayLike<number>): number {
  let at = 0;
  for (let k = 1; k < c.length; k++) if (c[k] > c[at]) at = k;
  return at;
}

export interface SecondNorms {
  readonly l2sq: number;
  readonly l1: number;
  readonly linf: number;
}

/** Adds v to a Neumaier-compensated running sum held as [sum, compensation]. */
function accumulate(acc: Float64Array, v: number): void {
  const s = acc[0], t = s + v;
  acc[1] += Math.abs(s) >= Math.abs(v) ? (s - t) + v : (v - t) + s;
  acc[0] = t;
}

/** The exact piecewise-linear norms of f * f from its grid values c (compensated sums, one pass). */
export function secondNorms(c: ArrayLike<number>): SecondNorms {
  const m = c.length; // 2n - 1
  const h = 1 / (m + 1);
  const l2 = new Float64Array(2), l1 = new Float64Array(2);
  let prev = 0, linf = 0;
  for (let j = 0; j <= m; j++) {
    const next = j < m ? c[j] : 0;
    accumulate(l2, prev * prev + prev * next + next * next);
    const abs = Math.abs(next);
    accumulate(l1, abs);
    if (abs > linf) linf = abs;
    prev = next;
  }
  return { l2sq: (h / 3) * (l2[0] + l2[1]), l1: h * (l1[0] + l1[1]), linf };
}

/** The published constant of one variant; never throws. */
export function evaluateVariant(
  variant: Variant,
  input: unknown,
  method: ConvolutionMethod = "fft",
): Evaluation {
  try {
    const checked = checkHeights(input, variant === "ac3");
    if (!checked.ok) return invalid(checked.error);
    const { heights: a, sum, clamped } = checked;
    const n = a.length;
    const c = convolution(a, method);
    const at = argmax(c);
    const base = { n, method, clamped, sum };
    if (variant === "ac2") {
      const { l2sq, l1, linf } = secondNorms(c);
      const value = l2sq / (l1 * linf);
      if (!(Number.isFinite(value) && value > 0)) return invalid(`C2 is not a positive number: ${value}`);
      return {
        valid: true,
        value,
        reward: rewardFor("maximize", value),
        details: { ...base, l2sq, l1, linf },
      };
    }
    const value = Math.abs((2 * n * c[at]) / (sum * sum));
    if (!(Number.isFinite(value) && value > 0)) {
      return invalid(`the constant is not a positive number: ${value}`);
    }
    return {
      valid: true,
      value,
      reward: rewardFor("minimize", value),
      details: { ...base, argmax: at, maxConvolution: c[at] },
    };
  } catch (e) {
    return invalid(`verifier failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export const evaluateC1 = (input: unknown) => evaluateVariant("ac1", input);
export const evaluateC2 = (input: unknown) => evaluateVariant("ac2", input);
export const evaluateC3 = (input: unknown) => evaluateVariant("ac3", input);
