/** AHC039's language-model prompt (statement in our own words) and reply parser. */
import type { Evaluation } from "../../lib/problem.ts";
import { buildPrompt, type CppProgramState, parseCppProgram } from "../atcoder/prompt.ts";

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

export function prompt(state: CppProgramState | null, evaluation: Evaluation | null): string {
  return buildPrompt({ title: "AtCoder Heuristic Contest 039", statement: STATEMENT }, state, evaluation);
}

export const parse = parseCppProgram;
