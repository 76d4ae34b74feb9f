/**
 * Problems for the NATS executor tests (tests/nats_test.ts), in a module that worker processes
 * load with `--problem-module`: the toy walk with rollouts that take a while (so a worker can be
 * killed in the middle of a step), and one whose states are too large for a small server.
 */
import { z } from "zod";
import type { BuiltinProblem } from "../lib/problem.ts";
import { toy } from "./toy_problem.ts";

interface ToyState {
  x: number;
}

/**
 * The toy walk, each rollout sleeping `SLOW_MS` first: slow, but cheap on a loaded machine. A worker
 * process started with `SLOW_TOY_MS` in its environment sleeps that long instead (a test that must
 * kill a worker while it holds rollouts makes that worker's rollouts never end on their own).
 */
export const SLOW_MS = Number(Deno.env.get("SLOW_TOY_MS") ?? 250);
export const slowToy: BuiltinProblem<ToyState, Record<string, never>> = {
  ...toy,
  name: "slow-toy",
  async apply(program, state, context) {
    await new Promise((resolve) => setTimeout(resolve, SLOW_MS));
    return await toy.apply(program, state, context);
  },
};

/** The toy walk whose states carry `PAD` numbers of padding: about 200 KB of JSON each. */
export const PAD = 20_000;
export const bigToy: BuiltinProblem<ToyState & { pad?: number[] }, Record<string, never>> = {
  ...toy,
  name: "big-toy",
  apply: (program, state, context) => ({
    ...toy.apply(program, state, context) as ToyState,
    pad: Array.from({ length: PAD }, (_, i) => i / 7),
  }),
  toJSON: (s) => ({ x: s.x, ...(s.pad ? { pad: s.pad } : {}) }),
  fromJSON: (json) => {
    const parsed = z.object({ x: z.number(), pad: z.array(z.number()).optional() }).parse(json);
    return { x: parsed.x, pad: parsed.pad };
  },
};
