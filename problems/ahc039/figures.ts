/** AHC039 figures: the mackerels, the sardines and the net. */
import * as Plot from "@observablehq/plot";
import { renderPlot } from "../../lib/plot.ts";
import type { Ahc039Input } from "./input.ts";
import type { Polygon } from "./scorer.ts";

export function fishPlot(
  input: Ahc039Input,
  polygon?: Polygon,
  title = "mackerels (blue), sardines (red)",
): string {
  const fish = Array.from({ length: 2 * input.n }, (_, i) => ({
    x: input.xs[i],
    y: input.ys[i],
    kind: i < input.n ? "mackerel" : "sardine",
  }));
  const ring = polygon && polygon.length > 0 ? [...polygon, polygon[0]].map(([x, y]) => ({ x, y })) : [];
  return renderPlot({
    width: 560,
    height: 560,
    x: { domain: [0, 100_000], label: null },
    y: { domain: [0, 100_000], label: null },
    color: { domain: ["mackerel", "sardine"], range: ["#1f77b4", "#d62728"] },
    marks: [
      Plot.frame({ stroke: "#ccc" }),
      Plot.dot(fish, { x: "x", y: "y", fill: "kind", r: 0.8, fillOpacity: 0.6 }),
      Plot.line(ring, { x: "x", y: "y", stroke: "black", strokeWidth: 1.2 }),
      Plot.text([title], { frameAnchor: "top-left", dx: 6, dy: 6, text: (t: string) => t }),
    ],
  });
}
