/**
 * Executes every notebook in notebooks/ headless with the Deno kernel (tools/execute_notebook.py:
 * nbclient, as `jupyter nbconvert --execute`, but keeping outputs the kernel publishes after it
 * reports a cell done) and checks that every code cell shows what its metadata says it must
 * (tools/notebook.ts): nbconvert alone fails only on errors, not on a cell that shows nothing.
 *
 *   deno task notebooks [name...]           execute into a temporary folder and check
 *   deno task notebooks --update [name...]  ... and, when every check passes, write the executed
 *                                           notebooks (with their outputs) back to notebooks/
 *
 * Notebooks' own temporary folders go under one TMPDIR that is removed at the end.
 */
import { basename, join } from "node:path";
import {
  checkOutputs,
  describeOutputs,
  forCommit,
  jupyterPython,
  MAX_NOTEBOOK_BYTES,
  type Notebook,
  readNotebook,
} from "./notebook.ts";

const dir = new URL("../notebooks/", import.meta.url).pathname;
const update = Deno.args.includes("--update");
const only = Deno.args.filter((a) => !a.startsWith("--"));
const notebooks = [...Deno.readDirSync(dir)]
  .filter((e) => e.isFile && e.name.endsWith(".ipynb"))
  .map((e) => join(dir, e.name))
  .filter((p) => only.length === 0 || only.some((o) => basename(p).startsWith(o)))
  .sort();

const work = Deno.makeTempDirSync({ prefix: "ttt-notebooks-" });
const outDir = join(work, "executed");
const tmp = join(work, "tmp");
Deno.mkdirSync(tmp);
Deno.mkdirSync(outDir);

let passed = 0, failed = 0;

interface Outcome {
  problems: string[];
  executed?: Notebook;
  seconds: string;
}

async function execute(notebook: string): Promise<Outcome> {
  const started = performance.now();
  const target = join(outDir, basename(notebook));
  const { code, stderr } = await new Deno.Command(jupyterPython(), {
    args: [new URL("./execute_notebook.py", import.meta.url).pathname, notebook, target, "900"],
    env: { TMPDIR: tmp, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (code !== 0) {
    const tail = new TextDecoder().decode(stderr).split("\n").slice(-40).join("\n");
    return { problems: [tail], seconds };
  }
  const executed = readNotebook(target);
  const problems = checkOutputs(executed);
  const bytes = new TextEncoder().encode(forCommit(structuredClone(executed))).length;
  if (bytes > MAX_NOTEBOOK_BYTES) problems.push(`${bytes} bytes with outputs (limit ${MAX_NOTEBOOK_BYTES})`);
  return { problems, executed, seconds };
}
try {
  for (const notebook of notebooks) {
    const name = basename(notebook);
    const { problems, executed, seconds } = await execute(notebook);
    if (problems.length === 0) {
      passed++;
      console.log(`notebook ${name} ... ok (${seconds} s)`);
      for (const line of describeOutputs(executed!)) console.log(`  ${line}`);
      if (update) {
        Deno.writeTextFileSync(notebook, forCommit(executed!));
        console.log(`  outputs written to notebooks/${name}`);
      }
    } else {
      failed++;
      console.log(`notebook ${name} ... FAILED (${seconds} s)`);
      for (const problem of problems) console.log(`  ${problem}`);
      if (executed) { for (const line of describeOutputs(executed)) console.log(`  ${line}`); }
    }
  }
} finally {
  Deno.removeSync(work, { recursive: true });
}
console.log(`notebooks: ${passed} passed, ${failed} failed`);
Deno.exit(failed > 0 || notebooks.length === 0 ? 1 : 0);
