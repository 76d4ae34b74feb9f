/**
 * Figures for notebooks and the run report: Observable Plot rendered on a linkedom DOM to
 * standalone SVG strings (xmlns set, white background), so the same string can be shown in
 * Jupyter, written to report.svg, or opened in a browser. The run figures take a run's rows as the
 * loop reports them or its tables as `readRunTables` reads them; a problem's own figures live with
 * the problem (e.g. problems/erdos/figures.ts) and use renderPlot and stackFigures.
 */
import * as ObservablePlot from "@observablehq/plot";
import { parseHTML } from "linkedom";
import type { StateRow, StepRow } from "./records.ts";
import { frameToRows, type RunTable, STATE_COLUMNS, STEP_COLUMNS, type TableSpec } from "./tables.ts";

/** Observable Plot (https://observablehq.com/plot/), for figures of your own: render them with renderPlot. */
export const Plot: typeof ObservablePlot = ObservablePlot;

/** What renderPlot takes: the options of Observable Plot's `Plot.plot` (marks, scales, size, ...). */
export type PlotOptions = NonNullable<Parameters<typeof Plot.plot>[0]>;

const SVG_NS = "http://www.w3.org/2000/svg";
const WIDTH = 640;
const FONT = "system-ui, sans-serif";
/** The colour that marks what a figure is about: a record, a maximum, the best state. */
export const ACCENT = "#d62728";

type PlotDocument = NonNullable<PlotOptions["document"]>;

let sharedDocument: PlotDocument | undefined;

function plotDocument(): PlotDocument {
  // linkedom types its window against lib.dom, which Deno does not load; only the document is used.
  const window = parseHTML("<!DOCTYPE html><html><body></body></html>") as unknown as {
    document: PlotDocument;
  };
  sharedDocument ??= window.document;
  return sharedDocument;
}

/** Renders one Plot figure to a standalone SVG string (problems use it for their own figures). */
export function renderPlot(options: PlotOptions): string {
  const document = plotDocument();
  const node = Plot.plot({ width: WIDTH, ...options, document });
  // Plot wraps the SVG in a <figure> only for titles and legends, which this module never requests.
  if (node.tagName.toLowerCase() !== "svg") {
    throw new Error(`Plot returned <${node.tagName}>, expected <svg>`);
  }
  node.setAttribute("xmlns", SVG_NS);
  // Plot paints text and axes with currentColor; pin it, or a dark notebook theme draws white on white.
  node.setAttribute("color", "black");
  const background = document.createElementNS(SVG_NS, "rect");
  background.setAttribute("width", "100%");
  background.setAttribute("height", "100%");
  background.setAttribute("fill", "white");
  node.insertBefore(background, node.firstChild);
  return node.outerHTML;
}

/** A number in six significant digits, for labels. */
export function formatNumber(value: number): string {
  return Number.isFinite(value) ? String(Number(value.toPrecision(6))) : String(value);
}

const format = formatNumber;
const finite = (value: number) => Number.isFinite(value);

/** Rows as given, or read from a table as `readRunTables` returns it (snake_case columns). */
function rowsOf<Row>(spec: TableSpec<Row>, rows: readonly Row[] | RunTable): readonly Row[] {
  return Array.isArray(rows) ? rows : frameToRows(spec, rows as RunTable);
}

/** A centred message instead of a blank frame when there is nothing to draw yet (marks to spread in). */
export function emptyNote(count: number, message: string): ObservablePlot.Markish[] {
  return count > 0
    ? []
    : [Plot.text([message], { text: (text: string) => text, frameAnchor: "middle", fill: "#888" })];
}

// ---------------------------------------------------------------------------------------------
// Progress

/** How progressPlot labels a run. */
export interface ProgressOptions {
  /** Which way is better, for the axis label. */
  direction?: "minimize" | "maximize";
  /** Name of the published quantity, for the axis label. */
  quantity?: string;
  /** The best known value from the literature, drawn as a rule. */
  record?: number;
  /** A heading above the figure. */
  title?: string;
}

/**
 * Two panels over steps: the best value so far, and this step's mean and best reward. Takes the
 * step rows a discovery reports (`report.row`, `summary.steps`) or steps.parquet as read
 * (`readRunTables(dir).steps`).
 */
export function progressPlot(
  steps: readonly StepRow[] | RunTable,
  options: ProgressOptions = {},
): string {
  const { direction, quantity = "value", record, title } = options;
  const rows = rowsOf(STEP_COLUMNS, steps);
  const better = direction === "minimize"
    ? ", lower is better"
    : direction === "maximize"
    ? ", higher is better"
    : "";
  const best = rows.filter((row) => finite(row.best));
  const recordMarks = record === undefined ? [] : [
    Plot.ruleY([record], { stroke: ACCENT, strokeDasharray: "5,4" }),
    Plot.text([record], {
      y: (value: number) => value,
      text: (value: number) => `record ${format(value)}`,
      frameAnchor: "left",
      textAnchor: "start",
      dx: 4,
      dy: -7,
      fill: ACCENT,
    }),
  ];
  const bestPanel = renderPlot({
    height: 260,
    marginLeft: 60,
    marginRight: 110,
    x: { label: "step", labelArrow: "none", interval: 1, tickFormat: "d" },
    y: { label: `${quantity} (best so far${better})`, labelArrow: "none", grid: true },
    marks: [
      ...recordMarks,
      ...emptyNote(best.length, "no steps yet"),
      Plot.lineY(best, { x: "step", y: "best", stroke: "steelblue", curve: "step-after" }),
      Plot.dot(best, { x: "step", y: "best", fill: "steelblue", r: 2.5 }),
    ],
  });

  const series = [
    { key: "meanReward", label: "mean reward" },
    { key: "stepBestReward", label: "best reward" },
  ] as const;
  const rewards = series.flatMap(({ key, label }) =>
    rows.filter((row) => finite(row[key])).map((row) => ({
      step: row.step,
      reward: row[key],
      series: label,
    }))
  );
  const rewardPanel = renderPlot({
    height: 220,
    marginLeft: 60,
    marginRight: 110,
    x: { label: "step", labelArrow: "none", interval: 1, tickFormat: "d" },
    y: { label: "reward (this step)", labelArrow: "none", grid: true },
    color: { domain: series.map((s) => s.label), range: ["#ff7f0e", "#2ca02c"] },
    marks: [
      ...emptyNote(rewards.length, "no steps yet"),
      Plot.lineY(rewards, { x: "step", y: "reward", stroke: "series", z: "series" }),
      // A legend in the right margin: Plot's own legends would sit outside the <svg>.
      ...series.map(({ label }, i) =>
        Plot.text([label], {
          text: (name: string) => name,
          fill: (name: string) => name,
          frameAnchor: "top-right",
          textAnchor: "start",
          dx: 10,
          dy: 8 + 15 * i,
        })
      ),
    ],
  });
  return stackFigures([bestPanel, rewardPanel], title);
}

// ---------------------------------------------------------------------------------------------
// Archive tree

interface PlacedState {
  state: StateRow;
  y: number;
}

/**
 * A tidy layout: leaves take consecutive rows in depth-first order, a parent sits at the middle of
 * its children. States whose parent left the archive start a tree of their own.
 */
function layoutTree(states: readonly StateRow[]): Map<number, PlacedState> {
  const byId = new Map(states.map((state) => [state.id, state]));
  const children = new Map<number, StateRow[]>();
  const roots: StateRow[] = [];
  for (const state of states) {
    if (state.parentId !== state.id && byId.has(state.parentId)) {
      const siblings = children.get(state.parentId) ?? [];
      siblings.push(state);
      children.set(state.parentId, siblings);
    } else {
      roots.push(state);
    }
  }
  const placed = new Map<number, PlacedState>();
  let nextRow = 0;
  const place = (state: StateRow): number => {
    placed.set(state.id, { state, y: NaN }); // placeholder first, so a corrupt cycle cannot recurse forever
    const ys = (children.get(state.id) ?? [])
      .filter((child) => !placed.has(child.id))
      .sort((a, b) => a.id - b.id)
      .map(place);
    const y = ys.length === 0 ? nextRow++ : (ys[0] + ys[ys.length - 1]) / 2;
    placed.set(state.id, { state, y });
    return y;
  };
  for (const root of [...roots].sort((a, b) => a.id - b.id)) place(root);
  // States on a parent cycle (only in corrupt input) are never reached from a root; give them rows too.
  for (const state of states) if (!placed.has(state.id)) place(state);
  return placed;
}

/**
 * The archive as a forest: x = depth, links parent -> child, dots coloured by reward. Takes the
 * archive's rows (`archiveRows(report.archive)`) or states.parquet as read (`readRunTables(dir).states`).
 */
export function archiveTreePlot(
  states: readonly StateRow[] | RunTable,
  options: { title?: string } = {},
): string {
  const placed = layoutTree(rowsOf(STATE_COLUMNS, states));
  const nodes = [...placed.values()].map(({ state, y }) => ({ ...state, y }));
  const links = nodes.flatMap((node) => {
    const parent = placed.get(node.parentId);
    return parent && node.parentId !== node.id
      ? [{ x1: parent.state.depth, y1: parent.y, x2: node.depth, y2: node.y }]
      : [];
  });
  const rewards = nodes.map((node) => node.reward).filter(finite);
  const domain = rewards.length > 0 ? [Math.min(...rewards), Math.max(...rewards)] : [0, 1];
  const best = nodes.filter((node) => finite(node.reward)).reduce<typeof nodes[number] | undefined>(
    (top, node) => top === undefined || node.reward > top.reward ? node : top,
    undefined,
  );
  const rows = nodes.reduce((most, node) => Math.max(most, node.y + 1), 0);
  const color = { type: "linear", scheme: "viridis", domain } as const;
  const tree = renderPlot({
    height: Math.min(1000, Math.max(240, 50 + rows * 5)),
    marginRight: 45, // room for the "best" label
    inset: 8,
    x: { label: "depth (moves from an initial state)", labelArrow: "none", interval: 1, tickFormat: "d" },
    y: { axis: null, reverse: true },
    color,
    marks: [
      ...emptyNote(nodes.length, "empty archive"),
      Plot.link(links, { x1: "x1", y1: "y1", x2: "x2", y2: "y2", stroke: "#999", strokeWidth: 0.8 }),
      Plot.dot(nodes, {
        x: "depth",
        y: "y",
        fill: "reward",
        r: 3.5,
        title: (node: typeof nodes[number]) =>
          `state ${node.id} (step ${node.step})\nvalue ${format(node.value)}\nreward ${
            format(node.reward)
          }\nvisits ${node.visits}`,
      }),
      Plot.dot(nodes.filter((node) => node.initial), { x: "depth", y: "y", r: 6, stroke: "black" }),
      ...(best === undefined ? [] : [
        Plot.dot([best], { x: "depth", y: "y", r: 8, stroke: ACCENT, strokeWidth: 2 }),
        Plot.text([best], {
          x: "depth",
          y: "y",
          text: () => "best",
          dx: 11,
          textAnchor: "start",
          fill: ACCENT,
        }),
      ]),
    ],
  });
  return stackFigures([tree, colorBar("reward (black ring: initial state)", color)], options.title);
}

/** A continuous colour legend drawn with rects: Plot's own ramp legend needs a canvas. */
function colorBar(label: string, color: ObservablePlot.ScaleOptions & { domain: number[] }): string {
  const [lo, hi] = color.domain;
  const bins = 64;
  const width = (hi - lo) / bins;
  const cells = Array.from({ length: bins }, (_, i) => ({ x1: lo + i * width, x2: lo + (i + 1) * width }));
  return renderPlot({
    width: 320,
    height: 50,
    marginTop: 6,
    marginBottom: 30,
    marginLeft: 20,
    marginRight: 20,
    x: { domain: [lo, hi], label, labelArrow: "none", ticks: 4 },
    color,
    marks: cells.length > 0 && hi > lo
      ? [
        Plot.rect(cells, {
          x1: "x1",
          x2: "x2",
          fill: (cell: { x1: number; x2: number }) => (cell.x1 + cell.x2) / 2,
        }),
      ]
      : [],
  });
}

// ---------------------------------------------------------------------------------------------
// Ablations

/** One point of an ablation curve: a variant's best value after so many rollouts on one seed. */
export interface CurveRow {
  /** The variant's name (one line each). */
  readonly variant: string;
  /** The run's seed (the band spans seeds). */
  readonly seed: number;
  /** Rollouts spent so far. */
  readonly rollouts: number;
  /** The best value so far. */
  readonly best: number;
}

/**
 * A y scale for best-so-far curves that shows where the variants differ: the first tenth of the
 * run (random starts, far off) is left out of the domain, and ticks carry enough decimals to tell
 * the values apart (at records' scale they differ in the fourth to seventh).
 */
function settledScale(
  bands: readonly { rollouts: number; low: number; high: number }[],
  record?: number,
): { domain?: [number, number]; tickFormat?: string } {
  const last = Math.max(...bands.map((b) => b.rollouts));
  const settled = bands.filter((b) => b.rollouts >= 0.1 * last).flatMap((b) => [b.low, b.high]);
  if (record !== undefined && finite(record)) settled.push(record);
  if (settled.length === 0) return {};
  const lo = Math.min(...settled), hi = Math.max(...settled);
  const span = hi - lo || Math.abs(hi) || 1;
  const decimals = Math.min(10, Math.max(2, Math.ceil(-Math.log10(span)) + 1));
  return { domain: [lo - 0.05 * span, hi + 0.05 * span], tickFormat: `.${decimals}f` };
}

/**
 * Where each variant's name goes at the end of its line: at its last median, moved apart so that
 * no two names are closer than a line of text (variants that end equal would print over each
 * other). Needs the y domain; without one the names stay on their lines.
 */
function endLabels<T extends { median: number }>(
  ends: readonly T[],
  domain: [number, number] | undefined,
): (T & { labelY: number })[] {
  const labelled = ends.map((end) => ({ ...end, labelY: end.median }));
  if (!domain) return labelled;
  // 360 px tall, about 300 px of plot: a 10 px font wants 4% of the domain.
  const gap = 0.04 * (domain[1] - domain[0]);
  const order = [...labelled].sort((a, b) => a.median - b.median);
  for (let i = 1; i < order.length; i++) {
    order[i].labelY = Math.max(order[i].labelY, order[i - 1].labelY + gap);
  }
  return labelled;
}

/**
 * Best-so-far against rollouts, one line per variant: the median over seeds, with a band
 * from the lowest to the highest seed. Seeds are aligned on their step index.
 */
export function ablationPlot(
  rows: readonly CurveRow[],
  options: { quantity?: string; title?: string; record?: number } = {},
): string {
  const groups = new Map<string, Map<number, number[]>>();
  for (const row of rows) {
    if (!finite(row.best)) continue;
    const byRollouts = groups.get(row.variant) ?? new Map<number, number[]>();
    byRollouts.set(row.rollouts, [...(byRollouts.get(row.rollouts) ?? []), row.best]);
    groups.set(row.variant, byRollouts);
  }
  const bands = [...groups].flatMap(([variant, byRollouts]) =>
    [...byRollouts].sort((a, b) => a[0] - b[0]).map(([rollouts, values]) => {
      const sorted = [...values].sort((a, b) => a - b);
      const mid = sorted.length / 2;
      const median = sorted.length % 2 ? sorted[Math.floor(mid)] : (sorted[mid - 1] + sorted[mid]) / 2;
      return { variant, rollouts, median, low: sorted[0], high: sorted[sorted.length - 1] };
    })
  );
  const scale = settledScale(bands, options.record);
  const ends = endLabels(
    bands.filter((b, i) => i === bands.length - 1 || bands[i + 1].variant !== b.variant),
    scale.domain,
  );
  return stackFigures([
    renderPlot({
      height: 360,
      marginLeft: 80,
      marginRight: 130,
      x: { label: "rollouts", labelArrow: "none", grid: true },
      y: {
        label: `best ${options.quantity ?? "value"} so far (median, band = min..max over seeds)`,
        labelArrow: "none",
        grid: true,
        ...scale,
      },
      color: { type: "categorical", scheme: "tableau10" },
      marks: [
        ...emptyNote(bands.length, "no runs yet"),
        Plot.areaY(bands, {
          x: "rollouts",
          y1: "low",
          y2: "high",
          fill: "variant",
          fillOpacity: 0.12,
          z: "variant",
          clip: true,
        }),
        Plot.lineY(bands, { x: "rollouts", y: "median", stroke: "variant", z: "variant", clip: true }),
        Plot.text(
          ends,
          {
            x: "rollouts",
            y: "labelY",
            text: "variant",
            fill: "variant",
            textAnchor: "start",
            dx: 5,
            fontSize: 10,
          },
        ),
        ...(options.record === undefined ? [] : [
          Plot.ruleY([options.record], { stroke: ACCENT, strokeDasharray: "4,3" }),
        ]),
      ],
    }),
  ], options.title);
}

// ---------------------------------------------------------------------------------------------
// Combining and showing

interface Size {
  width: number;
  height: number;
}

function sizeOf(svg: string): Size {
  const open = /^\s*<svg\b[^>]*>/.exec(svg)?.[0];
  if (open === undefined) throw new Error(`not an SVG string: ${svg.slice(0, 40)}…`);
  const attribute = (name: string) => Number(new RegExp(`\\s${name}="([\\d.]+)"`).exec(open)?.[1] ?? NaN);
  const viewBox = /\sviewBox="[\d.-]+ [\d.-]+ ([\d.]+) ([\d.]+)"/.exec(open);
  const width = attribute("width") || Number(viewBox?.[1]);
  const height = attribute("height") || Number(viewBox?.[2]);
  if (!(width > 0 && height > 0)) throw new Error("SVG part has no width and height");
  return { width, height };
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const TITLE_HEIGHT = 30;
const GAP = 10;

/**
 * Several SVG figures stacked vertically in one standalone SVG, under an optional title (report.svg
 * is one). Each part is nested at its offset: an <svg> inside an <svg> keeps its own coordinates and
 * styles.
 */
export function stackFigures(parts: readonly string[], title?: string): string {
  const sizes = parts.map(sizeOf);
  const width = Math.max(WIDTH, ...sizes.map((size) => size.width));
  let y = title ? TITLE_HEIGHT : 0;
  const body = parts.map((part, i) => {
    const placed = part.trim().replace(/^<svg\b/, `<svg x="0" y="${y}"`);
    y += sizes[i].height + (i < parts.length - 1 ? GAP : 0);
    return placed;
  });
  const heading = title
    ? `<text x="8" y="20" font-size="15" font-weight="bold" font-family="${FONT}">${escapeXml(title)}</text>`
    : "";
  const height = Math.max(y, 1);
  return `<svg xmlns="${SVG_NS}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `font-family="${FONT}" color="black"><rect width="100%" height="100%" fill="white"/>${heading}${
      body.join("")
    }</svg>`;
}

/** What `display` returns inside Jupyter: the kernel renders it through Deno.jupyter's display symbol. */
export type SvgDisplay = Deno.jupyter.Displayable;

/**
 * Shows an SVG when it is the last expression of a notebook cell; outside the Deno kernel it
 * returns the string unchanged.
 */
export function display(svg: string): string | SvgDisplay {
  const jupyter = jupyterApi();
  if (jupyter === undefined) return svg;
  return { [jupyter.$display]: () => ({ "image/svg+xml": svg }) };
}

function jupyterApi(): typeof Deno.jupyter | undefined {
  try {
    return Deno.jupyter; // a getter that throws outside `deno jupyter`
  } catch {
    return undefined;
  }
}
