/**
 * Circle-packing benchmarks.
 *   deno run -A bench/circles.ts verifier   exact verifier and radii LP timings at n = 26 and 32
 *   deno run -A bench/circles.ts moves      time of each operator at its largest setting
 */
import { Rng } from "../lib/rng.ts";
import { circles26, circles32 } from "../problems/circles/mod.ts";
import { optimalRadii } from "../problems/circles/radii.ts";
import { medianMs } from "./autocorrelation.ts";

export async function benchCircles(): Promise<void> {
  for (const problem of [circles26, circles32]) {
    const [state] = problem.initialStates(new Rng(3), { initialCount: 1 });
    // A settled packing has many near-tight pairs, which take the exact (BigInt) path.
    const settled = await problem.apply(
      [{ op: "penalty", params: { iters: 2000, lr: 0.01, mu: 1e4 } }],
      state,
      {
        rng: new Rng(4),
      },
    );
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
  const [state] = circles26.initialStates(new Rng(3), { initialCount: 1 });
  for (const op of circles26.grammar.operators) {
    const params = Object.fromEntries(op.params.map((p) => [p.name, p.choices.at(-1)!]));
    const started = performance.now();
    await circles26.apply([{ op: op.name, params }], state, { rng: new Rng(2) });
    console.log(`circles26 ${op.name} (largest settings): ${(performance.now() - started).toFixed(0)} ms`);
  }
}

if (import.meta.main) {
  const what = Deno.args[0] ?? "verifier";
  if (what === "verifier") await benchCircles();
  else if (what === "moves") await benchCircleMoves();
  else throw new Error(`unknown benchmark "${what}": verifier | moves`);
}
