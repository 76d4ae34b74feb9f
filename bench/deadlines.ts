/**
 * Deadline adherence of every operator of the built-in grammars: each operator, at its most
 * expensive parameter choices and at a mid setting, runs as a one-move program on a few
 * representative states (the initial states, a warm start, and a large state the grammar can
 * reach) with `deadline = Date.now() + D`, and the overrun (elapsed - D) is reported. Equal
 * effort (--effort) is only fair if every move returns promptly at its deadline.
 *
 *   deno run -A bench/deadlines.ts [--deadline-ms 500] [--problems erdos,ac1] [--ops slp,hop] [--json out.json]
 *
 * The AtCoder problems (ahc039, ahc058) and denoise have parameter-only moves (instant; the
 * external program runs in the evaluation, under its own time limit), and trimul's moves
 * compile and time a kernel under the harness's own timeout: they are not timed here.
 */
import { parseArgs } from "node:util";
import type { Move, MoveGrammar, ParamValue } from "../lib/grammar.ts";
import { loadProblem, requireBuiltin } from "../lib/problem_module.ts";
import { Rng } from "../lib/rng.ts";
import { resample as resampleErdos, RESAMPLE_MAX_PIECES as ERDOS_MAX } from "../problems/erdos/moves.ts";
import { verifierSafe } from "../problems/erdos/projection.ts";
import {
  normaliseMax,
  resample as resampleHeights,
  RESAMPLE_MAX_PIECES,
} from "../problems/autocorrelation/moves.ts";
import type { Variant } from "../problems/autocorrelation/verifier.ts";

/** A setting of one operator: a choice index per parameter ("last", "mid", "first" or a number). */
type Pick = "first" | "mid" | "last" | number;
type Setting = Readonly<Record<string, Pick>>;

export interface BenchCase {
  readonly label: string;
  readonly op: string;
  readonly settings: Readonly<Record<string, Setting>>;
}

/** Per problem: the most expensive setting ("max") and a mid one of each operator. */
const ERDOS: BenchCase[] = [
  {
    label: "descend",
    op: "descend",
    settings: {
      max: { iters: "last", temp: "mid", lr: "mid", anneal: 0, jitter: 0 },
      mid: { iters: 1, temp: "mid", lr: "mid", anneal: 1, jitter: "mid" },
    },
  },
  {
    label: "slp",
    op: "slp",
    settings: { max: { iters: "last", radius: "last" }, mid: { iters: 1, radius: "mid" } },
  },
  {
    label: "hop",
    op: "hop",
    settings: { max: { tries: "last", scale: "mid" }, mid: { tries: 1, scale: "mid" } },
  },
  { label: "perturb", op: "perturb", settings: { max: { kind: 0, scale: "last" } } },
  { label: "resample", op: "resample", settings: { max: { to: 2, interp: 1 } } },
  { label: "symmetrise", op: "symmetrise", settings: { max: { mode: 0 } } },
];

function autocorrelationCases(variant: Variant): BenchCase[] {
  return [
    {
      label: "adam",
      op: "adam",
      settings: {
        max: { iters: "last", lr: 2, temp: 1, anneal: 0, param: "last", patience: 0 },
        mid: { iters: 1, lr: 2, temp: 1, anneal: 1, param: 0, patience: 1 },
      },
    },
    ...(variant === "ac2" ? [] : [{
      label: "lp",
      op: "lp",
      settings: {
        max: { iters: "last", tight: 0, resolution: "last", radius: 1 },
        mid: { iters: 1, tight: 1, resolution: 1, radius: 1 },
      } as Record<string, Setting>,
    }]),
    {
      label: "basin",
      op: "basin",
      settings: {
        max: { restarts: "last", iters: "last", scale: 1, temp: 0, kind: 0 },
        mid: { restarts: 1, iters: 0, scale: 1, temp: 0, kind: 1 },
      },
    },
    { label: "resample", op: "resample", settings: { max: { to: "last", interp: 1 } } },
    { label: "perturb", op: "perturb", settings: { max: { kind: 0, scale: "last" } } },
  ];
}

const CIRCLES: BenchCase[] = [
  {
    label: "hop",
    op: "hop",
    settings: { max: { perturb: 0, k: "last", hops: "last" }, mid: { perturb: 1, k: 1, hops: 1 } },
  },
  {
    label: "restart",
    op: "restart",
    settings: { max: { starts: "last", keep: 0 }, mid: { starts: 1, keep: 1 } },
  },
  {
    label: "descend",
    op: "descend",
    settings: { max: { mu: 0, jitter: "last", polish: "last" }, mid: { mu: 1, jitter: 1, polish: 1 } },
  },
];

function casesOf(problem: string): BenchCase[] {
  if (problem === "erdos") return ERDOS;
  if (problem === "ac1" || problem === "ac2" || problem === "ac3") return autocorrelationCases(problem);
  if (problem.startsWith("circles")) return CIRCLES;
  throw new Error(`no deadline cases for ${problem}`);
}

/** The move of an operator at a setting (a parameter left out takes its middle choice). */
export function moveAt(grammar: MoveGrammar, op: string, setting: Setting): Move {
  const spec = grammar.operators.find((o) => o.name === op);
  if (!spec) throw new Error(`no operator ${op}`);
  const params: Record<string, ParamValue> = {};
  for (const p of spec.params) {
    const pick = setting[p.name] ?? "mid";
    const n = p.choices.length;
    const i = pick === "first" ? 0 : pick === "last" ? n - 1 : pick === "mid" ? Math.floor(n / 2) : pick;
    params[p.name] = p.choices[Math.min(n - 1, i)];
  }
  return { op, params };
}

/** Representative states: two initial ones, a warm start, and the largest the grammar reaches. */
// deno-lint-ignore no-explicit-any
export function statesOf(name: string, problem: any): { label: string; state: unknown }[] {
  const rng = new Rng(7);
  const options = problem.optionsSchema.parse({});
  const initial = problem.initialStates(rng, options).slice(0, 2);
  const out = initial.map((state: unknown, i: number) => ({ label: `initial${i}`, state }));
  if (name === "erdos") {
    const warm = problem.initialStates(rng, options, "ttt_discover")[0];
    out.push({ label: `ttt_discover(${warm.heights.length})`, state: warm });
    // The record (3,584 pieces: block-coordinate LPs of 800 columns) and the largest piece count
    // resample reaches, from it (near-optimal: many near-tight shifts, the largest LPs).
    const record = problem.initialStates(rng, options, "einsteinarena_2026")[0];
    const big = verifierSafe(resampleErdos(Float64Array.from(record.heights), ERDOS_MAX, "linear"));
    out.push({ label: `resampled(${big.length})`, state: { heights: Array.from(big) } });
    out.push({ label: `einsteinarena_2026(${record.heights.length})`, state: record });
  } else if (name === "ac1" || name === "ac2" || name === "ac3") {
    const warmName = name === "ac2" ? "ttt_discover" : "alphaevolve_v2";
    const warm = problem.initialStates(rng, options, warmName)[0];
    out.push({ label: `${warmName}(${warm.heights.length})`, state: warm });
    const m = RESAMPLE_MAX_PIECES[name as Variant];
    const big = normaliseMax(resampleHeights(warm.heights, m, "linear"));
    out.push({ label: `resampled(${m})`, state: { heights: Array.from(big) } });
  } else if (name.startsWith("circles")) {
    const found = problem.warmStarts?.[0];
    if (found) out.push({ label: found, state: problem.initialStates(rng, options, found)[0] });
  }
  return out;
}

export interface Timing {
  readonly problem: string;
  readonly state: string;
  readonly op: string;
  readonly setting: string;
  readonly elapsedMs: number;
  readonly overrunMs: number;
  readonly valid: boolean;
}

/** Runs one move with `deadline = now + deadlineMs`; the elapsed time and whether the result is valid. */
export async function timeMove(
  // deno-lint-ignore no-explicit-any
  problem: any,
  move: Move,
  state: unknown,
  deadlineMs: number,
  seed = 1,
): Promise<{ elapsedMs: number; valid: boolean }> {
  const started = Date.now();
  const out = await problem.apply([move], state, { rng: new Rng(seed), deadline: started + deadlineMs });
  const elapsedMs = Date.now() - started;
  const evaluation = await problem.evaluate(out);
  return { elapsedMs, valid: evaluation.valid };
}

if (import.meta.main) {
  const { values: args } = parseArgs({
    args: Deno.args,
    options: Object.fromEntries(
      ["deadline-ms", "problems", "ops", "json", "states"].map((k) => [k, { type: "string" as const }]),
    ),
  });
  const deadlineMs = Number(args["deadline-ms"] ?? 500);
  const names = (args.problems ?? "erdos,ac1,ac2,ac3,circles26,circles32").split(",");
  const ops = args.ops?.split(",");
  const stateFilter = args.states?.split(",");
  const timings: Timing[] = [];
  console.log(`deadline ${deadlineMs} ms; load ${Deno.loadavg().map((x) => x.toFixed(2)).join(" ")}`);
  console.log(["problem", "state", "op", "setting", "elapsed ms", "overrun ms", "valid"].join("\t"));
  for (const name of names) {
    const problem = requireBuiltin(await loadProblem(name));
    const states = statesOf(name, problem).filter((s) =>
      !stateFilter || stateFilter.some((f) => s.label.startsWith(f))
    );
    for (const c of casesOf(name)) {
      if (ops && !ops.includes(c.label)) continue;
      for (const [setting, picks] of Object.entries(c.settings)) {
        const move = moveAt(problem.grammar, c.op, picks);
        for (const { label, state } of states) {
          const { elapsedMs, valid } = await timeMove(problem, move, state, deadlineMs);
          const t = {
            problem: name,
            state: label,
            op: c.label,
            setting: `${setting} ${JSON.stringify(move.params)}`,
            elapsedMs,
            overrunMs: elapsedMs - deadlineMs,
            valid,
          };
          timings.push(t);
          console.log([t.problem, t.state, t.op, t.setting, t.elapsedMs, t.overrunMs, t.valid].join("\t"));
        }
      }
    }
  }
  console.log(`load ${Deno.loadavg().map((x) => x.toFixed(2)).join(" ")}`);
  if (args.json) Deno.writeTextFileSync(args.json, JSON.stringify({ deadlineMs, timings }, null, 2));
}
