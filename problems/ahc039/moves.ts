/**
 * The AHC039 move grammar: moves change the solver's parameters (step along a ladder, reseed
 * the annealing, or redraw a few parameters at random). Deterministic given the rng.
 */
import { defineMoves, type Program } from "../../lib/grammar.ts";
import type { MoveContext } from "../../lib/problem.ts";
import { redraw, stepOnLadder } from "../atcoder/ladder.ts";
import type { SolverParams } from "./solver.ts";
import { type Ahc039State, LADDER_NAMES, LADDERS } from "./state.ts";

export const MOVES = defineMoves({
  name: "ahc039",
  maxMoves: 3,
  operators: {
    step: {
      description: "move one parameter up or down its ladder of values",
      params: { param: { choices: LADDER_NAMES }, by: { choices: [-2, -1, 1, 2] } },
    },
    reseed: { description: "a new seed for the annealing's random numbers", params: {} },
    mutate: {
      description: "redraw this many parameters at random",
      params: { count: { choices: [1, 2, 3] } },
    },
  },
});

export const grammar = MOVES.grammar;

export function applyProgram(program: Program, state: Ahc039State, context: MoveContext): Ahc039State {
  let solver: SolverParams = state.solver;
  for (const move of program) {
    solver = MOVES.dispatch(move, {
      step: (p) => ({ ...solver, [p.param]: stepOnLadder(LADDERS[p.param], solver[p.param], p.by) }),
      reseed: () => ({ ...solver, seed: context.rng.int(1_000_000) }),
      mutate: (p) => {
        let s = solver;
        for (let k = 0; k < p.count; k++) {
          const name = LADDER_NAMES[context.rng.int(LADDER_NAMES.length)];
          s = { ...s, [name]: redraw(LADDERS[name], s[name], context.rng) };
        }
        return s;
      },
    });
  }
  return { solver, cases: state.cases };
}
