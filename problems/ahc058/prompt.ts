/** AHC058's language-model prompt (statement in our own words) and reply parser. */
import type { Evaluation } from "../../lib/problem.ts";
import { buildPrompt, type CppProgramState, parseCppProgram } from "../atcoder/prompt.ts";

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

export function prompt(state: CppProgramState | null, evaluation: Evaluation | null): string {
  return buildPrompt(
    {
      title: "AtCoder Heuristic Contest 058",
      statement: STATEMENT,
      target: "the best human's contest total was 847,674,723 over 150 cases (about 5.65e6 per case)",
    },
    state,
    evaluation,
  );
}

export const parse = parseCppProgram;
