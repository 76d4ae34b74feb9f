/**
 * AtCoder Heuristic Contest 058, "Apple Incremental Game": strengthen a hierarchy of apple
 * machines over 500 turns to end with as many apples as possible; score round(1e5 log2 S).
 *
 * Built-in route: the state is the parameter set of a TypeScript solver (solver.ts); moves change
 * the parameters, and the verifier runs the solver on a fixed case set and rewards the mean exact
 * score (0 if any case fails). C++ route: native.ts compiles and judges a C++ program on cases.
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
import { ahc058Features, FEATURE_NAMES } from "./features.ts";
import { applesPlot } from "./figures.ts";
import { applyProgram, grammar } from "./moves.ts";
import { BASELINE_PARAMS, OBJECTIVES, solve, type SolverParams } from "./solver.ts";
import {
  type Ahc058State,
  LADDER_NAMES,
  LADDERS,
  ladderValue,
  snapToLadders,
  stateFromJSON,
  stateKey,
  withLadderValue,
} from "./state.ts";

export const Ahc058OptionsSchema = z.object({
  /** Judge on our generated cases (default; keeps the official seeds for testing) or the official ones. */
  cases: z.enum(["generated", "official"]).default("generated"),
  caseCount: z.number().int().min(1).max(100).default(10),
  /** First seed of the case set. */
  caseSeed: z.number().int().min(0).default(0),
  /** Random initial states besides the greedy baseline. */
  initialCount: z.number().int().min(0).max(100).default(3),
}).strict();
export type Ahc058Options = z.infer<typeof Ahc058OptionsSchema>;

function caseSpec(options: Ahc058Options): Ahc058State["cases"] {
  return options.cases === "official"
    ? {
      source: "official",
      first: Math.min(options.caseSeed, 99),
      count: Math.min(options.caseCount, 100 - Math.min(options.caseSeed, 99)),
    }
    : { source: "generated", seed: options.caseSeed, count: options.caseCount };
}

function randomParams(rng: Rng): SolverParams {
  let params: SolverParams = { ...BASELINE_PARAMS, objective: OBJECTIVES[rng.int(OBJECTIVES.length)] };
  for (const name of LADDER_NAMES) {
    params = withLadderValue(params, name, redraw(LADDERS[name], ladderValue(params, name), rng));
  }
  return params;
}

/** A built-in state (solver parameters) or a judged C++ program (the language route). */
export type Ahc058AnyState = Ahc058State | CppProgramState;

function builtinOnly(state: Ahc058AnyState): Ahc058State {
  if (isCppProgramState(state)) {
    throw new Error("a C++ program state has no solver parameters for the move grammar (built-in route)");
  }
  return state;
}

export const ahc058: {
  /** The seeds are built-in states (the language route starts from them too). */
  initialStates(rng: Rng, options: Ahc058Options, init?: string): Ahc058State[];
} & FullProblem<Ahc058AnyState, Ahc058Options> = {
  name: "ahc058",
  title: "AHC058 Apple Incremental Game (mean score of a parameterised solver)",
  direction: "maximize",
  quantity: "mean score per case",
  record: { value: 847_674_723 / 150, source: "best human's AHC058 contest total / 150 cases" },
  optionsSchema: Ahc058OptionsSchema,
  warmStarts: ["baseline"],

  initialStates(rng, options, init = "random") {
    const cases = caseSpec(options);
    const baseline: Ahc058State = { solver: snapToLadders(BASELINE_PARAMS), cases };
    if (init === "baseline") return [baseline];
    if (init !== "random") throw new Error(`unknown ahc058 initial state "${init}"; valid: random, baseline`);
    return [
      baseline,
      ...Array.from({ length: options.initialCount }, () => ({ solver: randomParams(rng), cases })),
    ];
  },

  evaluate: (json) => isCppProgramState(json) ? programs.evaluate(json) : evaluateState(json),
  grammar,
  featureNames: FEATURE_NAMES,
  features: (state, evaluation) => ahc058Features(builtinOnly(state), evaluation),
  apply: (program, state, context) => applyProgram(program, builtinOnly(state), context),

  // Language route: the model writes a C++ solver, judged on the state's cases (atcoder/program.ts).
  prompt,
  parse,
  judge: (program, parent, limits) => programs.judge(program, parent.cases, limits),

  figures(state) {
    if (isCppProgramState(state)) return [verdictFigure(state, "the C++ program's score per case")];
    const first = loadCases(state.cases)[0];
    return [applesPlot([
      { label: "this solver", input: first.input, actions: solve(first.input, state.solver) },
      { label: "greedy baseline", input: first.input, actions: solve(first.input, BASELINE_PARAMS) },
    ], `apples over time, case ${first.name}`)];
  },
  // A state costs ~0.1-0.3 s (10 cases): 40 steps took ~4 min on 2 shared cores; the minutes cap ends longer runs.
  runDefaults: { steps: 80, groups: 4, groupSize: 8, minutes: 9, klCoef: 0.01 },

  toJSON: (state) =>
    isCppProgramState(state) ? structuredClone(state) : ({
      solver: { ...state.solver, boost: [...state.solver.boost] },
      cases: { ...state.cases },
    }),
  fromJSON: (json) => isCppProgramState(json) ? programs.fromJSON(json) : stateFromJSON(json),
  stateKey: (state) => isCppProgramState(state) ? programStateKey(state) : stateKey(state),
};

export { BASELINE_PARAMS, solve } from "./solver.ts";
export { scoreActions, scoreOutput, simulate } from "./scorer.ts";
export { formatInput, parseInput } from "./input.ts";
export { generateCase, generateInput } from "./generator.ts";
export { loadCases, officialText } from "./cases.ts";
export type { Ahc058State } from "./state.ts";
