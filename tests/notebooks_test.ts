/**
 * The committed notebooks: every code cell says what it shows and its committed output shows it
 * (refresh with `deno task notebooks --update`), each file stays small, and `deno task share`
 * pages draw every figure in headless Chromium (screenshots of the figure regions are not blank).
 * Executing the notebooks is `deno task notebooks`, which applies the same per-cell check.
 */
import { join } from "node:path";
import { measureFigures } from "../tools/chromium.ts";
import {
  checkOutputs,
  compactSvg,
  MAX_NOTEBOOK_BYTES,
  type Notebook,
  readNotebook,
  shown,
} from "../tools/notebook.ts";
import { renderNotebook } from "../tools/share_html.ts";
import { assert, assertEquals } from "./assert.ts";

const dir = new URL("../notebooks/", import.meta.url).pathname;
const names = [...Deno.readDirSync(dir)].filter((e) => e.name.endsWith(".ipynb")).map((e) => e.name).sort();

Deno.test("every committed notebook: each code cell shows what its metadata says, in a small file", () => {
  assert(names.length >= 7, `only ${names.length} notebooks`);
  for (const name of names) {
    const path = join(dir, name);
    const problems = checkOutputs(readNotebook(path));
    assertEquals(problems, [], `${name} (run: deno task notebooks --update ${name.replace(".ipynb", "")})`);
    const bytes = Deno.statSync(path).size;
    assert(bytes <= MAX_NOTEBOOK_BYTES, `${name}: ${bytes} bytes`);
  }
});

function notebook(outputs: NonNullable<Notebook["cells"][number]["outputs"]>, shows: string[]): Notebook {
  return {
    cells: [{ cell_type: "code", source: "x", metadata: { ttt: { shows } }, outputs }],
    metadata: {},
    nbformat: 4,
    nbformat_minor: 5,
  } as Notebook;
}

Deno.test("the per-cell check fails a silent cell, a cell of the wrong kind and a cell without metadata", () => {
  assertEquals(checkOutputs(notebook([], ["figure"])), ["cell 0: shows no figure"]);
  const printed = [{ output_type: "stream", name: "stdout", text: "step 0\n" }];
  assertEquals(checkOutputs(notebook(printed, ["text", "table"])), ["cell 0: shows no table"]);
  assertEquals(checkOutputs(notebook(printed, ["text"])), []);
  const blankSvg = [{ output_type: "execute_result", data: { "image/svg+xml": "<svg><rect/></svg>" } }];
  assertEquals(checkOutputs(notebook(blankSvg, ["figure"])), ["cell 0: shows no figure"]);
  const bare = notebook(printed, ["text"]);
  bare.cells[0].metadata = {};
  assertEquals(checkOutputs(bare).length, 1);
  const markdownTable = [{ output_type: "execute_result", data: { "text/markdown": "| a |\n|---|\n| 1 |" } }];
  assert(shown(markdownTable).has("table"));
});

Deno.test("compactSvg keeps every dot: a run of circles becomes one path with one segment each", () => {
  const dots = Array.from(
    { length: 50 },
    (_, i) => `<circle fill="red" r="0.8" cy="${i}.123456" cx="3.5" />`,
  );
  const svg = `<svg xmlns="http://www.w3.org/2000/svg">${
    dots.join("")
  }<circle fill="blue" r="2" cy="1" cx="1" /></svg>`;
  const compact = compactSvg(svg);
  assertEquals((compact.match(/h0/g) ?? []).length, 51);
  assertEquals((compact.match(/<path /g) ?? []).length, 2);
  assert(compact.includes("M3.5,7.12h0"));
  assert(compact.length < svg.length / 2);
});

Deno.test("compactSvg rounds coordinates, never the text a figure shows", () => {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg"><g transform="translate(80,329.01234)">` +
    `<text y="0.32em">0.38095</text><title>C5 = 0.380927</title></g></svg>`;
  const compact = compactSvg(svg);
  assert(compact.includes("translate(80,329.01)"), compact);
  assert(compact.includes(">0.38095<") && compact.includes("C5 = 0.380927"), compact);
});

for (const name of ["erdos", "denoising"]) {
  Deno.test(`deno task share ${name}: every figure is drawn in headless Chromium`, async () => {
    const nb = readNotebook(join(dir, `${name}.ipynb`));
    const figures = nb.cells.flatMap((c) => c.outputs ?? []).filter((o) =>
      o.data?.["image/svg+xml"] !== undefined
    );
    assert(figures.length >= 2, `${name}: ${figures.length} figures committed`);
    const work = Deno.makeTempDirSync({ prefix: "ttt-share-test-" });
    try {
      const html = join(work, `${name}.html`);
      Deno.writeTextFileSync(html, renderNotebook(nb, name));
      const regions = await measureFigures(`file://${html}`, join(work, `${name}.png`));
      assertEquals(regions.length, figures.length);
      for (const r of regions) {
        // A blank or broken image is one colour (or a few, for a broken-image icon).
        assert(r.width >= 100 && r.height >= 100, `${name} figure ${r.index}: ${r.width}x${r.height}`);
        assert(r.inked > 0.01 && r.colours > 8, `${name} figure ${r.index} is blank: ${JSON.stringify(r)}`);
      }
      const keep = Deno.env.get("TTT_SHARE_SCREENSHOTS"); // a folder to keep the page and its screenshot
      if (keep) {
        Deno.copyFileSync(join(work, `${name}.png`), join(keep, `${name}.png`));
        Deno.copyFileSync(html, join(keep, `${name}.html`));
      }
    } finally {
      Deno.removeSync(work, { recursive: true });
    }
  });
}
