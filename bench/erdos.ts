/**
 * Erdős benchmarks.
 *   deno run -A bench/erdos.ts [--seeds 0,1,2] [--long 30]   all of the figures (the default)
 *   deno run -A bench/erdos.ts verifier      evaluations/s at n = 600, FFT vs direct O(n^2)
 *   deno run -A bench/erdos.ts climb [s]     random-program hill climb from a random start
 *   deno run -A bench/erdos.ts warm NAME [MINUTES] [--seeds 0]
 *                                            the method from a published construction (ttt_discover,
 *                                            einsteinarena_2026, ...): start, certified end, change
 *   deno run -A bench/erdos.ts random MINUTES [--seeds 0,1,2]
 *                                            long runs from the paper's random starts
 */
import { parseArgs } from "node:util";
import type { Move, Program } from "../lib/grammar.ts";
import { benchDiscovery } from "./discovery.ts";
import { formatProgram } from "../lib/grammar.ts";
import { Rng } from "../lib/rng.ts";
import { erdos } from "../problems/erdos/mod.ts";
import { certifyOverlap, evaluateHeights } from "../problems/erdos/verifier.ts";

/** Evaluations per second: median of `runs` timed runs of at least `seconds` each. */
function rate(evaluate: (h: number[]) => unknown, heights: number[], runs = 5, seconds = 1): number {
  const rates: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    let count = 0;
    while (performance.now() - start < seconds * 1000) {
      evaluate(heights);
      count++;
    }
    rates.push(count / ((performance.now() - start) / 1000));
  }
  rates.sort((a, b) => a - b);
  return rates[Math.floor(rates.length / 2)];
}

export interface VerifierBench {
  readonly n: number;
  readonly fftPerSecond: number;
  readonly directPerSecond: number;
}

/** Verifier throughput at n = 600 on one core, against the O(n^2) direct sum. */
export function benchErdosVerifier(n = 600): Promise<VerifierBench> {
  const rng = new Rng(600);
  const heights = Array.from({ length: n }, () => 0.5 + rng.uniform(-0.4, 0.4));
  const fftPerSecond = rate(evaluateHeights, heights);
  const directPerSecond = rate(certifyOverlap, heights);
  console.log(
    `erdos verifier n=${n}: fft ${fftPerSecond.toFixed(0)} evals/s, direct ${
      directPerSecond.toFixed(0)
    } evals/s ` +
      `(${(fftPerSecond / directPerSecond).toFixed(1)}x)`,
  );
  return Promise.resolve({ n, fftPerSecond, directPerSecond });
}

/** A uniformly random program of 1..maxMoves moves from the Erdős grammar. */
export function randomProgram(rng: Rng): Program {
  const length = 1 + rng.int(erdos.grammar.maxMoves);
  const moves: Move[] = [];
  for (let m = 0; m < length; m++) {
    const op = erdos.grammar.operators[rng.int(erdos.grammar.operators.length)];
    const params = Object.fromEntries(op.params.map((p) => [p.name, p.choices[rng.int(p.choices.length)]]));
    moves.push({ op: op.name, params });
  }
  return moves;
}

/**
 * Greedy hill climb with random programs: the floor any learned policy should beat.
 * Reports the best C5 at each checkpoint (seconds).
 */
export async function climbErdos(checkpoints: number[], seed = 1): Promise<Array<[number, number]>> {
  const rng = new Rng(seed);
  let state = erdos.initialStates(rng, erdos.optionsSchema.parse({}), "random")[0];
  let best = erdos.evaluate(state).value!;
  const start = performance.now();
  const report: Array<[number, number]> = [];
  let tries = 0;
  for (const checkpoint of checkpoints) {
    while ((performance.now() - start) / 1000 < checkpoint) {
      const program = randomProgram(rng);
      tries++;
      try {
        const child = await erdos.apply(program, state, { rng });
        const value = erdos.evaluate(child).value;
        if (value !== null && value < best) {
          best = value;
          state = child;
          const t = ((performance.now() - start) / 1000).toFixed(1);
          console.log(`${t}s  C5 ${best.toFixed(7)}  n=${child.heights.length}  ${formatProgram(program)}`);
        }
      } catch (e) {
        console.log(`error: ${e instanceof Error ? e.message : e}`);
      }
    }
    report.push([checkpoint, best]);
    console.log(`after ${checkpoint}s (${tries} programs): C5 ${best.toFixed(7)}`);
  }
  return report;
}

/** The figures: verifier throughput, the default run for several seeds, optionally a long run. */
async function benchAll(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { seeds: { type: "string" }, long: { type: "string" } } });
  await benchErdosVerifier(600);
  // The default `deno task run erdos` configuration: the problem's run defaults.
  await benchDiscovery({ problem: "erdos" }, (values.seeds ?? "0,1,2").split(",").map(Number));
  if (values.long) {
    await benchDiscovery({ problem: "erdos", steps: 100_000, minutes: Number(values.long) }, [0]);
  }
}

/**
 * Warm-start runs: small groups (each rollout at n = 600 can spend a minute in SLP), a
 * rollout limit of two minutes; the change is certified by the O(n^2) sum on both ends.
 */
async function benchWarm(name: string, minutes: number, seeds: number[]): Promise<void> {
  const start = erdos.initialStates(new Rng(0), erdos.optionsSchema.parse({}), name)[0];
  const before = certifyOverlap(start).value!;
  const config = {
    problem: "erdos",
    init: name,
    minutes,
    steps: 100_000,
    groups: 2,
    groupSize: 4,
    rolloutTimeoutSeconds: 120,
  };
  for (const result of await benchDiscovery(config, seeds)) {
    const best = JSON.parse(Deno.readTextFileSync(`${result.runDir}/best.json`));
    const after = best.certified?.value ?? certifyOverlap(best.construction).value!;
    console.log(
      `erdos from ${name} (${before}), ${minutes} min, seed ${result.seed}: certified ${after} ` +
        `(change ${(after - before).toExponential(3)}, ${result.steps} steps)`,
    );
  }
}

function seedsFlag(args: string[], fallback: string): number[] {
  const { values } = parseArgs({ args, options: { seeds: { type: "string" } }, allowPositionals: true });
  return (values.seeds ?? fallback).split(",").map(Number);
}

if (import.meta.main) {
  const [what = "all", arg] = Deno.args;
  if (what === "all") await benchAll(Deno.args.slice(what === Deno.args[0] ? 1 : 0));
  else if (what === "verifier") await benchErdosVerifier();
  else if (what === "climb") await climbErdos([60, Number(arg ?? 180)], Number(Deno.args[2] ?? 1));
  else if (what === "warm") {
    await benchWarm(arg ?? "ttt_discover", Number(Deno.args[2] ?? 30), seedsFlag(Deno.args.slice(3), "0"));
  } else if (what === "random") {
    const minutes = Number(arg ?? 30);
    await benchDiscovery(
      { problem: "erdos", steps: 100_000, minutes },
      seedsFlag(Deno.args.slice(2), "0,1,2"),
    );
  } else if (what.startsWith("--")) await benchAll(Deno.args);
  else {throw new Error(
      `usage: bench/erdos.ts [all] [--seeds 0,1,2] [--long MINUTES] | verifier | climb [seconds] [seed]` +
        ` | warm NAME [MINUTES] [--seeds S] | random MINUTES [--seeds S]`,
    );}
}
