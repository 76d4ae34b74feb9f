/**
 * deno task share <notebook> [--out file.html] [--execute]: one self-contained HTML file of a
 * notebook, whatever nbconvert version is installed, or none. It uses the notebook's committed
 * outputs (refresh them with `deno task notebooks --update`), or with --execute a fresh headless
 * execution (which needs Jupyter and the Deno kernel).
 */
import { basename, join } from "node:path";
import { jupyterPython, readNotebook } from "./notebook.ts";
import { renderNotebook } from "./share_html.ts";

const args = Deno.args;
const outAt = args.indexOf("--out");
const input = args.find((a, i) => !a.startsWith("--") && i !== outAt + 1);
if (input === undefined) {
  console.error("usage: deno task share <notebook.ipynb | name> [--out file.html] [--execute]");
  Deno.exit(2);
}
const path = input.endsWith(".ipynb") ? input : `notebooks/${input}.ipynb`;
const out = outAt >= 0 ? args[outAt + 1] : basename(path).replace(/\.ipynb$/, ".html");
let source = path;
const work = Deno.makeTempDirSync({ prefix: "ttt-share-" });
try {
  if (args.includes("--execute")) {
    // The notebook runner's executor: nbclient, keeping outputs the Deno kernel publishes late.
    source = join(work, basename(path));
    const { code, stderr } = await new Deno.Command(jupyterPython(), {
      args: [new URL("./execute_notebook.py", import.meta.url).pathname, path, source],
      env: { TMPDIR: work },
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (code !== 0) {
      console.error(new TextDecoder().decode(stderr).split("\n").slice(-30).join("\n"));
      Deno.exit(1);
    }
  }
  Deno.writeTextFileSync(out, renderNotebook(readNotebook(source), basename(path, ".ipynb")));
} finally {
  Deno.removeSync(work, { recursive: true });
}
console.log(`${path} -> ${out} (${(Deno.statSync(out).size / 1024).toFixed(0)} KB)`);
