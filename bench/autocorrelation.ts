/**
 * Autocorrelation benchmarks.
 *   deno run -A bench/autocorrelation.ts verifier   C1 at n = 30,000 and C2 at n = 50,000 (targets 20 / 40 ms)
 *   deno run -A bench/autocorrelation.ts moves      time of each operator at its largest setting, n = 600
 */
import { Rng } from "../lib/rng.ts";
import { ac1, ac2, ac3 } from "../problems/autocorrelation/mod.ts";
import { autocorrelationReferences } from "../problems/autocorrelation/reference.ts";

/** Median wall time in ms of `runs` calls after `warmup` untimed ones. */
export function medianMs(fn: () => unknown, runs = 21, warmup = 3): number {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    fn();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

export function benchVerifiers(): { c1Ms: number; c2Ms: number; c3Ms: number } {
  const c1 = { heights: autocorrelationReferences("first_autocorrelation").ttt_discover.sequence };
  const c2 = { heights: autocorrelationReferences("second_autocorrelation").ttt_discover.sequence };
  const c1Ms = medianMs(() => ac1.evaluate(c1));
  const c2Ms = medianMs(() => ac2.evaluate(c2));
  const c3Ms = medianMs(() => ac3.evaluate(c1));
  console.log(`C1 verifier, n = 30000: ${c1Ms.toFixed(1)} ms (target < 20 ms)`);
  console.log(`C2 verifier, n = 50000: ${c2Ms.toFixed(1)} ms (target < 40 ms)`);
  console.log(`C3 verifier, n = 30000: ${c3Ms.toFixed(1)} ms`);
  return { c1Ms, c2Ms, c3Ms };
}

export async function benchMoves(n = 600): Promise<void> {
  const rng = new Rng(1);
  const start = { heights: Array.from({ length: n }, () => rng.next()) };
  for (const problem of [ac1, ac2, ac3]) {
    for (const op of problem.grammar.operators) {
      const params = Object.fromEntries(op.params.map((p) => [p.name, p.choices.at(-1)!]));
      const started = performance.now();
      await problem.apply([{ op: op.name, params }], start, { rng: new Rng(2) });
      console.log(
        `${problem.name} ${op.name} (largest settings), n = ${n}: ${
          (performance.now() - started).toFixed(0)
        } ms`,
      );
    }
  }
}

if (import.meta.main) {
  const what = Deno.args[0] ?? "verifier";
  if (what === "verifier") benchVerifiers();
  else if (what === "moves") await benchMoves();
  else throw new Error(`unknown benchmark "${what}": verifier | moves`);
}
