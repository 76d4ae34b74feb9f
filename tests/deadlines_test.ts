/**
 * Deadline adherence (equal effort is only fair if every move returns at its deadline): each
 * problem's most expensive program, on a mid-size state, under a 300 ms deadline, returns a
 * valid state well within a second and a half of it. Without the deadline these programs take
 * seconds to minutes. bench/deadlines.ts measures every operator alone.
 */
import { assert } from "./assert.ts";
import type { Move, MoveGrammar, ParamValue } from "../lib/grammar.ts";
import { loadProblem, requireBuiltin } from "../lib/problem_module.ts";
import { Rng } from "../lib/rng.ts";
import { resample as resampleHeights } from "../problems/autocorrelation/moves.ts";

const DEADLINE_MS = 300;
/** Generous: a loaded 2-core CI machine; the overruns measured are tens of ms. */
const SLACK_MS = 1_500;

/** The move with each named parameter at the choice given by index (-1: the last). */
function move(grammar: MoveGrammar, op: string, picks: Record<string, number>): Move {
  const spec = grammar.operators.find((o) => o.name === op);
  if (!spec) throw new Error(`no operator ${op}`);
  const params: Record<string, ParamValue> = {};
  for (const p of spec.params) {
    const i = picks[p.name] ?? Math.floor(p.choices.length / 2);
    params[p.name] = p.choices[i < 0 ? p.choices.length + i : i];
  }
  return { op, params };
}

interface Case {
  readonly name: string;
  // deno-lint-ignore no-explicit-any
  readonly state: (problem: any) => unknown;
  readonly program: (grammar: MoveGrammar) => Move[];
}

const autocorrelation = (name: string): Case => ({
  name,
  // A random initial state upsampled to 2,400 pieces (the grammar's n2400).
  state: (problem) => {
    const [start] = problem.initialStates(new Rng(5), problem.optionsSchema.parse({ initialCount: 1 }));
    return { heights: Array.from(resampleHeights(start.heights, 2400, "linear")) };
  },
  program: (g) => [
    ...(name === "ac2" ? [] : [move(g, "lp", { iters: -1, tight: 0, resolution: -1, radius: 1 })]),
    move(g, "basin", { restarts: -1, iters: -1, scale: 1, lr: 0, temp: 0, kind: 0 }),
    ...(name === "ac2" ? [] : [move(g, "restart", { pieces: -1, iters: -1, noise: -1, ladder: -1 })]),
    move(g, "adam", { iters: -1, lr: 2, temp: 1, anneal: 0, param: -1, patience: 0 }),
  ],
});

const circles = (name: string): Case => ({
  name,
  state: (problem) => problem.initialStates(new Rng(5), problem.optionsSchema.parse({}))[0],
  program: (g) => [
    move(g, "restart", { starts: -1, keep: 0 }),
    move(g, "descend", { mu: 0, jitter: -1, polish: -1 }),
  ],
});

const CASES: Case[] = [
  {
    name: "erdos",
    // The 600-piece TTT-Discover construction: hundreds of tight shifts, a second or more an LP.
    state: (problem) => problem.initialStates(new Rng(5), problem.optionsSchema.parse({}), "ttt_discover")[0],
    program: (g) => [
      move(g, "slp", { iters: -1, radius: -1 }),
      move(g, "hop", { tries: -1, iters: -1 }),
      move(g, "descend", { iters: -1, anneal: 0, jitter: 0 }),
    ],
  },
  autocorrelation("ac1"),
  autocorrelation("ac2"),
  autocorrelation("ac3"),
  circles("circles26"),
  circles("circles32"),
];

for (const c of CASES) {
  Deno.test(`${c.name}: its most expensive program returns a valid state soon after a ${DEADLINE_MS} ms deadline`, async () => {
    const problem = requireBuiltin(await loadProblem(c.name));
    const state = c.state(problem);
    const program = c.program(problem.grammar);
    // Warm up (HiGHS's runtime, FFT plans) outside the timed call.
    await problem.apply([program[program.length - 1]], state, { rng: new Rng(1), deadline: Date.now() + 1 });
    const started = Date.now();
    const out = await problem.apply(program, state, { rng: new Rng(2), deadline: started + DEADLINE_MS });
    const elapsed = Date.now() - started;
    assert(
      elapsed <= DEADLINE_MS + SLACK_MS,
      `${c.name}: ${JSON.stringify(program)} ran ${
        elapsed - DEADLINE_MS
      } ms past its ${DEADLINE_MS} ms deadline`,
    );
    const evaluation = await problem.evaluate(out);
    assert(evaluation.valid, `${c.name}: the state returned at the deadline is invalid: ${evaluation.error}`);
  });
}
