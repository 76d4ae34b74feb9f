/** What the built-in policy sees of an autocorrelation state: a fixed-length, O(1)-scale vector. */
import type { Evaluation } from "../../lib/problem.ts";
import type { HeightsState } from "./state.ts";
import { argmax, checkHeights, convolution, type Variant } from "./verifier.ts";

export const FEATURE_NAMES = [
  "log2(n)/12",
  "(value - baseline) x 20, clipped",
  "positions within 1e-3 of max",
  "positions within 1e-5 of max",
  "roughness: mean |a[i+1]-a[i]| / mean |a|",
  "fraction of zero heights",
  "fraction of negative heights",
  "argmax position / (2n - 1) - 1/2",
] as const;

/** Values near which the features are centred (the records, roughly). */
const BASELINE: Record<Variant, number> = { ac1: 1.5, ac2: 0.95, ac3: 1.46 };

const clip = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

export function autocorrelationFeatures(
  variant: Variant,
  state: HeightsState,
  evaluation: Evaluation,
): number[] {
  const value = evaluation.valid && evaluation.value !== null ? evaluation.value : BASELINE[variant] + 0.1;
  const shifted = clip((value - BASELINE[variant]) * 20, -2, 2);
  const checked = checkHeights(state, variant === "ac3");
  if (!checked.ok) return [0, shifted, 0, 0, 0, 0, 0, 0];
  const a = checked.heights;
  const n = a.length;
  const c = convolution(a, "fft");
  const at = argmax(c);
  const max = Math.abs(c[at]) || 1;
  let near3 = 0, near5 = 0;
  for (let k = 0; k < c.length; k++) {
    const gap = (c[at] - c[k]) / max;
    if (gap <= 1e-3) near3++;
    if (gap <= 1e-5) near5++;
  }
  let rough = 0, zeros = 0, negatives = 0, mass = 0;
  for (let i = 0; i < n; i++) {
    if (i + 1 < n) rough += Math.abs(a[i + 1] - a[i]);
    if (a[i] === 0) zeros++;
    if (a[i] < 0) negatives++;
    mass += Math.abs(a[i]);
  }
  return [
    Math.log2(n) / 12,
    shifted,
    near3 / c.length,
    near5 / c.length,
    clip(n > 1 ? rough / (n - 1) / (mass / n) : 0, 0, 4),
    zeros / n,
    negatives / n,
    at / Math.max(1, c.length - 1) - 0.5,
  ];
}
