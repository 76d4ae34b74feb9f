/**
 * deno task share <notebook> [--out file.html]: one self-contained HTML file of a notebook with
 * its committed outputs (refresh them with `deno task notebooks --update`), whatever nbconvert
 * version is installed, or none.
 */
import { basename } from "node:path";
import { readNotebook } from "./notebook.ts";
import { renderNotebook } from "./share_html.ts";

const args = Deno.args;
const outAt = args.indexOf("--out");
const input = args.find((a, i) => !a.startsWith("--") && i !== outAt + 1);
if (input === undefined) {
  console.error("usage: deno task share <notebook.ipynb> [--out file.html]");
  Deno.exit(2);
}
const path = input.endsWith(".ipynb") ? input : `notebooks/${input}.ipynb`;
const out = outAt >= 0 ? args[outAt + 1] : basename(path).replace(/\.ipynb$/, ".html");
Deno.writeTextFileSync(out, renderNotebook(readNotebook(path), basename(path, ".ipynb")));
console.log(`${path} -> ${out} (${(Deno.statSync(out).size / 1024).toFixed(0)} KB)`);
