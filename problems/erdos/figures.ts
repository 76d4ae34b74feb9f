/** Figures of an Erdős construction: the step function and its overlap curve. */
import * as Plot from "@observablehq/plot";
import { ACCENT, emptyNote, formatNumber, renderPlot, stackFigures } from "../../lib/plot.ts";
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

/** The figures of report.svg: the rescaled step function and its overlap curve. */
export function erdosFigures(state: ErdosState): string[] {
  const rescaled = rescaleHeights(state);
  if (!rescaled.ok) return [];
  const n = rescaled.heights.length;
  return [
    stepFunctionPlot([...rescaled.heights], `h: ${n} pieces on [0, 2], rescaled to integral 1`),
    overlapPlot(overlapCurve(state), { title: "overlap M(x) = ∫ h(t)(1 - h(t + x)) dt", label: "M(x)" }),
  ];
}

/** The step function h on [0, 2] with equal pieces. */
export function stepFunctionPlot(heights: readonly number[], title?: string): string {
  const n = heights.length;
  const points = heights.map((h, i) => ({ x: (2 * i) / n, h }));
  if (n > 0) points.push({ x: 2, h: heights[n - 1] }); // "step-after" needs the right end of the last piece
  return stackFigures([
    renderPlot({
      height: 260,
      x: { domain: [0, 2], label: "x", labelArrow: "none" },
      y: { label: "h(x)", labelArrow: "none", grid: true },
      marks: [
        ...emptyNote(n, "no heights"),
        Plot.areaY(points, { x: "x", y: "h", curve: "step-after", fill: "steelblue", fillOpacity: 0.25 }),
        Plot.lineY(points, { x: "x", y: "h", curve: "step-after", stroke: "steelblue" }),
        Plot.ruleY([0]),
      ],
    }),
  ], title);
}

/** How overlapPlot labels its curve. */
export interface OverlapOptions {
  /** A heading above the figure. */
  title?: string;
  /** Name of the curve, for the y axis; default "overlap M". */
  label?: string;
}

/**
 * The overlap curve over shifts, with its maximum marked. Entry k of 2n - 1 is the shift by
 * k - (n - 1) pieces of width 2/n, so x runs over (-2, 2).
 */
export function overlapPlot(overlap: readonly number[], options: OverlapOptions = {}): string {
  const count = overlap.length;
  const points = overlap.map((m, k) => ({ x: ((k - (count - 1) / 2) * 4) / (count + 1), m }));
  const peak = points.filter((point) => Number.isFinite(point.m)).reduce<typeof points[number] | undefined>(
    (top, point) => top === undefined || point.m > top.m ? point : top,
    undefined,
  );
  const label = options.label ?? "overlap M";
  return stackFigures([
    renderPlot({
      height: 260,
      marginRight: 30,
      x: { domain: [-2, 2], label: "shift x", labelArrow: "none" },
      y: { label, labelArrow: "none", grid: true },
      marks: [
        ...emptyNote(count, "no overlap values"),
        Plot.lineY(points, { x: "x", y: "m", stroke: "steelblue" }),
        ...(peak === undefined ? [] : [
          Plot.ruleX([peak], { x: "x", stroke: ACCENT, strokeDasharray: "4,3" }),
          Plot.dot([peak], { x: "x", y: "m", fill: ACCENT, r: 4 }),
          Plot.text([peak], {
            x: "x",
            y: "m",
            text: (point: { x: number; m: number }) =>
              `max ${formatNumber(point.m)} at x = ${formatNumber(point.x)}`,
            dy: -10,
            fill: ACCENT,
          }),
        ]),
      ],
    }),
  ], options.title);
}
