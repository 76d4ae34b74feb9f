/**
 * AHC058's language-model route: the statement in our own words, and the C++ programs the model
 * writes, judged on the state's case set (problems/atcoder/program.ts).
 */
import type { Evaluation, PromptContext } from "../../lib/problem.ts";
import {
  contestPrograms,
  type CppProgramState,
  isCppProgramState,
  parseCppProgram,
} from "../atcoder/program.ts";
import { loadCases } from "./cases.ts";
import { scoreOutput } from "./scorer.ts";
import type { Ahc058State } from "./state.ts";

export const STATEMENT = `
AtCoder Heuristic Contest 058, "Apple Incremental Game". There are N = 10 machine ids and L = 4 levels;
machine j^i has level i and id j. B_ij (count) starts at 1 and P_ij (power) at 0 for every machine; you
start with K = 1 apple. For T = 500 turns: first either strengthen one machine j^i, paying
C_ij * (P_ij + 1) apples (never going below 0 apples) to add 1 to P_ij, or do nothing; then, for levels
0, 1, 2, 3 in order and every id j: a level-0 machine adds A_j * B_0j * P_0j apples, a machine of level
i >= 1 adds B_ij * P_ij to B_{i-1,j}. Score = round(1e5 * log2(apples at the end)); apple counts exceed
2^53 (use 64-bit or 128-bit integers).
Input (stdin): "N L T K", then A_0..A_9 (ascending, 1..100), then L rows of C_i0..C_i9 (up to 1.25e12).
Generation: A_0 = 1, A_j = round(10^U(0,2)) sorted; C_00 = 1, C_ij = round(A_j * 500^i * 10^U(0,2)).
Output (stdout): exactly T lines, "i j" to strengthen machine j^i or "-1" to do nothing; lines starting
with # are comments. An unaffordable purchase, a bad level or id, or fewer than T actions scores 0.`;

/** The C++ route: verifier, judge and prompt of AHC058 program states. */
export const programs = contestPrograms({
  contest: "ahc058",
  title: "AtCoder Heuristic Contest 058",
  statement: STATEMENT,
  targetNote: "the best human's contest total was 847,674,723 over 150 cases (about 5.65e6 per case)",
  starter: () => Deno.readTextFileSync(new URL("./cpp/greedy.cpp", import.meta.url)),
  loadCases,
  scoreOutput,
});

const DEFAULT_CONTEXT: PromptContext = { maxChars: 60_000, timeoutSeconds: 60 };

/** The prompt for one attempt from a program state, or from a built-in state (a seed). */
export function prompt(
  state: Ahc058State | CppProgramState,
  evaluation: Evaluation,
  context: PromptContext = DEFAULT_CONTEXT,
): string {
  return programs.prompt(state, evaluation, context, () => {
    const s = (state as Ahc058State).solver;
    return `The current solution is the toolkit's own parameterised greedy solver (TypeScript, not shown; ` +
      `objective ${s.objective}, boosts ${s.boost.join("/")}).`;
  });
}

export { isCppProgramState };
export const parse = parseCppProgram;
