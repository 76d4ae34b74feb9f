/**
 * The AHC058 move grammar: moves change the solver's parameters (step along a ladder, set the
 * target rule, or redraw a few parameters at random). Deterministic given the rng.
 */
import { type MoveGrammar, moveParam, type ParamValue, type Program } from "../../lib/grammar.ts";
import type { MoveContext } from "../../lib/problem.ts";
import { redraw, stepOnLadder } from "../atcoder/ladder.ts";
import { OBJECTIVES, type SolverParams } from "./solver.ts";
import { type Ahc058State, LADDER_NAMES, LADDERS, ladderValue, withLadderValue } from "./state.ts";

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
    {
      name: "objective",
      description: "how the target is chosen: yield/cost, yield-cost, or (yield-cost)/(wait+delay)",
      params: [{ name: "kind", choices: OBJECTIVES }],
    },
    {
      name: "mutate",
      description: "redraw this many parameters at random",
      params: [{ name: "count", choices: [1, 2, 3] }],
    },
  ],
};

const param = (move: Program[number], name: string): ParamValue => moveParam(grammar, move, name);

export function applyProgram(program: Program, state: Ahc058State, context: MoveContext): Ahc058State {
  let solver: SolverParams = state.solver;
  for (const move of program) {
    switch (move.op) {
      case "step": {
        const name = param(move, "param") as keyof typeof LADDERS;
        const value = stepOnLadder(LADDERS[name], ladderValue(solver, name), param(move, "by") as number);
        solver = withLadderValue(solver, name, value);
        break;
      }
      case "objective":
        solver = { ...solver, objective: param(move, "kind") as SolverParams["objective"] };
        break;
      case "mutate": {
        const count = param(move, "count") as number;
        for (let k = 0; k < count; k++) {
          const name = LADDER_NAMES[context.rng.int(LADDER_NAMES.length)];
          solver = withLadderValue(
            solver,
            name,
            redraw(LADDERS[name], ladderValue(solver, name), context.rng),
          );
        }
        break;
      }
      default:
        throw new Error(`unknown ahc058 operator "${move.op}"`);
    }
  }
  return { solver, cases: state.cases };
}
