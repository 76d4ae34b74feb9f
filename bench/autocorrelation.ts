/**
 * Autocorrelation benchmarks.
 *   deno run -A bench/autocorrelation.ts verifier   C1 at n = 30,000 and C2 at n = 50,000 (targets 20 / 40 ms)
 *   deno run -A bench/autocorrelation.ts moves      time of each operator at its largest setting, n = 600
 *                                                    (cut at 24 s, as under the default rollout limit)
 *   deno run -A bench/autocorrelation.ts targets [--only c1,c1-ttt,c2,c3,c1-record] [--minutes M]
 *       [--seeds 0,1,2] [--workers W]                the discovery targets (30 min each,
 *                                                    60 for the record; --minutes overrides)
 */
import { parseArgs } from "node:util";
import type { RunConfigInput } from "../lib/config.ts";
import { Rng } from "../lib/rng.ts";
import { benchDiscovery, median } from "./discovery.ts";
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
      // The largest budgets run for minutes; the same 24 s safety net as a default rollout.
      await problem.apply([{ op: op.name, params }], start, {
        rng: new Rng(2),
        deadline: Date.now() + 24_000,
      });
      console.log(
        `${problem.name} ${op.name} (largest settings), n = ${n}: ${
          (performance.now() - started).toFixed(0)
        } ms`,
      );
    }
  }
}

interface Target {
  readonly config: RunConfigInput;
  readonly minutes: number;
  /** Whether a value passes, and the target in words. */
  readonly passes: (value: number) => boolean;
  readonly goal: string;
}

const C1 = autocorrelationReferences("first_autocorrelation");

/**
 * The targets. Warm starts of 30,000+ pieces make each rollout seconds to a minute, so
 * those runs take smaller steps (2 x 8) and a 40 s rollout limit (moves stop at 32 s).
 */
const TARGETS: Record<string, Target> = {
  c1: { config: { problem: "ac1" }, minutes: 30, passes: (v) => v < 1.508, goal: "C1 < 1.508" },
  "c1-ttt": {
    config: { problem: "ac1", init: "ttt_discover", groups: 2, groupSize: 8, rolloutTimeoutSeconds: 40 },
    minutes: 30,
    passes: (v) => v <= C1.ttt_discover.value - 1e-6,
    goal: `C1 <= ${C1.ttt_discover.value} - 1e-6`,
  },
  "c1-record": {
    config: {
      problem: "ac1",
      init: "einsteinarena_2026",
      groups: 2,
      groupSize: 8,
      rolloutTimeoutSeconds: 60,
    },
    minutes: 60,
    passes: (v) => v < C1.einsteinarena_2026.value,
    goal: `C1 < ${C1.einsteinarena_2026.value} (a new record)`,
  },
  c2: { config: { problem: "ac2" }, minutes: 30, passes: (v) => v >= 0.94, goal: "C2 >= 0.94" },
  c3: { config: { problem: "ac3" }, minutes: 30, passes: (v) => v <= 1.46, goal: "C3 <= 1.46" },
};

async function benchTargets(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      only: { type: "string" },
      minutes: { type: "string" },
      seeds: { type: "string" },
      workers: { type: "string" },
    },
  });
  const names = values.only ? values.only.split(",") : ["c1", "c1-ttt", "c2", "c3"];
  const seeds = (values.seeds ?? "0,1,2").split(",").map(Number);
  for (const name of names) {
    const target = TARGETS[name];
    if (!target) throw new Error(`unknown target "${name}": ${Object.keys(TARGETS).join(", ")}`);
    const minutes = values.minutes ? Number(values.minutes) : target.minutes;
    const config: RunConfigInput = {
      ...target.config,
      steps: 100_000,
      minutes,
      ...(values.workers ? { workers: Number(values.workers) } : {}),
    };
    const results = await benchDiscovery(config, name === "c1-record" ? [seeds[0]] : seeds);
    const value = median(results.map((r) => r.best));
    console.log(
      `${name}: median ${value} over ${results.length} seed(s), ${minutes} min each; target ${target.goal}: ${
        target.passes(value) ? "met" : "not met"
      }`,
    );
  }
}

if (import.meta.main) {
  const what = Deno.args[0] ?? "verifier";
  if (what === "verifier") benchVerifiers();
  else if (what === "moves") await benchMoves();
  else if (what === "targets") await benchTargets(Deno.args.slice(1));
  else throw new Error(`unknown benchmark "${what}": verifier | moves | targets`);
}
