/**
 * The AHC039 built-in-route verifier: runs the parameterised solver on every case of the
 * state's case set, judges each polygon with the exact scorer, and rewards the mean score.
 */
import type { Evaluation } from "../../lib/problem.ts";
import { type CaseOutcome, meanScoreEvaluation, Memo } from "../atcoder/cases.ts";
import { loadCases } from "./cases.ts";
import { scorePolygon } from "./scorer.ts";
import { solve } from "./solver.ts";
import { type Ahc039State, Ahc039StateSchema, stateKey } from "./state.ts";

const evaluations = new Memo<Evaluation>(512);

export function evaluateState(json: unknown): Evaluation {
  const parsed = Ahc039StateSchema.safeParse(json);
  if (!parsed.success) {
    return {
      valid: false,
      value: null,
      reward: 0,
      error: `not an ahc039 state: ${parsed.error.issues[0]?.message}`,
    };
  }
  const state = parsed.data as Ahc039State;
  return evaluations.get(stateKey(state), () => {
    const outcomes: CaseOutcome[] = [];
    for (const c of loadCases(state.cases)) {
      try {
        const result = scorePolygon(c.input, solve(c.input, state.solver).polygon);
        outcomes.push({ name: c.name, score: result.score, error: result.error });
      } catch (e) {
        outcomes.push({
          name: c.name,
          score: 0,
          error: `solver failed: ${e instanceof Error ? e.message : e}`,
        });
      }
    }
    return meanScoreEvaluation(outcomes);
  });
}
