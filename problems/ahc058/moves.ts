/**
 * The AHC058 move grammar: moves change the solver's parameters (step along a ladder, set the
 * target rule, or redraw a few parameters at random). Deterministic given the rng.
 */
import { defineMoves, type Program } from "../../lib/grammar.ts";
import type { MoveContext } from "../../lib/problem.ts";
import { redraw, stepOnLadder } from "../atcoder/ladder.ts";
import { OBJECTIVES, type SolverParams } from "./solver.ts";
import { type Ahc058State, LADDER_NAMES, LADDERS, ladderValue, withLadderValue } from "./state.ts";

export const MOVES = defineMoves({
  name: "ahc058",
  maxMoves: 3,
  operators: {
    step: {
      description: "move one parameter up or down its ladder of values",
      params: { param: { choices: LADDER_NAMES }, by: { choices: [-2, -1, 1, 2] } },
    },
    objective: {
      description: "how the target is chosen: yield/cost, yield-cost, or (yield-cost)/(wait+delay)",
      params: { kind: { choices: OBJECTIVES } },
    },
    mutate: {
      description: "redraw this many parameters at random",
      params: { count: { choices: [1, 2, 3] } },
    },
  },
});

export const grammar = MOVES.grammar;

export function applyProgram(program: Program, state: Ahc058State, context: MoveContext): Ahc058State {
  let solver: SolverParams = state.solver;
  for (const move of program) {
    solver = MOVES.dispatch(move, {
      step: (p) =>
        withLadderValue(solver, p.param, stepOnLadder(LADDERS[p.param], ladderValue(solver, p.param), p.by)),
      objective: (p) => ({ ...solver, objective: p.kind }),
      mutate: (p) => {
        let s = solver;
        for (let k = 0; k < p.count; k++) {
          const name = LADDER_NAMES[context.rng.int(LADDER_NAMES.length)];
          s = withLadderValue(s, name, redraw(LADDERS[name], ladderValue(s, name), context.rng));
        }
        return s;
      },
    });
  }
  return { solver, cases: state.cases };
}
