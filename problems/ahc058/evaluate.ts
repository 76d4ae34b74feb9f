/**
 * The AHC058 built-in-route verifier: runs the parameterised solver on every case of the
 * state's case set, scores each plan with the exact BigInt scorer, and rewards the mean score.
 */
import type { ZodType } from "zod";
import { solverVerifier } from "../atcoder/cases.ts";
import { loadCases } from "./cases.ts";
import { scoreActions } from "./scorer.ts";
import { solve } from "./solver.ts";
import { type Ahc058State, Ahc058StateSchema, stateKey } from "./state.ts";

export const evaluateState = solverVerifier({
  contest: "ahc058",
  schema: Ahc058StateSchema as unknown as ZodType<Ahc058State>,
  key: stateKey,
  loadCases,
  scoreCase: (input, state) => scoreActions(input, solve(input, state.solver)),
});
