/** An AHC039 built-in-route state: the solver's parameters and the cases they are judged on. */
import { z } from "zod";
import { type CaseSpec, caseSpecKey, CaseSpecSchema } from "../atcoder/cases.ts";
import { ladderIndex } from "../atcoder/ladder.ts";
import type { SolverParams } from "./solver.ts";

/** The values the move grammar can give each numeric parameter. */
export const LADDERS = {
  grid: [10, 16, 20, 25, 32, 40, 50],
  iters: [0, 2000, 5000, 10000, 20000, 50000, 100000],
  refine: [0, 1, 2],
  refineIters: [0, 5000, 10000, 20000, 50000, 100000],
  t0: [0.5, 1, 2, 4, 8, 16],
  t1: [0.02, 0.05, 0.1, 0.2, 0.5, 1],
} as const;
export type LadderName = keyof typeof LADDERS;
export const LADDER_NAMES = Object.keys(LADDERS) as LadderName[];

export interface Ahc039State {
  readonly solver: SolverParams;
  readonly cases: CaseSpec;
}

export const SolverParamsSchema = z.object({
  grid: z.number().int().min(2).max(100),
  iters: z.number().int().min(0).max(1_000_000),
  refine: z.number().int().min(0).max(2),
  refineIters: z.number().int().min(0).max(1_000_000),
  t0: z.number().finite().positive().max(1e6),
  t1: z.number().finite().positive().max(1e6),
  seed: z.number().int().min(0).max(2 ** 32 - 1),
}).strict();

export const Ahc039StateSchema = z.object({
  solver: SolverParamsSchema,
  // AHC039 has no shipped official inputs here: generated cases only.
  cases: CaseSpecSchema.refine((c) => c.source === "generated", { message: "ahc039 cases are generated" }),
}).strict();

export function stateFromJSON(json: unknown): Ahc039State {
  return Ahc039StateSchema.parse(json) as Ahc039State;
}

export function stateKey(state: Ahc039State): string {
  const s = state.solver;
  return `${
    caseSpecKey(state.cases)
  }|${s.grid}|${s.iters}|${s.refine}|${s.refineIters}|${s.t0}|${s.t1}|${s.seed}`;
}

export function snapToLadders(params: SolverParams): SolverParams {
  const out: Record<string, number> = { ...params };
  for (const name of LADDER_NAMES) out[name] = LADDERS[name][ladderIndex(LADDERS[name], params[name])];
  return out as unknown as SolverParams;
}
