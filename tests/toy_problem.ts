/**
 * A tiny problem for loop tests: walk an integer toward 7. Two of its operators
 * misbehave on purpose (one returns NaN, one throws) so tests can check that the
 * loop records such attempts as invalid and carries on.
 */
import { z } from "zod";
import type { MoveGrammar } from "../lib/grammar.ts";
import { type BuiltinProblem, rewardFor } from "../lib/problem.ts";

interface ToyState {
  x: number;
}

const grammar: MoveGrammar = {
  maxMoves: 2,
  operators: [
    { name: "add", description: "x += delta", params: [{ name: "delta", choices: [-2, -1, 1, 2, 3] }] },
    { name: "nan", description: "x = NaN", params: [] },
    { name: "fail", description: "throws", params: [] },
  ],
};

export const toy: BuiltinProblem<ToyState, Record<string, never>> = {
  name: "toy",
  title: "Toy walk to 7",
  direction: "minimize",
  quantity: "distance",
  optionsSchema: z.object({}).strict() as unknown as z.ZodType<Record<string, never>>,
  warmStarts: [],
  initialStates: () => [{ x: 0 }, { x: 1 }],
  evaluate(input) {
    const parsed = z.object({ x: z.number() }).safeParse(input);
    if (!parsed.success || !Number.isFinite(parsed.data.x)) {
      return { valid: false, value: null, reward: 0, error: "x must be a finite number" };
    }
    const value = Math.abs(parsed.data.x - 7) + 1;
    return { valid: true, value, reward: rewardFor("minimize", value) };
  },
  grammar,
  featureNames: ["x / 10", "bias"],
  features: (s) => [s.x / 10, 1],
  apply(program, state) {
    let x = state.x;
    for (const move of program) {
      if (move.op === "add") x += move.params.delta as number;
      if (move.op === "nan") x = NaN;
      if (move.op === "fail") throw new Error("this operator always fails");
    }
    return { x };
  },
  toJSON: (s) => ({ x: s.x }),
  fromJSON: (json) => ({ x: z.object({ x: z.number() }).parse(json).x }),
  stateKey: (s) => String(s.x),
};

/** The toy walk with one more operator that never returns, for rollout time limits. */
export const hangingToy: BuiltinProblem<ToyState, Record<string, never>> = {
  ...toy,
  name: "hanging-toy",
  grammar: {
    maxMoves: 1,
    operators: [
      { name: "add", description: "x += delta", params: [{ name: "delta", choices: [-1, 1, 2] }] },
      { name: "hang", description: "loops forever", params: [] },
    ],
  },
  apply(program, state) {
    let x = state.x;
    for (const move of program) {
      if (move.op === "add") x += move.params.delta as number;
      if (move.op === "hang") { while (true) x = (x * 7) % 13; }
    }
    return { x };
  },
};
