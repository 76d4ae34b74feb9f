/** What the built-in policy sees of an AHC058 state: ladder positions, the rule, and the score. */
import type { Evaluation } from "../../lib/problem.ts";
import { ladderPosition } from "../atcoder/ladder.ts";
import { OBJECTIVES } from "./solver.ts";
import { type Ahc058State, LADDER_NAMES, LADDERS, ladderValue } from "./state.ts";

export const FEATURE_NAMES = [
  ...LADDER_NAMES.map((name) => `${name}: position on its ladder`),
  ...OBJECTIVES.map((o) => `objective is ${o}`),
  "(mean score - 4.5e6) / 1e6, clipped to [-2, 2]",
];

export function ahc058Features(state: Ahc058State, evaluation: Evaluation): number[] {
  const score = evaluation.valid && evaluation.value !== null ? evaluation.value : 0;
  return [
    ...LADDER_NAMES.map((name) => ladderPosition(LADDERS[name], ladderValue(state.solver, name))),
    ...OBJECTIVES.map((o) => (state.solver.objective === o ? 1 : 0)),
    // Mean scores of plain greedy plans sit near 3e6, the best human's near 5.65e6.
    Math.min(2, Math.max(-2, (score - 4.5e6) / 1e6)),
  ];
}
