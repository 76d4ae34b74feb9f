/**
 * The AHC039 move grammar: moves change the solver's parameters (step along a ladder, reseed
 * the annealing, or redraw a few parameters at random). Deterministic given the rng.
 */
import { type MoveGrammar, moveParam, type ParamValue, type Program } from "../../lib/grammar.ts";
import type { MoveContext } from "../../lib/problem.ts";
import { redraw, stepOnLadder } from "../atcoder/ladder.ts";
import type { SolverParams } from "./solver.ts";
import { type Ahc039State, LADDER_NAMES, LADDERS } from "./state.ts";

export const grammar: MoveGrammar = {
  maxMoves: 3,
  operators: [
    {
      name: "step",
      description: "move one parameter up or down its ladder of values",
      params: [
        { name: "param", choices: LADDER_NAMES },
        { name: "by", choices: [-2, -1, 1, 2] },
      ],
    },
    { name: "reseed", description: "a new seed for the annealing's random numbers", params: [] },
    {
      name: "mutate",
      description: "redraw this many parameters at random",
      params: [{ name: "count", choices: [1, 2, 3] }],
    },
  ],
};

const param = (move: Program[number], name: string): ParamValue => moveParam(grammar, move, name);

export function applyProgram(program: Program, state: Ahc039State, context: MoveContext): Ahc039State {
  let solver: SolverParams = state.solver;
  for (const move of program) {
    switch (move.op) {
      case "step": {
        const name = param(move, "param") as keyof typeof LADDERS;
        solver = {
          ...solver,
          [name]: stepOnLadder(LADDERS[name], solver[name], param(move, "by") as number),
        };
        break;
      }
      case "reseed":
        solver = { ...solver, seed: context.rng.int(1_000_000) };
        break;
      case "mutate": {
        const count = param(move, "count") as number;
        for (let k = 0; k < count; k++) {
          const name = LADDER_NAMES[context.rng.int(LADDER_NAMES.length)];
          solver = { ...solver, [name]: redraw(LADDERS[name], solver[name], context.rng) };
        }
        break;
      }
      default:
        throw new Error(`unknown ahc039 operator "${move.op}"`);
    }
  }
  return { solver, cases: state.cases };
}
