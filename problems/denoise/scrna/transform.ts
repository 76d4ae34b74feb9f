/**
 * Variance-stabilising transforms and library-size normalisation, in both orders
 * the OpenProblems MAGIC / ALRA wrappers use:
 *   standard: x / L (L = cell total), then f;     undo: f⁻¹(y) · L
 *   reversed: f(x), then divided by its own total L' = Σ f(x);   undo: f⁻¹(y) · L'
 * ("inexplicably, this sometimes performs better", as the benchmark's code says).
 */
import { type Csr, type Dense, dense } from "./matrix.ts";

export const TRANSFORMS = ["sqrt", "log1p", "anscombe", "freeman-tukey"] as const;
export type Transform = typeof TRANSFORMS[number];
export const NORM_ORDERS = ["standard", "reversed"] as const;
export type NormOrder = typeof NORM_ORDERS[number];
/** Cell totals scaled to 1 (scprep's rescale=1, as the benchmark) or to the median total. */
export const LIBRARY_SCALES = ["unit", "median"] as const;
export type LibraryScale = typeof LIBRARY_SCALES[number];

export function forward(t: Transform, x: number): number {
  switch (t) {
    case "sqrt":
      return Math.sqrt(x);
    case "log1p":
      return Math.log1p(x);
    case "anscombe":
      return 2 * Math.sqrt(x + 0.375);
    case "freeman-tukey":
      return Math.sqrt(x) + Math.sqrt(x + 1);
  }
}

/** Algebraic inverse, clamped to the transform's range so the result is never negative. */
export function inverse(t: Transform, y: number): number {
  switch (t) {
    case "sqrt":
      return y > 0 ? y * y : 0;
    case "log1p":
      return y > 0 ? Math.expm1(y) : 0;
    case "anscombe":
      return Math.max(0, (y / 2) ** 2 - 0.375);
    case "freeman-tukey": {
      if (y <= 1) return 0;
      const r = (y * y - 1) / (2 * y);
      return r * r;
    }
  }
}

export interface Normalised {
  /** The transformed, normalised cells x genes matrix the smoother works on. */
  readonly values: Dense;
  /** Per-cell factor that undoes the normalisation after f⁻¹. */
  readonly factors: Float64Array;
  readonly transform: Transform;
}

function median(values: Float64Array): number {
  const s = Float64Array.from(values).sort();
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}

export function normalise(
  counts: Csr,
  transform: Transform,
  order: NormOrder,
  scale: LibraryScale = "unit",
): Normalised {
  const n = counts.rows, g = counts.cols;
  const values = dense(n, g);
  const v = values.data;
  const totals = new Float64Array(n);
  const raw = new Float64Array(g);
  for (let i = 0; i < n; i++) {
    raw.fill(0);
    for (let e = counts.indptr[i]; e < counts.indptr[i + 1]; e++) raw[counts.indices[e]] = counts.data[e];
    let total = 0;
    if (order === "standard") {
      for (let j = 0; j < g; j++) total += raw[j];
    } else {
      for (let j = 0; j < g; j++) total += forward(transform, raw[j]);
    }
    totals[i] = total;
    const base = i * g;
    for (let j = 0; j < g; j++) v[base + j] = order === "standard" ? raw[j] : forward(transform, raw[j]);
  }
  const target = scale === "median" ? median(totals) : 1;
  const factors = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const s = totals[i] > 0 ? target / totals[i] : 0;
    factors[i] = totals[i] > 0 ? totals[i] / target : 0;
    const base = i * g;
    if (order === "standard") {
      for (let j = 0; j < g; j++) v[base + j] = forward(transform, v[base + j] * s);
    } else {
      for (let j = 0; j < g; j++) v[base + j] *= s;
    }
  }
  return { values, factors, transform };
}

/** Back to counts: f⁻¹ entrywise, times each cell's factor. */
export function denormalise(y: Dense, norm: Normalised): Dense {
  const out = dense(y.rows, y.cols);
  for (let i = 0; i < y.rows; i++) {
    const base = i * y.cols, f = norm.factors[i];
    for (let j = 0; j < y.cols; j++) out.data[base + j] = inverse(norm.transform, y.data[base + j]) * f;
  }
  return out;
}
