/**
 * AHC039's language-model route: the statement in our own words, and the C++ programs the model
 * writes, judged on the state's case set (problems/atcoder/program.ts).
 */
import type { Evaluation, PromptContext } from "../../lib/problem.ts";
import { contestPrograms, type CppProgramState, parseCppProgram } from "../atcoder/program.ts";
import { loadCases } from "./cases.ts";
import { scoreOutput } from "./scorer.ts";
import type { Ahc039State } from "./state.ts";

export const STATEMENT = `
AtCoder Heuristic Contest 039, "Purse Seine Fishing". N = 5000 mackerels and N = 5000 sardines lie on
distinct integer points of [0, 100000]^2. Output one polygon whose edges are all parallel to the axes,
with 4 <= m <= 1000 distinct integer vertices in [0, 100000]^2, total edge length at most 400000, and no
self-intersection (non-adjacent edges share no point; adjacent edges meet only at their common vertex).
Points on the boundary count as inside. Score = max(0, a - b + 1) with a mackerels and b sardines inside.
Input (stdin): N, then 2N lines "x y": the mackerels first, then the sardines.
Generation per species: 10..25 clusters with weight U(0,1), centre uniform in [20000, 80000]^2 and sigma
in [1000, 5000]; each fish is a rounded normal sample around a cluster picked by weight.
Output (stdout): m, then m lines "x y" in order (clockwise or counter-clockwise); if several polygons are
printed, the last one is judged. An illegal polygon scores 0.`;

/** The C++ route: verifier, judge and prompt of AHC039 program states. */
export const programs = contestPrograms({
  contest: "ahc039",
  title: "AtCoder Heuristic Contest 039",
  statement: STATEMENT,
  starter: () => Deno.readTextFileSync(new URL("./cpp/rectangle.cpp", import.meta.url)),
  loadCases,
  scoreOutput,
});

const DEFAULT_CONTEXT: PromptContext = { maxChars: 60_000, timeoutSeconds: 60 };

/** The prompt for one attempt from a program state, or from a built-in state (a seed). */
export function prompt(
  state: Ahc039State | CppProgramState,
  evaluation: Evaluation,
  context: PromptContext = DEFAULT_CONTEXT,
): string {
  return programs.prompt(state, evaluation, context, () => {
    const s = (state as Ahc039State).solver;
    return `The current solution is the toolkit's own parameterised solver (TypeScript, not shown: a ` +
      `${s.grid} x ${s.grid} grid, region growing by simulated annealing, then refinement).`;
  });
}

export const parse = parseCppProgram;
