/**
 * `deno task bench <suite> [args]` runs bench/<suite>.ts with the arguments, e.g.
 *
 *   deno task bench erdos [--seeds 0,1,2] [--long 30]   verifier, default runs, a long run
 *   deno task bench autocorrelation verifier | moves
 *   deno task bench circles verifier | moves
 *   deno task bench denoise ...          (see bench/denoise.ts)
 *   deno task bench atcoder [best.json]
 *   deno task bench trimul
 *   deno task bench policy [--sweep]
 *   deno task bench sandbox
 */
import { basename } from "node:path";

const here = new URL(".", import.meta.url).pathname;
const suites = [...Deno.readDirSync(here)]
  .map((e) => basename(e.name, ".ts"))
  .filter((name) => !["main", "discovery"].includes(name))
  .sort();
const [suite, ...args] = Deno.args;
if (!suite || !suites.includes(suite)) {
  console.error(`usage: deno task bench <suite> [args]; suites: ${suites.join(", ")}`);
  Deno.exit(2);
}
// A child process, so each suite reads its own arguments as when run directly.
const { code } = await new Deno.Command(Deno.execPath(), {
  args: ["run", "-A", `${here}${suite}.ts`, ...args],
  stdin: "inherit",
  stdout: "inherit",
  stderr: "inherit",
}).spawn().status;
Deno.exit(code);
