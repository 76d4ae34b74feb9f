/** An AHC058 built-in-route state: the solver's parameters and the cases they are judged on. */
import { z } from "zod";
import { type CaseSpec, caseSpecKey, CaseSpecSchema } from "../atcoder/cases.ts";
import { ladderIndex } from "../atcoder/ladder.ts";
import { OBJECTIVES, type SolverParams } from "./solver.ts";

/** The values the move grammar can give each numeric parameter (boostN = level N's boost). */
export const LADDERS = {
  boost1: [1, 2, 4, 8, 16, 32, 64, 128, 256],
  boost2: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
  boost3: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096],
  minRatio: [0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4],
  waitLimit: [0, 1, 2, 5, 10, 20, 50, 100, 500],
  delay: [1, 2, 5, 10, 20, 50],
  fillRatio: [1, 2, 4, 8, 16],
  fillSlack: [-1, 0, 1, 2, 3, 5, 10, 20],
} as const;
export type LadderName = keyof typeof LADDERS;
export const LADDER_NAMES = Object.keys(LADDERS) as LadderName[];

export interface Ahc058State {
  readonly solver: SolverParams;
  readonly cases: CaseSpec;
}

const positive = z.number().finite().positive().max(1e9);
export const SolverParamsSchema = z.object({
  objective: z.enum(OBJECTIVES),
  boost: z.array(positive).length(4),
  minRatio: z.number().finite().min(0).max(1e6),
  waitLimit: z.number().int().min(0).max(100_000),
  delay: positive,
  fillRatio: z.number().finite().min(0).max(1e9),
  fillSlack: z.number().int().min(-1).max(100_000),
}).strict();

export const Ahc058StateSchema = z.object({ solver: SolverParamsSchema, cases: CaseSpecSchema }).strict();

export function stateFromJSON(json: unknown): Ahc058State {
  return Ahc058StateSchema.parse(json) as Ahc058State;
}

export function ladderValue(params: SolverParams, name: LadderName): number {
  if (name.startsWith("boost")) return params.boost[Number(name.slice(5))];
  return params[name as Exclude<LadderName, `boost${number}`>];
}

export function withLadderValue(params: SolverParams, name: LadderName, value: number): SolverParams {
  if (name.startsWith("boost")) {
    const boost = [...params.boost];
    boost[Number(name.slice(5))] = value;
    return { ...params, boost };
  }
  return { ...params, [name]: value };
}

export function stateKey(state: Ahc058State): string {
  const s = state.solver;
  return `${caseSpecKey(state.cases)}|${s.objective}|${s.boost.join(",")}|${s.minRatio}|${s.waitLimit}|` +
    `${s.delay}|${s.fillRatio}|${s.fillSlack}`;
}

/** Snaps every numeric parameter onto its ladder (for random or hand-written starts). */
export function snapToLadders(params: SolverParams): SolverParams {
  let out = params;
  for (const name of LADDER_NAMES) {
    out = withLadderValue(out, name, LADDERS[name][ladderIndex(LADDERS[name], ladderValue(params, name))]);
  }
  return out;
}
