/**
 * Executes every notebook in notebooks/ headless with the Deno kernel, as CI does:
 * `jupyter nbconvert --to notebook --execute`. Executed copies go to a temporary
 * folder, so the committed notebooks stay as they are.
 */
import { basename, join } from "node:path";

const dir = new URL("../notebooks/", import.meta.url).pathname;
const only = Deno.args;
const notebooks = [...Deno.readDirSync(dir)]
  .filter((e) => e.isFile && e.name.endsWith(".ipynb"))
  .map((e) => join(dir, e.name))
  .filter((p) => only.length === 0 || only.some((o) => basename(p).startsWith(o)))
  .sort();
const outDir = Deno.makeTempDirSync({ prefix: "notebooks-" });
let passed = 0, failed = 0;
for (const notebook of notebooks) {
  const started = performance.now();
  const { code, stderr } = await new Deno.Command("jupyter", {
    args: [
      "nbconvert",
      "--to",
      "notebook",
      "--execute",
      "--ExecutePreprocessor.kernel_name=deno",
      "--ExecutePreprocessor.timeout=900",
      "--output-dir",
      outDir,
      notebook,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (code === 0) {
    passed++;
    console.log(`notebook ${basename(notebook)} ... ok (${seconds} s)`);
  } else {
    failed++;
    console.log(`notebook ${basename(notebook)} ... FAILED (${seconds} s)`);
    console.log(new TextDecoder().decode(stderr).split("\n").slice(-40).join("\n"));
  }
}
console.log(`notebooks: ${passed} passed, ${failed} failed`);
console.log(`executed copies in ${outDir}`);
Deno.exit(failed > 0 || notebooks.length === 0 ? 1 : 0);
