/**
 * `deno task bench <suite> [options]`
 *
 *   erdos                 verifier throughput, then the default run for 3 seeds
 *   erdos --seeds 1,2,3   choose the seeds of the default runs
 *   erdos --long 30       also one run with a 30-minute budget (seed 0)
 *   policy                built-in policy step timings
 */
import { parseArgs } from "node:util";
import { benchDiscovery } from "./discovery.ts";
import { benchErdosVerifier } from "./erdos.ts";
import { benchPolicy } from "./policy.ts";

const { positionals, values } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: { seeds: { type: "string" }, long: { type: "string" } },
});
const suite = positionals[0] ?? "erdos";
const seeds = (values.seeds ?? "0,1,2").split(",").map(Number);

switch (suite) {
  case "erdos": {
    await benchErdosVerifier(600);
    // The default `deno task run erdos` configuration: the problem's run defaults.
    await benchDiscovery({ problem: "erdos" }, seeds);
    if (values.long) {
      const minutes = Number(values.long);
      await benchDiscovery({ problem: "erdos", steps: 100_000, minutes }, [0]);
    }
    break;
  }
  case "policy":
    await benchPolicy();
    break;
  default:
    console.error(`unknown suite "${suite}"; suites: erdos, policy`);
    Deno.exit(2);
}
