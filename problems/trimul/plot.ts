/**
 * Figures of a TriMul state: speed-up per shape as a bar chart, rendered like
 * lib/plot.ts's figures, with its renderer (standalone SVG, white background).
 */
import * as Plot from "@observablehq/plot";
import { renderPlot } from "../../lib/plot.ts";
import { speedups } from "./harness.ts";
import { shapeLabel } from "./shapes.ts";
import type { TriMulState } from "./state.ts";

export interface Bar {
  readonly label: string;
  readonly value: number;
  /** Optional series, drawn side by side within a label (e.g. two kernels). */
  readonly series?: string;
}

/** Bars per label (side by side per series), their values printed, a dashed line at 1 (no speed-up). */
export function barChart(bars: readonly Bar[], options: { title?: string; yLabel?: string } = {}): string {
  const grouped = bars.some((b) => b.series !== undefined);
  const text = (d: Bar) => (d.value >= 10 ? d.value.toFixed(0) : d.value.toFixed(1));
  const position = grouped ? { fx: "label", x: "series" } : { x: "label" };
  return renderPlot({
    height: 320,
    marginTop: options.title ? 40 : 20,
    marginBottom: 40,
    y: { label: options.yLabel ?? "speed-up over the baseline (x)", grid: true },
    x: { label: null },
    fx: grouped ? { label: null } : undefined,
    marks: [
      Plot.barY(bars, { ...position, y: "value", fill: grouped ? "series" : "steelblue" }),
      Plot.text(bars, { ...position, y: "value", text, dy: -7 }),
      Plot.ruleY([1], { stroke: "black", strokeDasharray: "4,3" }),
      Plot.ruleY([0]),
      ...(options.title
        ? [Plot.text([options.title], { frameAnchor: "top", dy: -28, fontWeight: "bold" })]
        : []),
      ...(bars.length === 0
        ? [Plot.text(["nothing measured"], { frameAnchor: "middle", fill: "#888" })]
        : []),
    ],
  });
}

/** Speed-up per shape of a measured state. */
export function kernelFigure(state: TriMulState): string {
  const m = state.measurement;
  if (!m || !m.ok || state.suite.rounds === 0) {
    return barChart([], { title: "the baseline kernel (speed-up 1 by definition)" });
  }
  const { perShape, geomean } = speedups(m);
  return barChart(
    m.shapes.map((s, i) => ({ label: shapeLabel(s), value: perShape[i] })),
    { title: `speed-up per shape (geometric mean ${geomean.toFixed(2)}x)` },
  );
}
