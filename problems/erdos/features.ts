/** What the built-in policy sees of an Erdős state: a fixed-length, O(1)-scale vector. */
import type { Evaluation } from "../../lib/problem.ts";
import { overlapPlan } from "./overlap.ts";
import type { ErdosState } from "./state.ts";
import { rescaleHeights } from "./verifier.ts";

export const FEATURE_NAMES = [
  "log2(n)/10",
  "(C5-0.38)*100, clipped",
  "shifts within 1e-4 of max",
  "shifts within 1e-6 of max",
  "roughness: mean |h[i+1]-h[i]|",
  "fraction at 0",
  "fraction at 1",
  "asymmetry: mean |h - reverse(h)|",
  "argmax shift / n",
  "centre of mass - 1/2",
] as const;

const clip = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

export function erdosFeatures(state: ErdosState, evaluation: Evaluation): number[] {
  const rescaled = rescaleHeights(state);
  const value = evaluation.valid && evaluation.value !== null ? evaluation.value : 0.43;
  if (!rescaled.ok) return [0, clip((value - 0.38) * 100, -1, 5), 0, 0, 0, 0, 0, 0, 0, 0];
  const h = rescaled.heights;
  const n = h.length;
  const c = new Float64Array(2 * n - 1);
  overlapPlan(n).correlations(h, c);
  let max = -Infinity, at = 0;
  for (let j = 0; j < c.length; j++) if (c[j] > max) [max, at] = [c[j], j];
  let near4 = 0, near6 = 0;
  for (let j = 0; j < c.length; j++) {
    const gap = (2 / n) * (max - c[j]);
    if (gap <= 1e-4) near4++;
    if (gap <= 1e-6) near6++;
  }
  let rough = 0, zeros = 0, ones = 0, asym = 0, moment = 0;
  for (let i = 0; i < n; i++) {
    if (i + 1 < n) rough += Math.abs(h[i + 1] - h[i]);
    if (h[i] <= 1e-9) zeros++;
    if (h[i] >= 1 - 1e-9) ones++;
    asym += Math.abs(h[i] - h[n - 1 - i]);
    moment += (i + 0.5) * h[i];
  }
  return [
    Math.log2(n) / 10,
    clip((value - 0.38) * 100, -1, 5),
    near4 / c.length,
    near6 / c.length,
    rough / (n - 1),
    zeros / n,
    ones / n,
    asym / n,
    (at - (n - 1)) / n,
    moment / (n / 2) / n - 0.5,
  ];
}
