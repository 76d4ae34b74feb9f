/**
 * Observable Plot figures for the contest problems, rendered to standalone SVG strings the
 * same way lib/plot.ts renders its own (lib/plot.ts keeps its renderer private, so this is a
 * small copy; show the result with lib/plot.ts's display()).
 */
import * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";

const SVG_NS = "http://www.w3.org/2000/svg";
type PlotDocument = NonNullable<Plot.PlotOptions["document"]>;
let sharedDocument: PlotDocument | undefined;

export function renderPlot(options: Plot.PlotOptions): string {
  sharedDocument ??= (parseHTML("<!DOCTYPE html><html><body></body></html>") as unknown as {
    document: PlotDocument;
  }).document;
  const document = sharedDocument;
  const node = Plot.plot({ width: 640, ...options, document });
  if (node.tagName.toLowerCase() !== "svg") {
    throw new Error(`Plot returned <${node.tagName}>, expected <svg>`);
  }
  node.setAttribute("xmlns", SVG_NS);
  node.setAttribute("color", "black");
  const background = document.createElementNS(SVG_NS, "rect");
  background.setAttribute("width", "100%");
  background.setAttribute("height", "100%");
  background.setAttribute("fill", "white");
  node.insertBefore(background, node.firstChild);
  return node.outerHTML;
}

export { Plot };
