/** Figures of an Erdős construction: the step function and its overlap curve. */
import { overlapPlot, stepFunctionPlot } from "../../lib/plot.ts";
import { DIRECT_BELOW, directOverlaps, overlapPlan } from "./overlap.ts";
import type { ErdosState } from "./state.ts";
import { rescaleHeights } from "./verifier.ts";

/** M(x_k) = (2/n) sum_i h_{i+k}(1 - h_i) at every shift k; its maximum is C5. */
export function overlapCurve(state: ErdosState): number[] {
  const rescaled = rescaleHeights(state);
  if (!rescaled.ok) throw new Error(rescaled.error);
  const h = rescaled.heights;
  const n = h.length;
  const c = new Float64Array(2 * n - 1);
  if (n < DIRECT_BELOW) directOverlaps(h, c);
  else overlapPlan(n).correlations(h, c);
  return Array.from(c, (v) => (2 / n) * v);
}

export function erdosFigures(state: ErdosState): string[] {
  const rescaled = rescaleHeights(state);
  if (!rescaled.ok) return [];
  const n = rescaled.heights.length;
  return [
    stepFunctionPlot([...rescaled.heights], `h: ${n} pieces on [0, 2], rescaled to integral 1`),
    overlapPlot(overlapCurve(state), { title: "overlap M(x) = ∫ h(t)(1 - h(t + x)) dt", label: "M(x)" }),
  ];
}
