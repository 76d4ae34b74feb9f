/**
 * The notebook file (nbformat 4) as far as the notebook tools need it, and what each code cell
 * must show. Every code cell names what it shows in its metadata, `"ttt": {"shows": [...]}`:
 *
 *   figure  an SVG figure (image/svg+xml with drawn marks)
 *   table   an HTML table (a DataFrame) or a Markdown table
 *   text    printed or returned text, or Markdown
 *   nothing no output (imports, definitions)
 *
 * A cell without that metadata is itself an error, so a new cell cannot slip through unchecked.
 */
import { z } from "zod";

export const SHOWS = ["figure", "table", "text", "nothing"] as const;
export type Shows = (typeof SHOWS)[number];

const Source = z.union([z.string(), z.array(z.string())]);
const Output = z.looseObject({
  output_type: z.string(),
  name: z.string().optional(),
  text: Source.optional(),
  data: z.record(z.string(), z.unknown()).optional(),
  ename: z.string().optional(),
  evalue: z.string().optional(),
});
const Cell = z.looseObject({
  cell_type: z.enum(["code", "markdown", "raw"]),
  source: Source,
  metadata: z.looseObject({
    ttt: z.object({ shows: z.array(z.enum(SHOWS)).min(1) }).optional(),
  }),
  outputs: z.array(Output).optional(),
  execution_count: z.number().int().nullable().optional(),
});
export const NotebookSchema = z.looseObject({
  cells: z.array(Cell),
  metadata: z.looseObject({}),
  nbformat: z.number().int(),
  nbformat_minor: z.number().int(),
});
export type Notebook = z.infer<typeof NotebookSchema>;
export type NotebookCell = Notebook["cells"][number];
export type NotebookOutput = NonNullable<NotebookCell["outputs"]>[number];

export function readNotebook(path: string): Notebook {
  return NotebookSchema.parse(JSON.parse(Deno.readTextFileSync(path)));
}

export function text(source: string | string[] | undefined | unknown): string {
  if (typeof source === "string") return source;
  if (Array.isArray(source)) return source.join("");
  return "";
}

/** An SVG that draws something: at least one mark element besides the background. */
function isFigure(svg: string): boolean {
  return /^\s*<svg\b/.test(svg) && /<(path|circle|line|polyline|polygon|text)\b/.test(svg);
}

/** What one cell's outputs show. */
export function shown(outputs: readonly NotebookOutput[]): Set<Shows | "error"> {
  const found = new Set<Shows | "error">();
  for (const output of outputs) {
    if (output.output_type === "error") found.add("error");
    if (output.output_type === "stream" && output.name === "stdout" && text(output.text).trim() !== "") {
      found.add("text");
    }
    const data = output.data ?? {};
    if (isFigure(text(data["image/svg+xml"]))) found.add("figure");
    const html = text(data["text/html"]);
    const markdown = text(data["text/markdown"]);
    if (/<table\b/.test(html) && /<td\b/.test(html)) found.add("table");
    if (/^\s*\|.*\|\s*\n\s*\|[\s:|-]+\|/m.test(markdown)) found.add("table");
    if (markdown.trim() !== "" || text(data["text/plain"]).trim() !== "") found.add("text");
  }
  return found;
}

/** Every way the cells of one notebook fall short of what they must show; empty when none. */
export function checkOutputs(notebook: Notebook): string[] {
  const problems: string[] = [];
  notebook.cells.forEach((cell, index) => {
    if (cell.cell_type !== "code") return;
    const want = cell.metadata.ttt?.shows;
    const name = `cell ${index}`;
    if (want === undefined) {
      problems.push(`${name}: no "ttt": {"shows": [...]} in its metadata`);
      return;
    }
    const got = shown(cell.outputs ?? []);
    if (got.has("error")) problems.push(`${name}: raised an error`);
    for (const kind of want) {
      if (kind !== "nothing" && !got.has(kind)) problems.push(`${name}: shows no ${kind}`);
    }
    if (want.includes("nothing") && got.size > 0) {
      problems.push(`${name}: should show nothing, shows ${[...got].join(", ")}`);
    }
  });
  return problems;
}

/** A one-line account per code cell of what it shows (the closing list of the notebook test). */
export function describeOutputs(notebook: Notebook): string[] {
  return notebook.cells.flatMap((cell, index) => {
    if (cell.cell_type !== "code") return [];
    const got = [...shown(cell.outputs ?? [])].sort();
    const first = text(cell.source).split("\n").find((line) =>
      line.trim() !== "" && !line.startsWith("//")
    ) ?? "";
    return [`cell ${index}: ${got.length > 0 ? got.join(" + ") : "nothing"}  (${first.trim().slice(0, 60)})`];
  });
}

/** A committed notebook stays small enough to open on a code host. */
export const MAX_NOTEBOOK_BYTES = 400_000;

/** What a committed notebook keeps of an execution: outputs (figures compacted), not timings. */
export function forCommit(notebook: Notebook): string {
  for (const cell of notebook.cells) {
    const metadata = cell.metadata as Record<string, unknown>;
    delete metadata.execution;
    for (const output of cell.outputs ?? []) {
      const svg = output.data?.["image/svg+xml"];
      if (svg !== undefined) output.data!["image/svg+xml"] = compactSvg(text(svg));
    }
  }
  return JSON.stringify(notebook, null, 1) + "\n";
}

/**
 * The same figure in fewer bytes: coordinates in tags to 2 decimals (under a hundredth of a pixel), and a
 * run of equal dots (`<circle>`s with one fill and radius, as Observable Plot draws a scatter) as
 * one path of zero-length round-capped strokes, which browsers draw as the same dots. A 10,000-fish
 * AHC039 figure goes from 680 KB to about 150 KB.
 */
export function compactSvg(svg: string): string {
  // Inside tags only: text (tick labels, values in titles) keeps every digit it was drawn with.
  const rounded = svg.replace(
    /<[^>]*>/g,
    (tag) => tag.replace(/-?\d+\.\d{3,}/g, (m) => String(Math.round(Number(m) * 100) / 100)),
  );
  const circle = /<circle fill="([^"]+)" r="([^"]+)" cy="([^"]+)" cx="([^"]+)"\s*\/>/y;
  let out = "";
  for (let at = 0; at < rounded.length;) {
    circle.lastIndex = at;
    let match = circle.exec(rounded);
    if (match === null) {
      const next = rounded.indexOf("<circle", at + 1);
      const end = next < 0 ? rounded.length : next;
      out += rounded.slice(at, end);
      at = end;
      continue;
    }
    const [fill, r] = [match[1], match[2]];
    let d = "";
    while (match !== null && match[1] === fill && match[2] === r) {
      d += `M${match[4]},${match[3]}h0`;
      at = circle.lastIndex;
      circle.lastIndex = at;
      match = circle.exec(rounded);
    }
    out += `<path fill="none" stroke="${fill}" stroke-width="${
      2 * Number(r)
    }" stroke-linecap="round" d="${d}"/>`;
  }
  return out;
}

/** The Python that runs jupyter-nbconvert (its shebang), which has nbclient; not always the first python3. */
export function jupyterPython(): string {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    try {
      const first = Deno.readTextFileSync(`${dir}/jupyter-nbconvert`).split("\n")[0];
      if (first.startsWith("#!")) return first.slice(2).trim().split(/\s+/)[0];
    } catch { /* next */ }
  }
  return "python3";
}
