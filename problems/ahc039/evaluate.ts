/**
 * The AHC039 built-in-route verifier: runs the parameterised solver on every case of the
 * state's case set, judges each polygon with the exact scorer, and rewards the mean score.
 */
import type { ZodType } from "zod";
import { solverVerifier } from "../atcoder/cases.ts";
import { loadCases } from "./cases.ts";
import { scorePolygon } from "./scorer.ts";
import { solve } from "./solver.ts";
import { type Ahc039State, Ahc039StateSchema, stateKey } from "./state.ts";

export const evaluateState = solverVerifier({
  contest: "ahc039",
  schema: Ahc039StateSchema as unknown as ZodType<Ahc039State>,
  key: stateKey,
  loadCases,
  scoreCase: (input, state) => scorePolygon(input, solve(input, state.solver).polygon),
});
