/**
 * Case sets shared by the AtCoder problems: which inputs a state is judged on, a per-process
 * cache of parsed cases (workers import problems by name and judge many states on the same
 * cases), and the contest reward: the mean score, 0 as soon as any case fails.
 */
import { z } from "zod";
import type { Evaluation } from "../../lib/problem.ts";

/** Generated cases (our own generator, seeds seed..seed+count-1) or the official seeds first..first+count-1. */
export const CaseSpecSchema = z.discriminatedUnion("source", [
  z.object({
    source: z.literal("generated"),
    seed: z.number().int().min(0).max(2 ** 31 - 1),
    count: z.number().int().min(1).max(200),
  }).strict(),
  z.object({
    source: z.literal("official"),
    first: z.number().int().min(0).max(99),
    count: z.number().int().min(1).max(100),
  }).strict().refine((c) => c.first + c.count <= 100, { message: "official seeds are 0..99" }),
]);
export type CaseSpec = z.infer<typeof CaseSpecSchema>;

export function caseSpecKey(spec: CaseSpec): string {
  return spec.source === "generated" ? `g${spec.seed}x${spec.count}` : `o${spec.first}x${spec.count}`;
}

/** The seeds a spec names, in order. */
export function caseSeeds(spec: CaseSpec): number[] {
  const first = spec.source === "generated" ? spec.seed : spec.first;
  return Array.from({ length: spec.count }, (_, i) => first + i);
}

/** A small insertion-ordered cache that forgets its oldest entry past `limit`. */
export class Memo<V> {
  private readonly entries = new Map<string, V>();
  constructor(private readonly limit: number) {}
  get(key: string, build: () => V): V {
    const hit = this.entries.get(key);
    if (hit !== undefined) return hit;
    const value = build();
    this.entries.set(key, value);
    if (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value!);
    return value;
  }
}

/** One case's outcome. */
export interface CaseOutcome {
  readonly name: string;
  readonly score: number;
  readonly error?: string;
  readonly ms?: number;
}

/**
 * The contest rule: the mean score over the cases, and 0 (invalid, with the first failure's
 * reason) if any case fails, as a WA or TLE voids a whole submission.
 */
export function meanScoreEvaluation(
  outcomes: readonly CaseOutcome[],
  extra: Record<string, unknown> = {},
): Evaluation {
  if (outcomes.length === 0) return { valid: false, value: null, reward: 0, error: "no cases" };
  const failed = outcomes.find((o) => o.error !== undefined);
  const scores = outcomes.map((o) => o.score);
  if (failed) {
    return {
      valid: false,
      value: null,
      reward: 0,
      error: `case ${failed.name}: ${failed.error}`,
      details: { ...extra, failures: outcomes.filter((o) => o.error !== undefined).length, scores },
    };
  }
  const mean = scores.reduce((s, x) => s + x, 0) / scores.length;
  return {
    valid: true,
    value: mean,
    reward: mean,
    details: { ...extra, cases: outcomes.length, min: Math.min(...scores), max: Math.max(...scores), scores },
  };
}

/**
 * The built-in route's verifier for a contest: checks the state's shape, runs the
 * deterministic solver on every case of the state's case set, scores each output with
 * the contest's scorer, and rewards the mean. Results are memoised by state key, since
 * the loop re-evaluates start states every step.
 */
export function solverVerifier<S extends { readonly cases: CaseSpec }, I>(options: {
  readonly contest: string;
  readonly schema: z.ZodType<S>;
  readonly key: (state: S) => string;
  readonly loadCases: (spec: CaseSpec) => readonly { readonly name: string; readonly input: I }[];
  /** Solve one case and score it; may throw (the case then fails with the message). */
  readonly scoreCase: (input: I, state: S) => { readonly score: number; readonly error?: string };
}): (json: unknown) => Evaluation {
  const evaluations = new Memo<Evaluation>(512);
  return (json) => {
    const parsed = options.schema.safeParse(json);
    if (!parsed.success) {
      return {
        valid: false,
        value: null,
        reward: 0,
        error: `not an ${options.contest} state: ${parsed.error.issues[0]?.message}`,
      };
    }
    const state = parsed.data;
    return evaluations.get(options.key(state), () => {
      const outcomes: CaseOutcome[] = [];
      for (const c of options.loadCases(state.cases)) {
        try {
          const result = options.scoreCase(c.input, state);
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
  };
}
