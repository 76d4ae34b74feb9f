/** What the built-in policy sees of an AHC039 state: ladder positions and the score. */
import type { Evaluation } from "../../lib/problem.ts";
import { ladderPosition } from "../atcoder/ladder.ts";
import { type Ahc039State, LADDER_NAMES, LADDERS } from "./state.ts";

export const FEATURE_NAMES = [
  ...LADDER_NAMES.map((name) => `${name}: position on its ladder`),
  "(mean score - 2500) / 1000, clipped to [-2, 2]",
];

export function ahc039Features(state: Ahc039State, evaluation: Evaluation): number[] {
  const score = evaluation.valid && evaluation.value !== null ? evaluation.value : 0;
  return [
    ...LADDER_NAMES.map((name) => ladderPosition(LADDERS[name], state.solver[name])),
    // The best rectangle scores ~2000 a case, annealed regions ~3000.
    Math.min(2, Math.max(-2, (score - 2500) / 1000)),
  ];
}
