/**
 * AtCoder Heuristic Contest 039, "Purse Seine Fishing": an axis-parallel simple polygon
 * (<= 1000 vertices, perimeter <= 4e5) catching as many of 5000 mackerels and as few of 5000
 * sardines as possible; score max(0, a - b + 1).
 *
 * Built-in route: the state is the parameter set of a TypeScript solver (grid, region growing by
 * simulated annealing, refinement); moves change the parameters, and the verifier runs the solver
 * on a fixed case set and rewards the mean exact score (0 if any case fails). C++ route: native.ts.
 */
import { z } from "zod";
import type { FullProblem } from "../../lib/problem.ts";
import {
  type CppProgramState,
  isCppProgramState,
  programStateKey,
  verdictFigure,
} from "../atcoder/program.ts";
import { parse, programs, prompt } from "./prompt.ts";
import type { Rng } from "../../lib/rng.ts";
import { redraw } from "../atcoder/ladder.ts";
import { loadCases } from "./cases.ts";
import { evaluateState } from "./evaluate.ts";
import { ahc039Features, FEATURE_NAMES } from "./features.ts";
import { fishPlot } from "./figures.ts";
import { applyProgram, grammar } from "./moves.ts";
import { scorePolygon } from "./scorer.ts";
import { BASELINE_PARAMS, solve, type SolverParams } from "./solver.ts";
import { type Ahc039State, LADDER_NAMES, LADDERS, snapToLadders, stateFromJSON, stateKey } from "./state.ts";

export const Ahc039OptionsSchema = z.object({
  caseCount: z.number().int().min(1).max(100).default(8),
  /** First seed of the generated case set. */
  caseSeed: z.number().int().min(0).default(0),
  /** Random initial states besides the best-rectangle baseline. */
  initialCount: z.number().int().min(0).max(100).default(3),
}).strict();
export type Ahc039Options = z.infer<typeof Ahc039OptionsSchema>;

function randomParams(rng: Rng): SolverParams {
  const out: Record<string, number> = { ...BASELINE_PARAMS, seed: rng.int(1_000_000) };
  for (const name of LADDER_NAMES) out[name] = redraw(LADDERS[name], out[name], rng);
  return out as unknown as SolverParams;
}

/** A built-in state (solver parameters) or a judged C++ program (the language route). */
export type Ahc039AnyState = Ahc039State | CppProgramState;

function builtinOnly(state: Ahc039AnyState): Ahc039State {
  if (isCppProgramState(state)) {
    throw new Error("a C++ program state has no solver parameters for the move grammar (built-in route)");
  }
  return state;
}

export const ahc039: {
  /** The seeds are built-in states (the language route starts from them too). */
  initialStates(rng: Rng, options: Ahc039Options, init?: string): Ahc039State[];
} & FullProblem<Ahc039AnyState, Ahc039Options> = {
  name: "ahc039",
  title: "AHC039 Purse Seine Fishing (mean score of a parameterised solver)",
  direction: "maximize",
  quantity: "mean score per case",
  optionsSchema: Ahc039OptionsSchema,
  warmStarts: ["baseline"],

  initialStates(rng, options, init = "random") {
    const cases = { source: "generated" as const, seed: options.caseSeed, count: options.caseCount };
    const baseline: Ahc039State = { solver: snapToLadders(BASELINE_PARAMS), cases };
    if (init === "baseline") return [baseline];
    if (init !== "random") throw new Error(`unknown ahc039 initial state "${init}"; valid: random, baseline`);
    return [
      baseline,
      ...Array.from({ length: options.initialCount }, () => ({ solver: randomParams(rng), cases })),
    ];
  },

  evaluate: (json) => isCppProgramState(json) ? programs.evaluate(json) : evaluateState(json),
  grammar,
  featureNames: FEATURE_NAMES,
  features: (state, evaluation) => ahc039Features(builtinOnly(state), evaluation),
  apply: (program, state, context) => applyProgram(program, builtinOnly(state), context),

  // Language route: the model writes a C++ solver, judged on the state's cases (atcoder/program.ts).
  prompt,
  parse,
  judge: (program, parent, limits) => programs.judge(program, parent.cases, limits),

  figures(state) {
    if (isCppProgramState(state)) return [verdictFigure(state, "the C++ program's score per case")];
    const first = loadCases(state.cases)[0];
    const polygon = solve(first.input, state.solver).polygon;
    const score = scorePolygon(first.input, polygon);
    return [
      fishPlot(
        first.input,
        polygon,
        `case ${first.name}: score ${score.score}${score.error ? ` (${score.error})` : ""}`,
      ),
    ];
  },
  // A state costs up to ~0.6 s (8 cases); 30 steps x 24 rollouts stay within ~10 minutes on 2 cores.
  runDefaults: { steps: 30, groups: 3, groupSize: 8, minutes: 9, klCoef: 0.01 },

  toJSON: (state) =>
    isCppProgramState(state)
      ? structuredClone(state)
      : ({ solver: { ...state.solver }, cases: { ...state.cases } }),
  fromJSON: (json) => isCppProgramState(json) ? programs.fromJSON(json) : stateFromJSON(json),
  stateKey: (state) => isCppProgramState(state) ? programStateKey(state) : stateKey(state),
};

export { BASELINE_PARAMS, solve } from "./solver.ts";
export { scoreOutput, scorePolygon } from "./scorer.ts";
export { formatInput, parseInput } from "./input.ts";
export { generateCase, generateInput } from "./generator.ts";
export { loadCases } from "./cases.ts";
export type { Ahc039State } from "./state.ts";
