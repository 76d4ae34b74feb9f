/**
 * Circle-packing benchmarks.
 *   deno task bench circles verifier   exact verifier and radii LP timings at n = 26 and 32
 *   deno task bench circles moves      time and result of each operator at its smallest and largest setting
 *   deno task bench circles records [--minutes 10] [--seeds 0,1,2] [--workers 1] [--problems circles26,circles32]
 *       discovery from random starts with the default method; the targets are
 *       circles26 >= 2.6359 and circles32 >= 2.936 within 10 minutes each (records 2.635983, 2.939572).
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import { Rng } from "../lib/rng.ts";
import { circles26, circles32 } from "../problems/circles/mod.ts";
import { optimalRadii } from "../problems/circles/radii.ts";
import { medianMs } from "./autocorrelation.ts";
import { benchDiscovery, median } from "./discovery.ts";

const TARGETS: Record<string, number> = { circles26: 2.6359, circles32: 2.936 };

/** A settled packing has many near-tight pairs, which take the verifier's exact (BigInt) path. */
async function settledPacking(problem: typeof circles26) {
  const [state] = problem.initialStates(new Rng(3), { initialCount: 1 });
  return await problem.apply([{ op: "restart", params: { starts: 1, keep: 0 } }], state, { rng: new Rng(4) });
}

export async function benchCircles(): Promise<void> {
  for (const problem of [circles26, circles32]) {
    const settled = await settledPacking(problem);
    const ms = medianMs(() => problem.evaluate(settled));
    const xs = Float64Array.from(settled.centers, (c) => c[0]),
      ys = Float64Array.from(settled.centers, (c) => c[1]);
    const started = performance.now();
    for (let i = 0; i < 10; i++) await optimalRadii(xs, ys);
    const lpMs = (performance.now() - started) / 10;
    console.log(
      `${problem.name}: exact verifier ${ms.toFixed(2)} ms, radii LP ${lpMs.toFixed(1)} ms, sum ${
        problem.evaluate(settled).value
      }`,
    );
  }
}

export async function benchCircleMoves(): Promise<void> {
  for (const problem of [circles26, circles32]) {
    const [state] = problem.initialStates(new Rng(3), { initialCount: 1 });
    for (const op of problem.grammar.operators) {
      for (const at of [0, -1]) {
        const params = Object.fromEntries(op.params.map((p) => [p.name, p.choices.at(at)!]));
        const started = performance.now();
        const out = await problem.apply([{ op: op.name, params }], state, { rng: new Rng(2) });
        console.log(
          `${problem.name} ${op.name}(${JSON.stringify(params)}): ${
            (performance.now() - started).toFixed(0)
          } ms, sum ${problem.evaluate(out).value}`,
        );
      }
    }
  }
}

const RecordsArgs = z.object({
  minutes: z.coerce.number().positive().default(10),
  seeds: z.string().regex(/^\d+(,\d+)*$/).default("0"),
  workers: z.coerce.number().int().min(0).default(1),
  problems: z.string().default("circles26,circles32"),
});

export async function benchRecords(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      minutes: { type: "string" },
      seeds: { type: "string" },
      workers: { type: "string" },
      problems: { type: "string" },
    },
  });
  const o = RecordsArgs.parse(values);
  const seeds = o.seeds.split(",").map(Number);
  for (const problem of o.problems.split(",")) {
    if (!(problem in TARGETS)) throw new Error(`unknown problem "${problem}": circles26 | circles32`);
    const results = await benchDiscovery(
      { problem, steps: 100_000, minutes: o.minutes, workers: o.workers },
      seeds,
    );
    const best = median(results.map((r) => r.best));
    console.log(
      `${problem}: median best ${best} over ${seeds.length} seed(s) in ${o.minutes} min; target ${
        TARGETS[problem]
      } ${best >= TARGETS[problem] ? "met" : "NOT met"}`,
    );
  }
}

if (import.meta.main) {
  const [what = "verifier", ...rest] = Deno.args;
  if (what === "verifier") await benchCircles();
  else if (what === "moves") await benchCircleMoves();
  else if (what === "records") await benchRecords(rest);
  else throw new Error(`unknown benchmark "${what}": verifier | moves | records`);
}
